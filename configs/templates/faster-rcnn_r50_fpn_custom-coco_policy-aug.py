# Detection transfer to YOUR data in COCO format: Faster R-CNN R-50-FPN (the
# stock mmdet config) fine-tuned with a policy in the train pipeline. The
# policy moves boxes (and masks, with_mask=True) with the image
# (mmautoaug.DetPolicyAugment).
#
#   data/my_coco/annotations/train.json, val.json   (COCO json: images,
#   annotations with bbox [x, y, w, h], categories with the names below)
#   data/my_coco/train/*.jpg, data/my_coco/val/*.jpg
#
# Edit the first block, then:
#   python tools/train.py \
#       configs/templates/faster-rcnn_r50_fpn_custom-coco_policy-aug.py
# For RetinaNet or Mask R-CNN put their stock config in _base_ and the class
# count where that model holds it (bbox_head for RetinaNet; bbox_head and
# mask_head for Mask R-CNN, with with_mask = True).

# ---- edit these ------------------------------------------------------------
data_root = 'data/my_coco/'  # folder with the annotation files and images
classes = ('cat', 'dog')  # category names, as in the json's "categories"
train_ann = 'annotations/train.json'  # relative to data_root
train_images = 'train/'
val_ann = 'annotations/val.json'
val_images = 'val/'
# a searched policy (work_dirs/<search>/policy.json) or a zoo name
policy = 'autoaugment_imagenet'
image_scale = (1333, 800)  # (long, short) side the images are resized to
with_mask = False  # load instance masks too (Mask R-CNN)
# a backbone pretrained with the policy (configs/pretrain/ +
# tools/model_converters/cls2det_backbone.py); None: torchvision's ImageNet
backbone_checkpoint = None
# ---- how long, how big ------------------------------------------------------
batch_size = 2  # per GPU (the stock 1x schedule: 8 GPUs x 2 images)
max_epochs = 12
num_workers = 2
# -----------------------------------------------------------------------------

_base_ = ['mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py']
custom_imports = dict(
    imports=['mmautoaug.detection'], allow_failed_imports=False)

metainfo = dict(classes=classes)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=with_mask),
    dict(type='Resize', scale=image_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    # after the flip, before packing: boxes and masks follow every op
    dict(type='mmautoaug.DetPolicyAugment', policy=policy),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=image_scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor')),
]
train_dataloader = dict(
    batch_size=batch_size, num_workers=num_workers,
    dataset=dict(data_root=data_root, metainfo=metainfo, ann_file=train_ann,
                 data_prefix=dict(img=train_images), pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=num_workers,
    dataset=dict(data_root=data_root, metainfo=metainfo, ann_file=val_ann,
                 data_prefix=dict(img=val_images), pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + val_ann)
test_evaluator = val_evaluator

# the stock initialisation (torchvision's ImageNet ResNet-50) or yours
backbone_init = dict(
    type='Pretrained', checkpoint='torchvision://resnet50'
) if backbone_checkpoint is None else dict(
    type='Pretrained', prefix='backbone.', checkpoint=backbone_checkpoint)
model = dict(
    backbone=dict(init_cfg=backbone_init),
    roi_head=dict(bbox_head=dict(num_classes=len(classes))))
# the stock 1x schedule's steps (epochs 8 and 11 of 12), scaled
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
         end=500),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[max_epochs * 2 // 3, max_epochs * 11 // 12], gamma=0.1)
]
