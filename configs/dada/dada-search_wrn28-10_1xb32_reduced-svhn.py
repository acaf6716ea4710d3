# DADA search on reduced SVHN: 1,000 images of the core training set
# (stratified, seed 0) in two halves of 500, WRN-28-10, 20 epochs, one GPU x
# 32, SGD lr 0.00125 momentum 0.9 weight decay 1e-3, cosine to 0.001,
# Cutout 20 px after the policy. Source: the authors' released genotype's
# name (..._reduced_svhn_wresnet28_10_32_20_awd0p0_alr0p005_cutout_20_
# lr0p00125_wd0p001_temp_0p5) and search_relax/train_paper.sh (svhn block;
# it says cutout 16, the genotype that was published says 20).
# Data layout: configs/_base_/datasets/svhn.py (convert without --extra: the
# reduced set is drawn from the core training set). Half A is cropped and
# flipped like CIFAR, as the authors' search does for SVHN
# (search_relax/dataset.py); half B is not augmented.
_base_ = ['./_base_/dada_runtime.py']

dataset_type = 'mmpretrain.CustomDataset'
data_root = 'data/svhn'
classes = ('0', '1', '2', '3', '4', '5', '6', '7', '8', '9')
num_images = 1000
batch_size = 32
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmpretrain.RandomCrop', crop_size=32, padding=4),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='mmpretrain.PackInputs'),
]
val_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmpretrain.PackInputs'),
]
svhn = dict(type=dataset_type, data_root=data_root, data_prefix='train',
            classes=classes, with_label=True)
reduced = dict(type='StratifiedSplitDataset', part='heldout',
               heldout=num_images, seed=0,
               dataset=dict(svhn, pipeline=train_pipeline))
reduced_val = dict(reduced, dataset=dict(svhn, pipeline=val_pipeline))
half_a = dict(type='StratifiedSplitDataset', part='train',
              heldout=num_images // 2, seed=0, dataset=reduced)
half_b = dict(half_a, part='heldout', dataset=reduced_val)
train_dataloader = dict(
    batch_size=batch_size, num_workers=4, dataset=half_a,
    sampler=dict(type='DefaultSampler', shuffle=True))
train_cfg = dict(search_dataloader=dict(
    batch_size=batch_size, num_workers=4, dataset=half_b,
    sampler=dict(type='DefaultSampler', shuffle=True)))

model = dict(
    # the square is painted in the SVHN mean colour (0 once normalised)
    cutout=20,
    data_preprocessor=dict(
        # RGB mean / std of the SVHN training set; images are read as BGR
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
optim_wrapper = dict(
    classifier=dict(optimizer=dict(lr=0.00125, weight_decay=1e-3)))
