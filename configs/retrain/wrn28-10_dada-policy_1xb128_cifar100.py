# Retrain WRN-28-10 on the whole CIFAR-100 training set with the policy a DADA
# search found (per image: one of its sub-policies uniformly, each op with its
# learned probability and magnitude), then the paper Cutout 16 px, as DADA's
# retraining (Li et al., ECCV 2020; the authors'
# fast-autoaugment/confs/wresnet28x10_cifar100_b512_test.yaml:
# 200 epochs, SGD 0.1 per 128 images, Nesterov, cosine, weight decay
# 5e-4, gradient norm clipped at 5, Cutout 16 after the policy).
_base_ = ['../baseline/wrn28-10_1xb128_cifar100.py']

# The search's output. policy='dada_cifar100' (the zoo entry) replays the
# authors' published CIFAR-100 policy instead.
policy = 'work_dirs/dada-search_wrn40-2_1xb32_reduced-cifar100/policy.json'
train_pipeline = [
    dict(type='mmpretrain.RandomCrop', crop_size=32, padding=4),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    # mmpretrain's CIFAR data sets hold RGB images
    dict(type='PolicyAugment', policy=policy),
    # the authors' CutoutDefault (DARTS' Cutout, clipped at the borders)
    # zeroes the normalised image: the training set's mean colour
    dict(type='ClippedCutout', length=16, fill=(129, 124, 112)),
    dict(type='mmpretrain.PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
# Fast AutoAugment's run_epoch clips at norm 5 unless a conf sets clip: 0
optim_wrapper = dict(clip_grad=dict(max_norm=5.0))
