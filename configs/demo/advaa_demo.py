# Adversarial AutoAugment demo on the embedded demo set (no download): a
# WRN-10-1 trains on M=8 adversarially augmented copies of every batch of
# the 1,500 demo training images (32 x 8 = 256 images per step) for 24
# epochs, and the LSTM generator takes one REINFORCE step per epoch (the
# paper's settings: Q=5 sub-policies of 2 ops, Cutout, Adam 3.5e-4, entropy
# 1e-5). Two idle CPU cores: 7 min 30 s, 80.5% top-1 (measured 2026-11-22).
# Fewer steps stay at chance (4 epochs at batch 64: 9-12%; 12 epochs: 11-12%):
# the copies under AutoAugment's strongest ops plus Cutout need them. 24
# generator updates at the paper's learning rate move it only a little from
# its uniform start (entropy 50.715 -> 50.706; the real searches run 200
# epochs). `tools/policy/plot.py work_dirs/advaa_demo/policy_schedule`
# draws the schedule. Watch the
# "AdvAA epoch N: entropy ..., op histogram ..." and "per-policy training
# losses" log lines. Writes work_dirs/advaa_demo/policy_schedule/
# epoch_000N.json (the M policies of epoch N), policy.json (the latest) and
# policy_final.json (M policies from the final generator).
_base_ = ['../_base_/datasets/demo_cifar.py', '../_base_/default_runtime.py']

max_epochs = 24
num_policies = 8

# the policies act on [0, 255] pixels: normalise after them, in the model
data_preprocessor = dict(type='AugmentDataPreprocessor', defer_normalize=True)
model = dict(
    type='AdvAAClassifier',
    classifier=dict(
        type='mmpretrain.ImageClassifier',
        backbone=dict(type='WideResNet', depth=10, widen_factor=1),
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(
            type='mmpretrain.LinearClsHead', num_classes=10, in_channels=64,
            loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0))),
    augmentor=dict(type='PolicyBatchAugment', space='autoaugment',
                   cutout=16))

train_dataloader = dict(batch_size=32, num_workers=1,
                        persistent_workers=False)
val_dataloader = dict(num_workers=1, persistent_workers=False)
test_dataloader = val_dataloader

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, nesterov=True,
                   weight_decay=5e-4))
param_scheduler = dict(type='CosineAnnealingLR', T_max=max_epochs,
                       by_epoch=True, begin=0, end=max_epochs,
                       convert_to_iter_based=True)
train_cfg = dict(by_epoch=True, max_epochs=max_epochs,
                 val_interval=8)
val_cfg = dict()
test_cfg = dict()

custom_hooks = [
    dict(type='AdvAAHook', num_policies=num_policies,
         optimizer=dict(type='Adam', lr=3.5e-4), entropy_weight=1e-5)
]
default_hooks = dict(
    logger=dict(interval=6),
    checkpoint=dict(interval=1, max_keep_ckpts=1, save_best=None),
    search_cost=dict(type='SearchCostHook'))  # estimate + budget, README
