# Retrain the demo baseline (configs/baseline/wrn16-1_demo-cifar.py: WRN-16-1,
# 15 epochs on the 1,500 demo images) with the distribution the AWS demo
# search found (work_dirs/aws_demo_search/policy.json, the best evaluated
# controller: one ordered pair per image, drawn by its probability), applied
# per image after the random crop.
_base_ = ['../baseline/wrn16-1_demo-cifar.py']

policy = 'work_dirs/aws_demo_search/policy.json'
train_pipeline = [
    dict(type='mmpretrain.RandomCrop', crop_size=32, padding=4),
    dict(type='PolicyAugment', policy=policy, channel_order='rgb'),
    dict(type='mmpretrain.PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

# The AWS policy applies both ops of a pair to every image (probability 1),
# so it trains as long as stage 1 did: 30 epochs (15 leave it at 29% top-1).
max_epochs = 30
param_scheduler = dict(T_max=max_epochs, end=max_epochs)
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(checkpoint=dict(interval=max_epochs))
