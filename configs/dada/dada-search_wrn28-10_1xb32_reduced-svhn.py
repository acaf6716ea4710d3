# DADA search on reduced SVHN: 1,000 images of the core training set
# (stratified, seed 0) in two halves of 500, WRN-28-10, 20 epochs.
# Data layout: configs/_base_/datasets/svhn.py (no flip for digits).
_base_ = ['./_base_/dada_runtime.py']

dataset_type = 'mmpretrain.CustomDataset'
data_root = 'data/svhn'
classes = ('0', '1', '2', '3', '4', '5', '6', '7', '8', '9')
num_images = 1000
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmpretrain.RandomCrop', crop_size=32, padding=4),
    dict(type='mmpretrain.PackInputs'),
]
reduced = dict(
    type='StratifiedSplitDataset', part='heldout', heldout=num_images,
    seed=0,
    dataset=dict(type=dataset_type, data_root=data_root, data_prefix='train',
                 classes=classes, with_label=True, pipeline=train_pipeline))
half_a = dict(type='StratifiedSplitDataset', part='train',
              heldout=num_images // 2, seed=0, dataset=reduced)
half_b = dict(half_a, part='heldout')
train_dataloader = dict(
    batch_size=128, num_workers=4, dataset=half_a,
    sampler=dict(type='DefaultSampler', shuffle=True))
train_cfg = dict(search_dataloader=dict(
    batch_size=128, num_workers=4, dataset=half_b,
    sampler=dict(type='DefaultSampler', shuffle=True)))

model = dict(
    data_preprocessor=dict(
        mean=[111.610, 113.161, 120.565], std=[50.498, 51.259, 50.245],
        to_rgb=True),
    classifier=dict(
        type='mmpretrain.ImageClassifier',
        backbone=dict(type='WideResNet', depth=28, widen_factor=10),
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(
            type='mmpretrain.LinearClsHead', num_classes=10,
            in_channels=640,
            loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0))))
