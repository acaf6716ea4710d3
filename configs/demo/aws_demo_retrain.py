# Retrain the demo baseline (configs/baseline/wrn16-1_demo-cifar.py: WRN-16-1,
# 6 epochs on the 1,500 demo images) with the distribution the AWS demo
# search found (work_dirs/aws_demo_search/policy.json: one ordered pair per
# image, drawn by its probability), applied per image after the random crop.
_base_ = ['../baseline/wrn16-1_demo-cifar.py']

policy = 'work_dirs/aws_demo_search/policy.json'
train_pipeline = [
    dict(type='mmpretrain.RandomCrop', crop_size=32, padding=4),
    dict(type='PolicyAugment', policy=policy),
    dict(type='mmpretrain.PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
