# Retrain the demo baseline (configs/baseline/wrn16-1_demo-cifar.py: WRN-16-1,
# 15 epochs on the 1,500 demo images) with the policy the demo search found,
# applied per image after the random crop. Compare with the baseline's
# accuracy: `bash tools/demo.sh` runs the three steps and prints both.
_base_ = ['../baseline/wrn16-1_demo-cifar.py']

policy = 'work_dirs/dada_demo_search/policy.json'
train_pipeline = [
    dict(type='mmpretrain.RandomCrop', crop_size=32, padding=4),
    dict(type='PolicyAugment', policy=policy),
    dict(type='mmpretrain.PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
