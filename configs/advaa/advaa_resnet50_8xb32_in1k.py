# Adversarial AutoAugment (Zhang et al., ICLR 2020) on ImageNet, ResNet-50
# (the paper: 20.60% +/- 0.15 top-1 error). Recipe: ResNet-50, 120 epochs,
# total batch 2048, lr 0.8, weight decay 1e-4 (the public reimplementation's
# conf, SeongwoongCho/adversarial-autoaugment-pytorch
# src/confs/imagenet/resnet50.yaml); SGD with Nesterov momentum 0.9 and
# cosine decay to 0 without warm-up, as its optimizer_scheduler.py. lr 0.8
# is the 0.1-per-256-images ResNet rate scaled linearly to 2048 (Goyal et
# al., 2017). M = 8 policies per epoch, the paper's M (the reimplementation's
# README runs every conf with --M 8). No Cutout on ImageNet (AutoAugment's
# ImageNet recipe and the reimplementation's ImageNet transform have none).
#
# Batch 2048 = 8 GPUs x 32 images x 8 accumulated steps
# (optim_wrapper.accumulative_counts): every GPU step trains on the 8 x 32 =
# 256 augmented copies; BatchNorm sees those 256. On 64 GPUs set
# optim_wrapper.accumulative_counts=1 (same effective batch, same lr).
#
# GPU memory of one step at M=8 x 32 = 256 images of 224x224 per GPU
# (estimated, no GPU measured it): about 23-29 GiB in float32, 12-15 GiB
# with --amp, + ~0.5 GiB CUDA context. Estimated on a CPU by
# `python tools/benchmark/advaa_memory.py THIS_CONFIG --batches 1 2 4 8`:
# the activations autograd saves for backward grow by 81.9 MiB per image
# (peak RSS of a CPU step: 103 MiB per image), x 256 images, + 0.29 GiB of
# parameters, gradients and momentum, + 0.29 GiB of augmented inputs,
# + 10% allocator slack (2026-12, loaded 2-core machine; the bytes do not
# depend on the load). A 32 GB V100 needs --amp; 40/80 GB A100s and H100s
# hold the float32 step.
_base_ = [
    '../_base_/models/resnet50.py', '../_base_/datasets/imagenet.py',
    '../_base_/default_runtime.py'
]

num_policies = 8
max_epochs = 120

data_preprocessor = dict(type='AugmentDataPreprocessor', defer_normalize=True)
model = dict(
    _delete_=True,
    type='AdvAAClassifier',
    classifier={{_base_.model}},
    augmentor=dict(type='PolicyBatchAugment', space='autoaugment',
                   cutout=None))

train_dataloader = dict(batch_size=32)
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.8, momentum=0.9, nesterov=True,
                   weight_decay=1e-4),
    # 8 GPUs x 32 x 8 steps = 2048 images per update
    accumulative_counts=8)
param_scheduler = dict(type='CosineAnnealingLR', T_max=max_epochs,
                       by_epoch=True, begin=0, end=max_epochs,
                       convert_to_iter_based=True)
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=5)
val_cfg = dict()
test_cfg = dict()
# lr 0.8 is for 2048 images per update; --auto-scale-lr counts the images
# of one step on all GPUs (8 x 32 = 256 here), not the accumulated ones
auto_scale_lr = dict(base_batch_size=256)

custom_hooks = [
    dict(
        type='AdvAAHook',
        num_policies=num_policies,
        generator=dict(type='AdvAAPolicyGenerator', space='autoaugment',
                       num_sub_policies=5, num_ops=2, hidden_size=100,
                       embed_size=32),
        optimizer=dict(type='Adam', lr=3.5e-4),
        entropy_weight=1e-5,
        op_prob=1.0)
]
default_hooks = dict(search_cost=dict(type='SearchCostHook'))
