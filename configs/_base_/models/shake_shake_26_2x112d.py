# Shake-Shake-26 2x112d (Gastaldi 2017, Shake-Shake-Image): 35.6M parameters,
# 32x32 inputs.
model = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(type='ShakeShakeResNet', depth=26, base_channels=112),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(
        type='mmpretrain.LinearClsHead',
        num_classes=10,
        in_channels=448,
        loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0),
        topk=(1, )))
