# Retrain WRN-28-10 on the whole CIFAR-10 training set (the baseline recipe,
# configs/baseline/wrn28-10_1xb128_cifar10.py) with the distribution AWS
# found: per image an ordered pair drawn by its probability (the sub-policy
# weights of policy.json), both ops applied, after the crop and flip; then
# Cutout 16 px as in the AutoAugment-family retraining recipes.
_base_ = ['../baseline/wrn28-10_1xb128_cifar10.py']

policy = 'work_dirs/aws-search_wrn28-10_1xb128_cifar10/policy.json'
train_pipeline = [
    dict(type='mmpretrain.RandomCrop', crop_size=32, padding=4),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PolicyAugment', policy=policy),
    dict(type='mmpretrain.Cutout', shape=16, pad_val=(125, 123, 114),
         prob=1.0),
    dict(type='mmpretrain.PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
