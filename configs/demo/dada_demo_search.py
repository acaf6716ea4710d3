# DADA demo search on the embedded demo set (no download): the 1,500 demo
# training images in two stratified halves of 750 (A trains a WRN-10-1,
# B drives the policy), 20 epochs of batch 32 (480 steps, the paper's 20
# epochs) of the full unrolled RELAX search with the paper's settings. Two idle
# CPU cores: about 2.5 minutes. Writes work_dirs/dada_demo_search/policy.json;
# then retrain with it: configs/demo/dada_demo_retrain.py (tools/demo.sh
# runs both and a baseline).
_base_ = ['../dada/_base_/dada_runtime.py']

max_epochs = 20
demo = dict(type='DemoCIFAR10', data_root='data/demo_cifar', split='train',
            pipeline=[
                dict(type='mmpretrain.RandomCrop', crop_size=32, padding=4),
                dict(type='mmpretrain.PackInputs'),
            ])
half_a = dict(type='StratifiedSplitDataset', part='train', heldout=750,
              seed=0, dataset=demo)
half_b = dict(half_a, part='heldout')
train_dataloader = dict(
    batch_size=32, num_workers=1, persistent_workers=False, dataset=half_a,
    sampler=dict(type='DefaultSampler', shuffle=True))
train_cfg = dict(
    max_epochs=max_epochs,
    search_dataloader=dict(
        batch_size=32, num_workers=1, persistent_workers=False,
        dataset=half_b, sampler=dict(type='DefaultSampler', shuffle=True)))

model = dict(
    # RGB mean / std of the demo training set
    data_preprocessor=dict(mean=[128.811, 126.285, 128.295],
                           std=[70.506, 76.804, 70.494]),
    classifier=dict(
        type='mmpretrain.ImageClassifier',
        backbone=dict(type='WideResNet', depth=10, widen_factor=1),
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(
            type='mmpretrain.LinearClsHead', num_classes=10, in_channels=64,
            loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0))))
optim_wrapper = dict(classifier=dict(optimizer=dict(weight_decay=5e-4)))
param_scheduler = dict(
    classifier=dict(T_max=max_epochs, end=max_epochs))
default_hooks = dict(logger=dict(interval=8))
