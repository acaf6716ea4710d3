# Retrain WRN-28-10 on CIFAR-10 replaying an Adversarial AutoAugment
# schedule epoch by epoch: training epoch e augments every image with the
# M policies the search used in its epoch e (one of the epoch's M x Q
# sub-policies uniformly, as the search picked them), then the paper Cutout
# (16 px, clipped at the borders), as in the search. This is the paper's
# transfer of a searched schedule to another training run (Zhang et al.,
# ICLR 2020); `schedule` is the folder the search wrote. The two runs are
# equally long here (200 epochs); for a longer or shorter run set
# custom_hooks.0.align='stretch' to spread the schedule over it.
# PolicyScheduleHook tells the pipeline (and its persistent data-loader
# workers) which epoch to replay.
_base_ = ['../baseline/wrn28-10_1xb128_cifar10.py']

schedule = 'work_dirs/advaa_wrn28-10_1xb128_cifar10/policy_schedule'
train_pipeline = [
    dict(type='mmpretrain.RandomCrop', crop_size=32, padding=4),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PolicyAugment', schedule=schedule),
    dict(type='ClippedCutout', length=16),
    dict(type='mmpretrain.PackInputs'),
]
train_dataloader = dict(
    persistent_workers=True, dataset=dict(pipeline=train_pipeline))
custom_hooks = [dict(type='PolicyScheduleHook', align='epoch')]
