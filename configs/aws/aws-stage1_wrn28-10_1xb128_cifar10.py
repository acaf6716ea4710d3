# AWS (Tian et al., NeurIPS 2020) stage 1 on CIFAR-10: train the shared
# weights of WRN-28-10 under the UNIFORM distribution over ordered pairs of
# the 36 candidates of the 'aws' space (one pair per image, on the device),
# on the 40k train part; validation on the 10k held-out part.
# Then run aws-search_wrn28-10_1xb128_cifar10.py (stage 2) on its last
# checkpoint (weights AND optimiser state).
_base_ = ['./_base_/aws_cifar10_split.py', './_base_/aws_runtime.py']

data_preprocessor = dict(
    type='AugmentDataPreprocessor',
    defer_normalize=True,  # the pairs act on [0, 255] pixels
    num_classes={{_base_.num_classes}},
    mean=[125.307, 122.961, 113.8575],
    std=[51.5865, 50.847, 51.255],
    to_rgb=False)
model = dict(
    type='AWSImageClassifier',
    space='aws',
    data_preprocessor=data_preprocessor,
    backbone=dict(type='WideResNet', depth=28, widen_factor=10),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(
        type='mmpretrain.LinearClsHead',
        num_classes={{_base_.num_classes}},
        in_channels=640,
        loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0)))

# 200 epochs of a cosine schedule laid out over 210 (= 200 + the 10
# fine-tuning epochs of stage 2): stage 1 stops where the schedule would
# enter its last 10 epochs, so the learning rate it ends with (about
# 5.6e-4), which stage 2 keeps constant, is the one of the end of training
# where the augmentation matters most (the paper's observation).
max_epochs = 200
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4,
                   nesterov=True))
param_scheduler = dict(type='CosineAnnealingLR', T_max=max_epochs + 10,
                       by_epoch=True, begin=0, end=max_epochs + 10)
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=10)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=128)
