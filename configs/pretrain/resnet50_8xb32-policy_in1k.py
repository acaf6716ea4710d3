# ResNet-50 on ImageNet with the policy in the train pipeline: the backbone
# DADA's paper pretrains before fine-tuning COCO detectors. After training,
# turn the checkpoint into a detector backbone:
#   python tools/model_converters/cls2det_backbone.py \
#       work_dirs/resnet50_8xb32-policy_in1k/epoch_100.pth \
#       work_dirs/resnet50_8xb32-policy_in1k/backbone.pth --check-depth 50
# and train configs/detection/*_r50-policy-pre_*.py.
_base_ = ['mmpretrain::resnet/resnet50_8xb32_in1k.py']

custom_imports = dict(
    imports=['mmautoaug.datasets'], allow_failed_imports=False)
# A zoo name, or the policy.json a search wrote
# (work_dirs/<search>/policy.json);
# DADA's own ImageNet policy is the zoo's 'dada_imagenet'.
policy = 'autoaugment_imagenet'

# mmpretrain's stock ImageNet pipeline with the policy after the flip.
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=224),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    # LoadImageFromFile reads BGR: tell the ops which channel is red.
    dict(type='mmautoaug.PolicyAugment', policy=policy, channel_order='bgr'),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
