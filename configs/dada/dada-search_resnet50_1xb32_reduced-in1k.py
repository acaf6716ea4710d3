# DADA search on reduced ImageNet: 120 classes, about 6,000 training images
# (the paper's setting), ResNet-50, 20 epochs, 8 GPUs x 32 images. Write the
# class subset's annotation file first (50 images per class, seeded):
#   python tools/misc/reduced_imagenet_ann.py data/imagenet/meta/train.txt \
#       --classes 120 --per-class 50 --out data/imagenet/meta/train_r120.txt
# Half A / half B: 3,000 images each (stratified, seed 0).
_base_ = ['./_base_/dada_runtime.py']

dataset_type = 'mmpretrain.CustomDataset'
data_root = 'data/imagenet'
num_images = 6000
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmpretrain.RandomResizedCrop', scale=224),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='mmpretrain.PackInputs'),
]
reduced = dict(type=dataset_type, data_root=data_root,
               ann_file='meta/train_r120.txt', data_prefix='train',
               with_label=True, pipeline=train_pipeline)
half_a = dict(type='StratifiedSplitDataset', part='train',
              heldout=num_images // 2, seed=0, dataset=reduced)
half_b = dict(half_a, part='heldout')
train_dataloader = dict(
    batch_size=32, num_workers=8, dataset=half_a,
    sampler=dict(type='DefaultSampler', shuffle=True))
train_cfg = dict(search_dataloader=dict(
    batch_size=32, num_workers=8, dataset=half_b,
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
# lr 0.1 for a total batch of 256
auto_scale_lr = dict(base_batch_size=256)
