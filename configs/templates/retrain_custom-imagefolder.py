# Retrain a classifier on YOUR classification images with a policy: the one
# a search wrote (DADA or AWS stage 2: policy.json; AdvAA: policy_final.json)
# or a zoo name. The policy is applied per image on the CPU after the crop
# and flip (mmautoaug.PolicyAugment).
#
#   data/my_dataset/train/<class name>/<image>.jpg|png|...   (one folder per
#   class, mmpretrain's CustomDataset) and data/my_dataset/val/<class>/...
#
# Edit the first block (or pass --cfg-options policy=...), then:
#   python tools/train.py configs/templates/retrain_custom-imagefolder.py

# ---- edit these ------------------------------------------------------------
policy = 'work_dirs/dada-search_custom-imagefolder/policy.json'
data_root = 'data/my_dataset'  # folder that holds the images
train_prefix = 'train'  # sub-folder with one folder per class
val_prefix = 'val'  # the same for validation images; None: no validation
ann_file = ''  # '' reads the class folders; or 'meta/train.txt'
classes = None  # None: the class folder names, sorted; or a list / a .txt
num_classes = 10  # how many classes there are
image_size = 224  # side of the square training crops, in pixels
# the network (any mmpretrain / mmautoaug backbone) and its output channels
backbone = dict(type='mmpretrain.ResNet', depth=18)
feat_channels = 512
# ---- how long, how big ------------------------------------------------------
batch_size = 64  # per GPU
max_epochs = 100
num_workers = 4
lr = 0.1 * batch_size / 256  # SGD, linear scaling (Goyal et al., 2017)
# RGB mean / std of your images (ImageNet's here)
mean = [123.675, 116.28, 103.53]
std = [58.395, 57.12, 57.375]
# -----------------------------------------------------------------------------

_base_ = ['../_base_/default_runtime.py']

train_pipeline = [
    dict(type='mmpretrain.LoadImageFromFile'),
    dict(type='mmpretrain.RandomResizedCrop', scale=image_size),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    # OpenCV loads BGR: the policy's grey levels and fills need the order
    dict(type='PolicyAugment', policy=policy, channel_order='bgr'),
    dict(type='mmpretrain.PackInputs'),
]
test_pipeline = [
    dict(type='mmpretrain.LoadImageFromFile'),
    dict(type='mmpretrain.ResizeEdge', scale=image_size * 8 // 7,
         edge='short'),
    dict(type='mmpretrain.CenterCrop', crop_size=image_size),
    dict(type='mmpretrain.PackInputs'),
]
dataset = dict(type='mmpretrain.CustomDataset', data_root=data_root,
               classes=classes, with_label=True)
train_dataloader = dict(
    batch_size=batch_size, num_workers=num_workers,
    dataset=dict(dataset, data_prefix=train_prefix, ann_file=ann_file,
                 pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True))
val_dataloader = None if val_prefix is None else dict(
    batch_size=batch_size, num_workers=num_workers,
    dataset=dict(dataset, data_prefix=val_prefix, pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False))
val_evaluator = None if val_prefix is None else dict(
    type='mmpretrain.Accuracy', topk=(1, ))
val_cfg = None if val_prefix is None else dict()

model = dict(
    type='mmpretrain.ImageClassifier',
    data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor',
                           num_classes=num_classes, mean=mean, std=std,
                           to_rgb=True),
    backbone=backbone,
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(type='mmpretrain.LinearClsHead', num_classes=num_classes,
              in_channels=feat_channels,
              loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0)))

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=lr, momentum=0.9, nesterov=True,
                   weight_decay=5e-4))
param_scheduler = dict(type='CosineAnnealingLR', T_max=max_epochs,
                       by_epoch=True, begin=0, end=max_epochs,
                       convert_to_iter_based=True)
train_cfg = dict(by_epoch=True, max_epochs=max_epochs,
                 val_interval=max(1, max_epochs // 10))
default_hooks = dict(checkpoint=dict(interval=max(1, max_epochs // 10)))
