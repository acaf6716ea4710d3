# AWS stage 1 on YOUR classification images (an ImageFolder-style folder):
# train the shared weights under the uniform distribution over ordered pairs
# of the 36 'aws' candidates, on the training images minus a stratified,
# seeded held-out part (the reward of stage 2).
#
#   data/my_dataset/train/<class name>/<image>.jpg|png|...   (one folder per
#   class, mmpretrain's CustomDataset), or an annotation file (ann_file).
#
# Edit the first block, then run the three steps:
#   python tools/train.py configs/templates/aws-stage1_custom-imagefolder.py
#   python tools/train.py configs/templates/aws-search_custom-imagefolder.py
#   python tools/train.py configs/templates/retrain_custom-imagefolder.py \
#       --cfg-options \
#       policy=work_dirs/aws-search_custom-imagefolder/policy.json
# Stage 2 reads the LAST checkpoint of stage 1: let stage 1 finish (resume it
# if a budget stopped it) before starting stage 2.

# ---- edit these ------------------------------------------------------------
data_root = 'data/my_dataset'  # folder that holds the training images
data_prefix = 'train'  # sub-folder of data_root with one folder per class
ann_file = ''  # '' reads the class folders; or 'meta/train.txt'
classes = None  # None: the class folder names, sorted; or a list / a .txt
num_classes = 10  # how many classes there are
image_size = 224  # side of the square training crops, in pixels
# the network (any mmpretrain / mmautoaug backbone) and its output channels
backbone = dict(type='mmpretrain.ResNet', depth=18)
feat_channels = 512
# ---- how long, how big ------------------------------------------------------
heldout = 0.2  # share (or number) of the training images held out
batch_size = 64  # per GPU
max_epochs = 100  # stage 1
finetune_epochs = 5  # per controller step of stage 2 (the paper: 10 on CIFAR)
num_workers = 4
lr = 0.1 * batch_size / 256  # SGD, linear scaling (Goyal et al., 2017)
# RGB mean / std of your images (ImageNet's here)
mean = [123.675, 116.28, 103.53]
std = [58.395, 57.12, 57.375]
# -----------------------------------------------------------------------------

_base_ = ['../aws/_base_/aws_runtime.py']

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
full_set = dict(type='mmpretrain.CustomDataset', data_root=data_root,
                data_prefix=data_prefix, ann_file=ann_file, classes=classes,
                with_label=True)
train_dataset = dict(type='StratifiedSplitDataset', part='train',
                     heldout=heldout, seed=0,
                     dataset=dict(full_set, pipeline=train_pipeline))
heldout_dataset = dict(train_dataset, part='heldout',
                       dataset=dict(full_set, pipeline=test_pipeline))
train_dataloader = dict(batch_size=batch_size, num_workers=num_workers,
                        dataset=train_dataset,
                        sampler=dict(type='DefaultSampler', shuffle=True))
val_dataloader = dict(batch_size=batch_size, num_workers=num_workers,
                      dataset=heldout_dataset,
                      sampler=dict(type='DefaultSampler', shuffle=False))
val_evaluator = dict(type='mmpretrain.Accuracy', topk=(1, ))
# stage 2: every rank evaluates its own fine-tuned copy on the whole part
heldout_dataloader = dict(batch_size=batch_size, num_workers=num_workers,
                          dataset=heldout_dataset,
                          sampler=dict(type='RankLocalSampler',
                                       shuffle=False))

model = dict(
    type='AWSImageClassifier',
    space='aws',
    data_preprocessor=dict(
        type='AugmentDataPreprocessor', defer_normalize=True,
        num_classes=num_classes, mean=mean, std=std,
        to_rgb=True),  # images are loaded BGR; the pairs act on RGB
    backbone=backbone,
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(type='mmpretrain.LinearClsHead', num_classes=num_classes,
              in_channels=feat_channels,
              loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0)))

# a cosine schedule laid out over stage 1 + one fine-tuning and stopped at
# the end of stage 1: stage 2 fine-tunes at the learning rate stage 1 ends
# with (as the CIFAR configs do with 200 + 10 epochs)
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=lr, momentum=0.9, weight_decay=5e-4,
                   nesterov=True))
param_scheduler = dict(type='CosineAnnealingLR',
                       T_max=max_epochs + finetune_epochs, by_epoch=True,
                       begin=0, end=max_epochs + finetune_epochs)
train_cfg = dict(by_epoch=True, max_epochs=max_epochs,
                 val_interval=max(1, max_epochs // 10))
val_cfg = dict()
