# DADA search on reduced ImageNet: 120 classes, about 6,000 training images
# (the paper's setting), ResNet-50, 20 epochs, one GPU x 32, SGD lr 0.00125
# momentum 0.9 weight decay 1e-4, cosine to 0.001, no Cutout. Source: the
# authors' released genotype's name (..._reduced_imagenet_resnet50_32_20_
# awd0p0_alr0p005_cutout_0_lr0p00125_wd0p0001_temp_0p5_25; their
# search_relax/train_paper.sh passes --cutout 16, the published policy was
# searched without) and search_relax/dataset.py for the pipelines.
# Write the class subset's annotation file first (50 images per class,
# seeded):
#   python tools/misc/reduced_imagenet_ann.py data/imagenet/meta/train.txt \
#       --classes 120 --per-class 50 --out data/imagenet/meta/train_r120.txt
# Half A / half B: 3,000 images each (stratified, seed 0).
_base_ = ['./_base_/dada_runtime.py']

dataset_type = 'mmpretrain.CustomDataset'
data_root = 'data/imagenet'
num_images = 6000
batch_size = 32
# ImageNet's RGB PCA (AlexNet lighting) as the authors' dataset.py, scaled to
# [0, 255] and with the eigenvector rows in BGR order: LoadImageFromFile
# reads BGR and mmpretrain's Lighting (to_rgb=False) adds row c to channel c
lighting = dict(
    type='mmpretrain.Lighting',
    eigval=[0.2175 * 255, 0.0188 * 255, 0.0045 * 255],
    eigvec=[[-0.5836, -0.6948, 0.4203], [-0.5808, -0.0045, -0.8140],
            [-0.5675, 0.7192, 0.4009]],
    alphastd=0.1,
    to_rgb=False)
# Half A as the authors' search: random-resized crop (bicubic), flip,
# ColorJitter 0.4 (mmpretrain's assumes BGR, as loaded) before the policy,
# Lighting after it in theirs. Here the policy runs on the device after this
# pipeline, so Lighting (a small colour shift, about 3 levels) comes before
# it. Lighting casts its result back to the input's dtype, which wraps uint8
# values pushed past 0 or 255 (259 -> 3); on float32 they stay, as in the
# authors' float tensors, so the image is made float32 first (mmcv's
# Normalize with mean 0 and std 1 changes nothing else).
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmpretrain.RandomResizedCrop', scale=224,
         interpolation='bicubic'),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='mmpretrain.ColorJitter', brightness=0.4, contrast=0.4,
         saturation=0.4),
    dict(type='mmcv.Normalize', mean=[0, 0, 0], std=[1, 1, 1],
         to_rgb=False),
    lighting,
    dict(type='mmpretrain.PackInputs'),
]
# Half B, not augmented: the authors' test transform (resize 256, bicubic,
# centre crop 224)
val_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmpretrain.ResizeEdge', scale=256, edge='short',
         interpolation='bicubic'),
    dict(type='mmpretrain.CenterCrop', crop_size=224),
    dict(type='mmpretrain.PackInputs'),
]
imagenet = dict(type=dataset_type, data_root=data_root,
                ann_file='meta/train_r120.txt', data_prefix='train',
                with_label=True)
half_a = dict(type='StratifiedSplitDataset', part='train',
              heldout=num_images // 2, seed=0,
              dataset=dict(imagenet, pipeline=train_pipeline))
half_b = dict(half_a, part='heldout',
              dataset=dict(imagenet, pipeline=val_pipeline))
train_dataloader = dict(
    batch_size=batch_size, num_workers=8, dataset=half_a,
    sampler=dict(type='DefaultSampler', shuffle=True))
train_cfg = dict(search_dataloader=dict(
    batch_size=batch_size, num_workers=8, dataset=half_b,
    sampler=dict(type='DefaultSampler', shuffle=True)))

model = dict(
    data_preprocessor=dict(
        num_classes=120, mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375], to_rgb=True),
    classifier=dict(
        type='mmpretrain.ImageClassifier',
        backbone=dict(type='mmpretrain.ResNet', depth=50, num_stages=4,
                      out_indices=(3, ), style='pytorch'),
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(
            type='mmpretrain.LinearClsHead', num_classes=120,
            in_channels=2048,
            loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0))))
optim_wrapper = dict(
    classifier=dict(optimizer=dict(lr=0.00125, weight_decay=1e-4)))
