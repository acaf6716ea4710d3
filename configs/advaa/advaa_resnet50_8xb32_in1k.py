# Adversarial AutoAugment (Zhang et al., ICLR 2020) on ImageNet, ResNet-50,
# M=8 policies per epoch: each GPU trains on 8 x 32 augmented images per
# step. The classifier schedule is the ImageNet ResNet-50 recipe of the
# augmentation papers in ../_base_/schedules/imagenet_bs256_270e.py; no
# Cutout on ImageNet (AutoAugment's ImageNet recipe has none).
_base_ = [
    '../_base_/models/resnet50.py', '../_base_/datasets/imagenet.py',
    '../_base_/schedules/imagenet_bs256_270e.py',
    '../_base_/default_runtime.py'
]

num_policies = 8

data_preprocessor = dict(type='AugmentDataPreprocessor', defer_normalize=True)
model = dict(
    _delete_=True,
    type='AdvAAClassifier',
    classifier={{_base_.model}},
    augmentor=dict(type='PolicyBatchAugment', space='autoaugment',
                   cutout=None))

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
