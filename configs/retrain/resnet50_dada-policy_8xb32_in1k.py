# Retrain ResNet-50 on ImageNet with the policy a DADA search found on the
# reduced ImageNet (per image: one sub-policy uniformly, each op with its
# learned probability and magnitude, after the random-resized crop and
# flip), 270 epochs, 8 GPUs x 32 (DADA's ImageNet recipe, after Fast
# AutoAugment). The published DADA policy would be the zoo name
# 'dada_imagenet', not bundled yet (see mmautoaug/policy/zoo.py).
_base_ = ['../baseline/resnet50_8xb32_in1k.py']

policy = 'work_dirs/dada-search_resnet50_8xb32_reduced-in1k/policy.json'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmpretrain.RandomResizedCrop', scale=224),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PolicyAugment', policy=policy),
    dict(type='mmpretrain.PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
