# The few-shot demo where augmentation matters (mmautoaug.DemoFewShotCIFAR10:
# 20 upright, centred, blue-on-paper training digits per class; 1000 test
# digits rotated, sheared, scaled, placed anywhere, in any colours). A WRN-10-1
# trained from scratch with the CIFAR recipe (SGD Nesterov, cosine, weight
# decay 5e-4) for a short schedule, validated on the test set at the end.
# No augmentation but the padded random crop: compare policies on it with
#   python tools/analysis/compare_policies.py \
#       configs/demo/fewshot_wrn10-1_demo.py \
#       --policies none trivialaugment_wide ... --seeds 3
# (tools/demo.sh runs a DADA search on it first and compares its policy).
_base_ = [
    '../_base_/schedules/cifar_bs128_200e.py', '../_base_/default_runtime.py'
]

max_epochs = 60
dataset_type = 'DemoFewShotCIFAR10'
data_root = 'data/demo_fewshot'
# Padded random crop only: mirrored digits change meaning. A policy goes
# after it (compare_policies.py --position before_pack).
train_pipeline = [
    dict(type='mmpretrain.RandomCrop', crop_size=32, padding=4),
    dict(type='mmpretrain.PackInputs'),
]
test_pipeline = [dict(type='mmpretrain.PackInputs')]
train_dataloader = dict(
    batch_size=32,
    num_workers=0,
    dataset=dict(type=dataset_type, data_root=data_root, split='train',
                 pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True))
val_dataloader = dict(
    batch_size=250,
    num_workers=0,
    dataset=dict(type=dataset_type, data_root=data_root, split='test',
                 pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False))
val_evaluator = dict(type='mmpretrain.Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = val_evaluator

model = dict(
    type='mmpretrain.ImageClassifier',
    data_preprocessor=dict(
        type='mmpretrain.ClsDataPreprocessor', num_classes=10,
        # RGB mean / std of the few-shot training set
        mean=[201.2, 185.0, 162.2], std=[55.8, 51.1, 23.3], to_rgb=False),
    backbone=dict(type='WideResNet', depth=10, widen_factor=1),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(
        type='mmpretrain.LinearClsHead', num_classes=10, in_channels=64,
        loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0),
        topk=(1, )))

param_scheduler = dict(T_max=max_epochs, end=max_epochs)
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
auto_scale_lr = dict(base_batch_size=32)
default_hooks = dict(
    logger=dict(interval=7),
    checkpoint=dict(interval=10, max_keep_ckpts=1, save_best=None))
