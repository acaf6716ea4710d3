# (b) Faster R-CNN on COCO with the stock pipeline and a ResNet-50 backbone
# pretrained on ImageNet with the policy (configs/pretrain/).
_base_ = [
    'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py',
    './_base_/policy.py'
]

model = dict(backbone=dict(init_cfg={{_base_.policy_backbone_init}}))
