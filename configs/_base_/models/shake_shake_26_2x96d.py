# Shake-Shake-26 2x96d (Gastaldi 2017, Shake-Shake-Image): 26.2M parameters,
# 32x32 inputs.
model = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(type='ShakeShakeResNet', depth=26, base_channels=96),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(
        type='mmpretrain.LinearClsHead',
        num_classes=10,
        in_channels=384,
        loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0),
        topk=(1, )))
