# Retrain the demo baseline (configs/baseline/wrn16-1_demo-cifar.py: WRN-16-1,
# 15 epochs on the 1,500 demo images, 2 persistent data-loader workers)
# replaying the schedule the AdvAA demo search wrote
# (configs/demo/advaa_demo.py -> work_dirs/advaa_demo/policy_schedule):
# its 24 epochs stretched over these 15, then the paper Cutout (16 px,
# clipped) as in the search. The log says which search epoch each epoch
# replays ("PolicyScheduleHook: epoch N replays schedule epoch(s) [...]").
#   python tools/train.py configs/demo/advaa_demo.py
#   python tools/train.py configs/demo/advaa_demo_retrain.py
# The single-file policy (work_dirs/advaa_demo/policy_transfer.json, the
# search's last 10 epochs) goes in PolicyAugment(policy=...) without the
# hook, as ../retrain/wrn28-10_advaa-policy_1xb128_cifar10.py does.
_base_ = ['../baseline/wrn16-1_demo-cifar.py']

schedule = 'work_dirs/advaa_demo/policy_schedule'
train_pipeline = [
    dict(type='mmpretrain.RandomCrop', crop_size=32, padding=4),
    dict(type='PolicyAugment', schedule=schedule),
    dict(type='ClippedCutout', length=16),
    dict(type='mmpretrain.PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
custom_hooks = [dict(type='PolicyScheduleHook', align='stretch')]
