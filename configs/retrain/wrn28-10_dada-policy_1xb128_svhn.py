# Retrain WRN-28-10 on SVHN with the policy a DADA search found (per image:
# one of its sub-policies uniformly, each op with its learned probability and
# magnitude), then the paper Cutout 20 px, as DADA's retraining (Li et al.,
# ECCV 2020; the authors' fast-autoaugment/confs/wresnet28x10_svhn_b1024_
# test.yaml and FastAutoAugment/data.py): the full SVHN (core + extra, 604,388
# images: convert with tools/dataset_converters/svhn.py --extra), crop and
# flip as for CIFAR, 200 epochs, SGD Nesterov, cosine, weight decay 5e-4,
# gradient norm clipped at 5. Their batch 1024 reaches lr 0.08 after a
# 5-epoch warm-up (0.02 x 4); here 0.01 for batch 128, scaled linearly.
_base_ = [
    '../_base_/models/wrn28_10.py', '../_base_/datasets/svhn.py',
    '../_base_/schedules/cifar_bs128_200e.py', '../_base_/default_runtime.py'
]

# The search's output. policy='dada_svhn' (the zoo entry) replays the
# authors' published SVHN policy instead.
policy = 'work_dirs/dada-search_wrn28-10_1xb32_reduced-svhn/policy.json'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmpretrain.RandomCrop', crop_size=32, padding=4),
    # the authors flip SVHN too (FastAutoAugment/data.py treats it as CIFAR)
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    # LoadImageFromFile reads BGR: tell the ops which channel is red
    dict(type='PolicyAugment', policy=policy, channel_order='bgr'),
    # the authors' CutoutDefault zeroes the normalised image: the mean colour
    # (given as R, G, B; channel_order puts it on the BGR image correctly)
    dict(type='ClippedCutout', length=20, fill=(112, 113, 121),
         channel_order='bgr'),
    dict(type='mmpretrain.PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
optim_wrapper = dict(optimizer=dict(lr=0.01), clip_grad=dict(max_norm=5.0))
# lr 0.01 is for a total batch of 128; scale it with --auto-scale-lr
auto_scale_lr = dict(base_batch_size=128)
