# Retrain WRN-28-10 on CIFAR-10 with the single-file policy of an
# Adversarial AutoAugment search: work_dir/policy_transfer.json, the union
# of the search's last 10 epochs, weighted so that a draw picks one of those
# epochs uniformly and then a sub-policy as the search did
# (mmautoaug.search.advaa.transfer_policy; AdvAAHook(transfer_epochs=K)
# changes K). Then the paper Cutout (16 px, clipped), as in the search.
# Replaying the whole schedule instead:
# ./wrn28-10_advaa-schedule_1xb128_cifar10.py.
_base_ = ['../baseline/wrn28-10_1xb128_cifar10.py']

policy = 'work_dirs/advaa_wrn28-10_1xb128_cifar10/policy_transfer.json'
train_pipeline = [
    dict(type='mmpretrain.RandomCrop', crop_size=32, padding=4),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PolicyAugment', policy=policy),
    dict(type='ClippedCutout', length=16),
    dict(type='mmpretrain.PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
