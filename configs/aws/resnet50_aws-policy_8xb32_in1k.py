# Retrain ResNet-50 on ImageNet (the baseline recipe,
# configs/baseline/resnet50_8xb32_in1k.py) with the distribution AWS found
# there (policy.json: the best evaluated controller), per image after the crop
# and flip.
_base_ = ['../baseline/resnet50_8xb32_in1k.py']

policy = 'work_dirs/aws-search_resnet50_8xb32_in1k/policy.json'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmpretrain.RandomResizedCrop', scale=224),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    # LoadImageFromFile reads BGR: tell the ops which channel is red
    dict(type='PolicyAugment', policy=policy, channel_order='bgr'),
    dict(type='mmpretrain.PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
