# Demo of (a): Faster R-CNN R-50-FPN (the stock mmdet config) with the policy
# in the train pipeline, on the embedded demo COCO set: 40 iterations on
# CPU from scratch (no ImageNet download), then COCO mAP on its val split.
#   python tools/train.py configs/detection/demo/faster-rcnn_r50_fpn_demo-coco_policy-aug.py
_base_ = [
    'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py',
    '../_base_/demo_coco.py'
]

model = dict(
    backbone=dict(init_cfg=None),
    roi_head=dict(bbox_head=dict(num_classes={{_base_.demo_num_classes}})),
    # keep every box: after a few iterations from scratch no score reaches
    # the stock 0.05, and COCO mAP needs detections to be computed
    test_cfg=dict(rcnn=dict(score_thr=0.0)))
train_dataloader = {{_base_.demo_train_dataloader}}
val_dataloader = {{_base_.demo_val_dataloader}}
test_dataloader = val_dataloader
val_evaluator = {{_base_.demo_val_evaluator}}
test_evaluator = val_evaluator
train_cfg = {{_base_.demo_train_cfg}}
param_scheduler = {{_base_.demo_param_scheduler}}
default_hooks = {{_base_.demo_default_hooks}}
log_processor = dict(by_epoch=False)
