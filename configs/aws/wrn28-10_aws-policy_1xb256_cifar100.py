# Retrain WRN-28-10 on CIFAR-100 with the distribution AWS found there (the
# recipe of the CIFAR-10 retraining config, which is the authors' CIFAR-100
# yaml).
_base_ = ['./wrn28-10_aws-policy_1xb256_cifar10.py']

policy = 'work_dirs/aws-search_wrn28-10_1xb256_cifar100/policy.json'
train_pipeline = [
    dict(type='mmpretrain.RandomCrop', crop_size=32, padding=4),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PolicyAugment', policy=policy, channel_order='rgb'),
    dict(type='ClippedCutout', length=16, fill=(0, 0, 0),
         channel_order='rgb'),
    dict(type='mmpretrain.PackInputs'),
]
cifar100 = dict(type='mmpretrain.CIFAR100', data_root='data/cifar100')
train_dataloader = dict(dataset=dict(cifar100, pipeline=train_pipeline))
val_dataloader = dict(dataset=cifar100)
test_dataloader = val_dataloader
data_preprocessor = dict(num_classes=100,
                         mean=[129.304, 124.070, 112.434],
                         std=[68.170, 65.392, 70.418])
model = dict(head=dict(num_classes=100))
