# The embedded demo set (mmautoaug.DemoCocoDataset, 48 train / 16 val images
# of shapes with polygon masks, see configs/_base_/datasets/demo_coco.py) in
# mmdet's scope, with the policy in the train pipeline, for the demos of
# configs/detection/demo/. Names start with demo_ so that this base merges
# with the stock mmdet configs (bases may not share keys); the demo configs
# assign them to the real keys.
_base_ = './policy.py'
custom_imports = dict(
    imports=['mmautoaug.detection', 'mmautoaug.datasets'],
    allow_failed_imports=False)

demo_data_root = 'data/demo_coco/'
# square, hexagon, circle, cross (mmautoaug.datasets.demo.SHAPE_NAMES)
demo_num_classes = 4
demo_iters = 40
# Masks are loaded for every detector: the policy moves them with the image
# and takes the boxes from them (recompute_bbox).
demo_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='Resize', scale=(128, 128), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    {{_base_.policy_mask_step}},
    dict(type='PackDetInputs')
]
demo_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(128, 128), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
demo_loader = dict(batch_size=4, num_workers=0, persistent_workers=False)
demo_dataset = dict(type='mmautoaug.DemoCocoDataset', data_root=demo_data_root)
demo_train_dataloader = dict(
    **demo_loader,
    dataset=dict(
        **demo_dataset,
        ann_file='annotations/instances_train.json',
        data_prefix=dict(img='train/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=8),
        pipeline=demo_train_pipeline))
demo_val_dataloader = dict(
    **demo_loader,
    dataset=dict(
        **demo_dataset,
        ann_file='annotations/instances_val.json',
        data_prefix=dict(img='val/'),
        test_mode=True,
        pipeline=demo_test_pipeline))
demo_val_evaluator = dict(
    type='CocoMetric',
    ann_file=demo_data_root + 'annotations/instances_val.json',
    metric='bbox')
demo_segm_val_evaluator = dict(demo_val_evaluator, metric=['bbox', 'segm'])
demo_train_cfg = dict(
    _delete_=True,
    type='IterBasedTrainLoop',
    max_iters=demo_iters,
    val_interval=demo_iters)
demo_param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=10)
]
demo_default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(by_epoch=False, interval=demo_iters))
