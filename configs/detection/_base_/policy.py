# The policy and the policy-pretrained backbone every config of this folder
# uses: point them at your own search here (or per config).
custom_imports = dict(
    imports=['mmautoaug.detection'], allow_failed_imports=False)
# A zoo name, or the policy.json a search wrote
# (work_dirs/<search>/policy.json);
# DADA's own ImageNet policy is not bundled (see mmautoaug/policy/zoo.py).
policy = 'autoaugment_imagenet'
# The detection-side policy step, placed after RandomFlip, before packing.
policy_step = dict(type='mmautoaug.DetPolicyAugment', policy=policy)
# The same where masks are loaded: boxes are taken from the moved masks
# (recompute_bbox), tight after Rotate / Shear, where the moved corners of a
# box enclose background (tools/benchmark/det_box_quality.py measures it).
policy_mask_step = dict(
    type='mmautoaug.DetPolicyAugment', policy=policy, recompute_bbox=True)
# mmdet's stock COCO train pipelines (_base_/datasets/coco_detection.py and
# coco_instance.py) with the policy step.
policy_det_train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    policy_step,
    dict(type='PackDetInputs')
]
policy_ins_train_pipeline = [
    policy_det_train_pipeline[0],
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    *policy_det_train_pipeline[2:4],
    policy_mask_step,
    dict(type='PackDetInputs')
]
# A ResNet-50 trained with configs/pretrain/resnet50_8xb32-policy_in1k.py and
# converted by tools/model_converters/cls2det_backbone.py.
policy_backbone = 'work_dirs/resnet50_8xb32-policy_in1k/backbone.pth'
policy_backbone_init = dict(
    type='Pretrained', prefix='backbone.', checkpoint=policy_backbone)
