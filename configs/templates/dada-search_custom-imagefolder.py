# DADA search on YOUR classification images (an ImageFolder-style folder).
#
#   data/my_dataset/train/<class name>/<image>.jpg|png|...   (one folder per
#   class, mmpretrain's CustomDataset), or any layout plus an annotation
#   file of "relative/path label" lines (set ann_file).
#
# Edit the first block, then:
#   python tools/train.py configs/templates/dada-search_custom-imagefolder.py
# The policy goes to work_dirs/dada-search_custom-imagefolder/policy.json
# (rewritten every epoch); retrain with retrain_custom-imagefolder.py.
# The training images are split in two stratified halves (seeded): half A
# trains the network, half B drives the policy (DADA's bilevel search).

# ---- edit these ------------------------------------------------------------
data_root = 'data/my_dataset'  # folder that holds the training images
data_prefix = 'train'  # sub-folder of data_root with one folder per class
ann_file = ''  # '' reads the class folders; or 'meta/train.txt'
classes = None  # None: the class folder names, sorted; or a list / a .txt
num_classes = 10  # how many classes there are
image_size = 224  # side of the square training crops, in pixels
# the network searched with (any mmpretrain / mmautoaug backbone) and the
# number of channels it outputs (ResNet-18/34: 512, ResNet-50: 2048)
backbone = dict(type='mmpretrain.ResNet', depth=18)
feat_channels = 512
# ---- how long, how big ------------------------------------------------------
batch_size = 32  # per GPU
max_epochs = 20  # DADA's 20 search epochs (Li et al., ECCV 2020)
num_workers = 4
# RGB mean / std of your images (ImageNet's here)
mean = [123.675, 116.28, 103.53]
std = [58.395, 57.12, 57.375]
# -----------------------------------------------------------------------------

_base_ = ['../dada/_base_/dada_runtime.py']

train_pipeline = [
    dict(type='mmpretrain.LoadImageFromFile'),
    dict(type='mmpretrain.RandomResizedCrop', scale=image_size),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='mmpretrain.PackInputs'),
]
full_set = dict(type='mmpretrain.CustomDataset', data_root=data_root,
                data_prefix=data_prefix, ann_file=ann_file, classes=classes,
                with_label=True, pipeline=train_pipeline)
half_a = dict(type='StratifiedSplitDataset', part='train', heldout=0.5,
              seed=0, dataset=full_set)
half_b = dict(half_a, part='heldout')
train_dataloader = dict(
    batch_size=batch_size, num_workers=num_workers, dataset=half_a,
    sampler=dict(type='DefaultSampler', shuffle=True))
train_cfg = dict(
    max_epochs=max_epochs,
    search_dataloader=dict(
        batch_size=batch_size, num_workers=num_workers, dataset=half_b,
        sampler=dict(type='DefaultSampler', shuffle=True)))

model = dict(
    # images are loaded BGR by OpenCV; the search's ops act on RGB
    data_preprocessor=dict(num_classes=num_classes, mean=mean, std=std,
                           to_rgb=True),
    classifier=dict(
        type='mmpretrain.ImageClassifier',
        backbone=backbone,
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(
            type='mmpretrain.LinearClsHead', num_classes=num_classes,
            in_channels=feat_channels,
            loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0))))
param_scheduler = dict(classifier=dict(T_max=max_epochs, end=max_epochs))
