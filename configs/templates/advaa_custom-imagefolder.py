# Adversarial AutoAugment on YOUR classification images (an ImageFolder-style
# folder): the classifier trains on M adversarially augmented copies of every
# batch while an LSTM generator learns, by REINFORCE, the policies that make
# its loss largest. There is no separate retraining: the model it trains is
# the result, and the policies are written as it goes.
#
#   data/my_dataset/train/<class name>/<image>.jpg|png|...   (one folder per
#   class, mmpretrain's CustomDataset) and, for validation,
#   data/my_dataset/val/<class name>/...   (set val_prefix = None if none).
#
# Edit the first block, then:
#   python tools/train.py configs/templates/advaa_custom-imagefolder.py
# Writes work_dirs/advaa_custom-imagefolder/policy_schedule/epoch_XXXX.json
# (the M policies of every epoch), policy.json (the latest) and
# policy_final.json (M policies from the final generator).

# ---- edit these ------------------------------------------------------------
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
num_policies = 8  # M: the paper's 8 copies of every batch
batch_size = 32  # per GPU, before the M copies
max_epochs = 100
num_workers = 4
lr = 0.1 * batch_size / 256  # SGD, linear scaling (Goyal et al., 2017)
cutout = None  # side in pixels of a Cutout after the policy (16 on 32 px)
# RGB mean / std of your images (ImageNet's here)
mean = [123.675, 116.28, 103.53]
std = [58.395, 57.12, 57.375]
# -----------------------------------------------------------------------------

_base_ = ['../_base_/default_runtime.py']

train_pipeline = [
    dict(type='mmpretrain.LoadImageFromFile'),
    dict(type='mmpretrain.RandomResizedCrop', scale=image_size),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
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
    type='AdvAAClassifier',
    # the policies act on [0, 255] RGB pixels: normalise after them
    data_preprocessor=dict(
        type='AugmentDataPreprocessor', defer_normalize=True,
        num_classes=num_classes, mean=mean, std=std, to_rgb=True),
    classifier=dict(
        type='mmpretrain.ImageClassifier',
        backbone=backbone,
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(
            type='mmpretrain.LinearClsHead', num_classes=num_classes,
            in_channels=feat_channels,
            loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0))),
    augmentor=dict(type='PolicyBatchAugment', space='autoaugment',
                   cutout=cutout))

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=lr, momentum=0.9, nesterov=True,
                   weight_decay=5e-4))
param_scheduler = dict(type='CosineAnnealingLR', T_max=max_epochs,
                       by_epoch=True, begin=0, end=max_epochs,
                       convert_to_iter_based=True)
train_cfg = dict(by_epoch=True, max_epochs=max_epochs,
                 val_interval=max(1, max_epochs // 10))

# the paper's generator: LSTM 100 units, 32-d embeddings, Q=5 sub-policies
# of 2 ops, Adam 3.5e-4, entropy bonus 1e-5 (Zhang et al., ICLR 2020)
custom_hooks = [
    dict(type='AdvAAHook', num_policies=num_policies,
         generator=dict(type='AdvAAPolicyGenerator', space='autoaugment',
                        num_sub_policies=5, num_ops=2, hidden_size=100,
                        embed_size=32),
         optimizer=dict(type='Adam', lr=3.5e-4), entropy_weight=1e-5)
]
default_hooks = dict(
    # every epoch, so that --resume (or a budget stop) loses nothing
    checkpoint=dict(interval=1, max_keep_ckpts=2, save_best=None),
    search_cost=dict(type='SearchCostHook'))
