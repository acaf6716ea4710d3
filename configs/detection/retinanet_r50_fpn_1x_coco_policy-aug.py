# (a) RetinaNet fine-tuned on COCO with the policy in the train pipeline
# (backbone: the stock ImageNet initialisation).
_base_ = [
    'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py',
    './_base_/policy.py'
]

train_pipeline = {{_base_.policy_det_train_pipeline}}
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
