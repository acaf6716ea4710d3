# (a) Mask R-CNN fine-tuned on COCO with the policy in the train pipeline
# (backbone: the stock ImageNet initialisation).
_base_ = [
    'mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py',
    './_base_/policy.py'
]

train_pipeline = {{_base_.policy_ins_train_pipeline}}
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
