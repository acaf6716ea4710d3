# Shake-Shake-26 2x32d (Gastaldi 2017, Shake-Shake-Image): 2.9M parameters,
# 32x32 inputs.
model = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(type='ShakeShakeResNet', depth=26, base_channels=32),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(
        type='mmpretrain.LinearClsHead',
        num_classes=10,
        in_channels=128,
        loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0),
        topk=(1, )))
