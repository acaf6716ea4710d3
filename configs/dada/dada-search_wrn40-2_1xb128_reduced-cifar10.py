# DADA search on reduced CIFAR-10 (4,000 images: 2,000 train the WRN-40-2,
# 2,000 drive the policy), 20 epochs, one GPU x 128, SGD lr 0.1 momentum 0.9
# weight decay 2e-4, cosine to 0.001, gradient norm clipped at 5, Cutout
# 16 px after the policy; policy Adam lr 0.005 betas (0.5, 0.999), no weight
# decay, temperature 0.5. Source: the authors' search_relax/train_paper.sh
# (cifar10 block) and the name of their released genotype (lr 0.1, wd 2e-4,
# batch 128, cutout 16). The paper reports 0.1 GPU-hour for this search.
# Writes work_dirs/<this name>/policy.json (top-25 sub-policies) every epoch.
_base_ = ['./_base_/dada_runtime.py', './_base_/reduced_cifar10.py']

model = dict(
    cutout=16,
    classifier=dict(
        type='mmpretrain.ImageClassifier',
        backbone=dict(type='WideResNet', depth=40, widen_factor=2),
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(
            type='mmpretrain.LinearClsHead', num_classes=10,
            in_channels=128,
            loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0))))
train_cfg = dict(search_dataloader={{_base_.search_dataloader}})
