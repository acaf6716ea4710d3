# WRN-40-2 (Zagoruyko & Komodakis 2016): 2.2M parameters, 32x32 inputs.
model = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(type='WideResNet', depth=40, widen_factor=2),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(
        type='mmpretrain.LinearClsHead',
        num_classes=10,
        in_channels=128,
        loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0),
        topk=(1, )))
