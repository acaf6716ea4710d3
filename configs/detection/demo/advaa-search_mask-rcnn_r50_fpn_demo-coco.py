# Demo: Adversarial AutoAugment searched on Mask R-CNN R-50-FPN (the stock mmdet
# config, from scratch) on the embedded COCO-layout set: 3 epochs of the 48
# training images at 128 px, M=4 policies (4 copies of each batch of 4), so
# 3 REINFORCE steps; writes work_dirs/<config>/policy.json and
# policy_final.json. Put the policy into any mmdet config with
#   python tools/policy/inject.py CONFIG work_dirs/<config>/policy_final.json --out cfg.py
#   python tools/train.py configs/detection/demo/advaa-search_mask-rcnn_r50_fpn_demo-coco.py
_base_ = [
    '../search/advaa_mask-rcnn_r50_fpn_1x_coco.py',
    './_base_/search_demo_coco.py'
]
custom_imports = dict(
    imports=['mmautoaug.search', 'mmautoaug.models', 'mmautoaug.datasets'],
    allow_failed_imports=False)
model = dict(
    detector=dict(
        backbone=dict(init_cfg=None),  # no ImageNet download here
        roi_head=dict(
            bbox_head=dict(num_classes={{_base_.search_demo_num_classes}}),
            mask_head=dict(num_classes={{_base_.search_demo_num_classes}}))),
    copies_per_step=None)
custom_hooks = [
    dict(
        type='mmautoaug.AdvAAHook',
        generator=dict(
            type='mmautoaug.AdvAAPolicyGenerator',
            space='detection',
            num_sub_policies=5,
            num_ops=2),
        num_policies=4,
        optimizer=dict(type='Adam', lr=3.5e-4),
        entropy_weight=1e-5)
]
train_dataloader = {{_base_.search_demo_train_dataloader}}
train_cfg = dict(max_epochs=3, val_interval=3)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=10)
]
val_dataloader = val_cfg = val_evaluator = None
test_dataloader = test_cfg = test_evaluator = None
default_hooks = {{_base_.search_demo_default_hooks}}
log_processor = dict(by_epoch=True)
