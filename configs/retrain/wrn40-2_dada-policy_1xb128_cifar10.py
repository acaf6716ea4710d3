# Retrain WRN-40-2 on the whole CIFAR-10 training set with the policy a DADA
# search found (per image: one of its sub-policies uniformly, each op with its
# learned probability and magnitude), then Cutout 16 px, as DADA's retraining
# (Li et al., ECCV 2020, after Fast AutoAugment): 200 epochs, SGD 0.1
# Nesterov, cosine, weight decay 5e-4, batch 128. `policy` is the search's
# output. The published DADA policy would be the zoo name 'dada_cifar10', not
# bundled yet (its table is not reachable here; see mmautoaug/policy/zoo.py).
_base_ = ['../baseline/wrn40-2_1xb128_cifar10.py']

policy = 'work_dirs/dada-search_wrn40-2_1xb128_reduced-cifar10/policy.json'
train_pipeline = [
    dict(type='mmpretrain.RandomCrop', crop_size=32, padding=4),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PolicyAugment', policy=policy),
    dict(type='mmpretrain.Cutout', shape=16, pad_val=(125, 123, 114),
         prob=1.0),
    dict(type='mmpretrain.PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
