# Baseline on the embedded demo set: WRN-16-1 (0.18M parameters) on the
# coloured digits, the CIFAR recipe (SGD 0.1 Nesterov, cosine, weight decay
# 5e-4) shortened to 15 epochs: about a minute on two idle CPU cores, 97.98%
# top-1 on the 297 test images (measured 2026-11-22).
# Run: python tools/train.py configs/baseline/wrn16-1_demo-cifar.py
_base_ = [
    '../_base_/datasets/demo_cifar.py',
    '../_base_/schedules/cifar_bs128_200e.py', '../_base_/default_runtime.py'
]

max_epochs = 15
model = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(type='WideResNet', depth=16, widen_factor=1),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(
        type='mmpretrain.LinearClsHead',
        num_classes=10,
        in_channels=64,
        loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0),
        topk=(1, )))

param_scheduler = dict(T_max=max_epochs, end=max_epochs)
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
auto_scale_lr = dict(base_batch_size=32)

default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))
