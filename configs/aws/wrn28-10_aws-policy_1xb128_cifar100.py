# Retrain WRN-28-10 on CIFAR-100 with the distribution AWS found there (see
# the CIFAR-10 retraining config).
_base_ = ['../baseline/wrn28-10_1xb128_cifar100.py']

policy = 'work_dirs/aws-search_wrn28-10_1xb128_cifar100/policy.json'
train_pipeline = [
    dict(type='mmpretrain.RandomCrop', crop_size=32, padding=4),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PolicyAugment', policy=policy),
    dict(type='mmpretrain.Cutout', shape=16, pad_val=(125, 123, 114),
         prob=1.0),
    dict(type='mmpretrain.PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
