# The embedded demo set (mmautoaug.DemoCocoDataset: 48 train / 16 val images
# of shapes with polygon masks, see configs/detection/_base_/demo_coco.py) for
# the detector-search demos: a plain train pipeline (the searched ops run on
# the device inside the search step), masks loaded as bitmaps for every
# detector, 128 px. Names start with search_demo_ so that this base merges
# with the search configs; the demo configs assign them to the real keys.
search_demo_root = 'data/demo_coco/'
# square, hexagon, circle, cross (mmautoaug.datasets.demo.SHAPE_NAMES)
search_demo_num_classes = 4
search_demo_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='Resize', scale=(128, 128), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
search_demo_train_set = dict(
    type='mmautoaug.DemoCocoDataset',
    data_root=search_demo_root,
    ann_file='annotations/instances_train.json',
    data_prefix=dict(img='train/'),
    filter_cfg=dict(filter_empty_gt=True, min_size=8),
    pipeline=search_demo_train_pipeline)
search_demo_loader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True))
search_demo_train_dataloader = dict(
    search_demo_loader, dataset=search_demo_train_set)
# DADA: the 48 training images in two seeded halves of 24
search_demo_half_a = dict(
    type='mmautoaug.StratifiedSplitDataset', stratified=False, part='train',
    heldout=24, seed=0, dataset=search_demo_train_set)
search_demo_half_b = dict(search_demo_half_a, part='heldout')
search_demo_default_hooks = dict(
    logger=dict(interval=2), checkpoint=dict(interval=1, max_keep_ckpts=1))
