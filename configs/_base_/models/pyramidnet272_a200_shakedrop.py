# PyramidNet-272 (Han et al. 2017; alpha 200, bottleneck units) with
# ShakeDrop (Yamada et al. 2018; linear decay to p_L = 0.5): 26.2M
# parameters, 32x32 inputs. The model of AutoAugment's and Adversarial
# AutoAugment's best CIFAR results (AdvAA: 1.36% CIFAR-10, 10.42% CIFAR-100
# error).
model = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(
        type='PyramidNet',
        depth=272,
        alpha=200,
        bottleneck=True,
        shake_drop=True,
        final_keep_prob=0.5),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(
        type='mmpretrain.LinearClsHead',
        num_classes=10,
        # 4 * (16 + alpha)
        in_channels=864,
        loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0),
        topk=(1, )))
