# Demo: DADA searched on RetinaNet R-50-FPN (the stock mmdet config, from
# scratch) on the embedded COCO-layout set: the 48 training images in halves of
# 24 (the detector's, the policy's validation), 4 epochs of batches of 4 at
# 128 px (24 policy steps, first order); writes work_dirs/<config>/policy.json
# (top-25 sub-policies). Put it into any mmdet config with
#   python tools/policy/inject.py CONFIG work_dirs/<config>/policy.json --out cfg.py
#   python tools/train.py configs/detection/demo/dada-search_retinanet_r50_fpn_demo-coco.py
_base_ = [
    '../search/dada_retinanet_r50_fpn_1x_coco.py',
    './_base_/search_demo_coco.py'
]
custom_imports = dict(
    imports=['mmautoaug.search', 'mmautoaug.models', 'mmautoaug.engine',
             'mmautoaug.datasets'],
    allow_failed_imports=False)
model = dict(
    detector=dict(
        backbone=dict(init_cfg=None),  # no ImageNet download here
        bbox_head=dict(num_classes={{_base_.search_demo_num_classes}})))
loader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True))
train_dataloader = dict(
    _delete_=True, **loader, dataset={{_base_.search_demo_half_a}})
train_cfg = dict(
    max_epochs=4,
    search_dataloader=dict(
        _delete_=True, **loader, dataset={{_base_.search_demo_half_b}}))
param_scheduler = dict(
    _delete_=True,
    detector=[
        dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
             end=10)
    ],
    policy=[])
default_hooks = {{_base_.search_demo_default_hooks}}
log_processor = dict(by_epoch=True)
