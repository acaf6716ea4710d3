# SVHN (Netzer et al. 2011), 32x32 digits, read by mmpretrain's CustomDataset
# from one folder per class, as ImageNet-style folders:
#   data/svhn/train/{0..9}/*.png   (train_32x32.mat; add extra_32x32.mat
#                                   for the "full" SVHN of the papers)
#   data/svhn/test/{0..9}/*.png    (test_32x32.mat)
# `python tools/dataset_converters/svhn.py path/to/mats --out data/svhn`
# writes this layout from the official .mat files (label 10 is digit 0).
# No flip: mirrored digits change meaning.
dataset_type = 'mmpretrain.CustomDataset'
data_root = 'data/svhn'
classes = ('0', '1', '2', '3', '4', '5', '6', '7', '8', '9')
data_preprocessor = dict(
    type='mmpretrain.ClsDataPreprocessor',
    num_classes=10,
    # RGB mean / std of the SVHN training set
    mean=[111.610, 113.161, 120.565],
    std=[50.498, 51.259, 50.245],
    # images are read by OpenCV as BGR
    to_rgb=True)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmpretrain.RandomCrop', crop_size=32, padding=4),
    dict(type='mmpretrain.PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmpretrain.PackInputs'),
]

train_dataloader = dict(
    batch_size=128,
    num_workers=4,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix='train',
        classes=classes,
        pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=256,
    num_workers=4,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix='test',
        classes=classes,
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='mmpretrain.Accuracy', topk=(1, ))

test_dataloader = val_dataloader
test_evaluator = val_evaluator
