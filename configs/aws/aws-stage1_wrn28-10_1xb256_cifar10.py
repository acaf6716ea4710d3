# AWS (Tian et al., NeurIPS 2020) stage 1 on CIFAR-10: train the shared
# weights of WRN-28-10 under the UNIFORM distribution over ordered pairs of
# the 36 candidates of the 'aws' space (one pair per image, then Cutout 16,
# both on the device), on the 40k train part; validation on the 10k held-out
# part. Then run aws-search_wrn28-10_1xb256_cifar10.py (stage 2) on its last
# checkpoint (weights AND optimiser state).
#
# The recipe is the authors' (their pre-release AWS-OHL-AutoAug: the CIFAR
# yaml of its README, pipeline/aws.py, utils/data.py); a comment "yaml: key"
# names the setting each value comes from. configs/aws/README.md lists where
# we differ on purpose.
_base_ = ['./_base_/aws_cifar10_split.py', './_base_/aws_runtime.py']

# yaml: data.batch_size 256 (one data loader per rank)
train_dataloader = dict(batch_size=256)

data_preprocessor = dict(
    type='AugmentDataPreprocessor',
    defer_normalize=True,  # the pairs act on [0, 255] pixels
    num_classes={{_base_.num_classes}},
    # utils/data.py: CIFAR-10 mean (0.4914, 0.4822, 0.4465) and std
    # (0.2023, 0.1994, 0.2010), times 255
    mean=[125.307, 122.961, 113.8575],
    std=[51.5865, 50.847, 51.255],
    to_rgb=False)
model = dict(
    type='AWSImageClassifier',
    space='aws',
    channel_order='rgb',  # CIFAR's pickles hold RGB
    # yaml: data.cutout True, cutlen 16; utils/data.py applies
    # Cutout(n_holes=1, length=16) after the pair, to the [0, 1] tensor
    # before Normalize (a zero mask: black), clipped at the borders
    cutout=16,
    cutout_fill=(0, 0, 0),
    data_preprocessor=data_preprocessor,
    # yaml: model.kwargs.bn_mom 0.5 (models/__init__.py: the momentum of
    # every BatchNorm2d)
    backbone=dict(type='WideResNet', depth=28, widen_factor=10,
                  norm_cfg=dict(type='BN', momentum=0.5)),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(
        type='mmpretrain.LinearClsHead',
        num_classes={{_base_.num_classes}},
        in_channels=640,
        # yaml: criterion LSCE smooth_ratio 0.05 (criterion/labelsmooth.py:
        # target (1 - 0.05) * one-hot + 0.05 / K, mmpretrain's 'original')
        loss=dict(type='mmpretrain.LabelSmoothLoss', label_smooth_val=0.05,
                  mode='original', loss_weight=1.0)))

# yaml: pretrain_ep 200
max_epochs = 200
optim_wrapper = dict(
    # yaml: pretrain_op SGD, nesterov, momentum 0.9, weight_decay 1e-4; the
    # lr is the warm-up target of pretrain_sc
    optimizer=dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=1e-4,
                   nesterov=True),
    # utils/misc.py filter_params: no weight decay on BatchNorm parameters
    paramwise_cfg=dict(norm_decay_mult=0.0),
    # yaml: model_grad_clip 3.0 (clip_grad_norm_ over all parameters)
    clip_grad=dict(max_norm=3.0))
# yaml: pretrain_sc Cosine, per iteration: linear warm-up from 0.2 / 4
# (base_lr_divisor 4) to 0.2 (warmup_lr) over 200 / 200 = 1 epoch
# (warmup_divisor 200), then cosine down to min_lr 0.001, the constant
# learning rate of the fine-tunes of stage 2
param_scheduler = [
    dict(type='LinearLR', start_factor=0.25, end_factor=1.0, by_epoch=True,
         begin=0, end=1, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=0.001, by_epoch=True, begin=1,
         end=max_epochs, convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=10)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=256)
# every rank draws its own pairs (torch's default generator, seeded per rank)
randomness = dict(seed=0, diff_rank_seed=True, deterministic=False)
