# (c) Mask R-CNN on COCO with both: the policy-pretrained backbone and the
# policy in the train pipeline.
_base_ = ['./mask-rcnn_r50_fpn_1x_coco_policy-aug.py']

model = dict(backbone=dict(init_cfg={{_base_.policy_backbone_init}}))
