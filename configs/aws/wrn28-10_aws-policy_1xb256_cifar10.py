# Retrain WRN-28-10 on the whole CIFAR-10 training set with the distribution
# AWS found: per image an ordered pair drawn by its probability (the
# sub-policy weights of policy.json, the BEST evaluated controller of the
# search, as the authors retrain with their best agent), both ops applied,
# after the crop and flip; then Cutout 16.
# The recipe is the retraining of the authors' CIFAR yaml (AWS-OHL-AutoAug
# README; "yaml: key" names each setting): 300 epochs at batch 256, warm-up
# to lr 0.4, label smoothing 0.05, gradient clipping 3.0.
_base_ = ['../baseline/wrn28-10_1xb128_cifar10.py']

# tools/policy/aws_controller_to_policy.py makes a policy file from any
# other saved controller (policy_last.json is the latest one)
policy = 'work_dirs/aws-search_wrn28-10_1xb256_cifar10/policy.json'
train_pipeline = [
    dict(type='mmpretrain.RandomCrop', crop_size=32, padding=4),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    # CIFAR's pickles hold RGB
    dict(type='PolicyAugment', policy=policy, channel_order='rgb'),
    # utils/data.py: Cutout(n_holes=1, length=16) after the pair, on the
    # un-normalised image (black), clipped at the borders
    dict(type='ClippedCutout', length=16, fill=(0, 0, 0),
         channel_order='rgb'),
    dict(type='mmpretrain.PackInputs'),
]
# yaml: data.batch_size 256
train_dataloader = dict(batch_size=256,
                        dataset=dict(pipeline=train_pipeline))

model = dict(
    # yaml: model.kwargs.bn_mom 0.5 (the momentum of every BatchNorm2d)
    backbone=dict(norm_cfg=dict(type='BN', momentum=0.5)),
    # pipeline/aws.py retrain: lsmooth=True, criterion LSCE 0.05
    head=dict(loss=dict(_delete_=True, type='mmpretrain.LabelSmoothLoss',
                        label_smooth_val=0.05, mode='original',
                        loss_weight=1.0)))

# yaml: retrain_ep 300
max_epochs = 300
optim_wrapper = dict(
    # yaml: retrain_op (= pretrain_op) SGD, nesterov, momentum 0.9,
    # weight_decay 1e-4; the lr is the warm-up target of retrain_sc
    optimizer=dict(type='SGD', lr=0.4, momentum=0.9, weight_decay=1e-4,
                   nesterov=True),
    # utils/misc.py filter_params: no weight decay on BatchNorm parameters
    paramwise_cfg=dict(norm_decay_mult=0.0),
    # yaml: model_grad_clip 3.0
    clip_grad=dict(max_norm=3.0))
# yaml: retrain_sc Cosine, per iteration: linear warm-up from 0.4 / 4 to 0.4
# over 300 / 200 = 1.5 epochs, then cosine down to min_lr 0
param_scheduler = [
    dict(type='LinearLR', start_factor=0.25, end_factor=1.0, by_epoch=True,
         begin=0, end=1.5, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=0.0, by_epoch=True, begin=1.5,
         end=max_epochs, convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=5)
auto_scale_lr = dict(base_batch_size=256)
