# Train ResNet-50 on ImageNet replaying an Adversarial AutoAugment ImageNet
# schedule (configs/advaa/advaa_resnet50_8xb32_in1k.py writes it), e.g. to
# pretrain a backbone for detection: stretched over this 270-epoch recipe
# (each of the 120 search epochs replayed for about 2.25 epochs), after the
# random-resized crop and flip; no Cutout (the ImageNet recipes have none).
# The checkpoint becomes a detector backbone with
#   python tools/model_converters/cls2det_backbone.py \
#       work_dirs/resnet50_advaa-schedule_8xb32_in1k/epoch_270.pth \
#       backbone.pth --check-depth 50
# The single-file alternative is PolicyAugment(policy='<search
# work_dir>/policy_transfer.json') without the hook.
_base_ = ['../baseline/resnet50_8xb32_in1k.py']

schedule = 'work_dirs/advaa_resnet50_8xb32_in1k/policy_schedule'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmpretrain.RandomResizedCrop', scale=224),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    # LoadImageFromFile reads BGR: tell the ops which channel is red
    dict(type='PolicyAugment', schedule=schedule, channel_order='bgr'),
    dict(type='mmpretrain.PackInputs'),
]
train_dataloader = dict(
    persistent_workers=True, dataset=dict(pipeline=train_pipeline))
custom_hooks = [dict(type='PolicyScheduleHook', align='stretch')]
