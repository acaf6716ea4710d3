# (a) retinanet fine-tuned on COCO with the policy in the train pipeline
# (backbone: the stock ImageNet initialisation).
_base_ = ['mmdet::retinanet/retinanet_r50_fpn_1x_coco.py', './_base_/policy.py']

train_pipeline = [
    dict(type='LoadImageFromFile', backend_args={{_base_.backend_args}}),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    {{_base_.policy_step}},
    dict(type='PackDetInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
