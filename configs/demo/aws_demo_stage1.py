# AWS demo, stage 1, on the embedded demo set (no download): a WRN-10-1
# trained 30 epochs under the uniform pair distribution on 1200 of the 1500
# demo training images (stratified, seeded), 300 held out for the reward.
# Two idle CPU cores: about one minute; 77-94% held-out top-1 depending on
# the data order (6 epochs left it at chance: two random ops on every image
# need the steps). Then:
#   python tools/train.py configs/demo/aws_demo_search.py
#   python tools/train.py configs/demo/aws_demo_retrain.py
_base_ = ['../aws/_base_/aws_runtime.py']

demo = dict(type='DemoCIFAR10', data_root='data/demo_cifar', split='train')
# padded random crop only: mirrored digits change meaning
train_pipeline = [
    dict(type='mmpretrain.RandomCrop', crop_size=32, padding=4),
    dict(type='mmpretrain.PackInputs'),
]
test_pipeline = [dict(type='mmpretrain.PackInputs')]
heldout_dataset = dict(type='StratifiedSplitDataset', part='heldout',
                       heldout=300, seed=0,
                       dataset=dict(demo, pipeline=test_pipeline))
# small batches: the demo set is small and a net from scratch needs steps
train_dataloader = dict(
    batch_size=32, num_workers=0,
    dataset=dict(type='StratifiedSplitDataset', part='train', heldout=300,
                 seed=0, dataset=dict(demo, pipeline=train_pipeline)),
    sampler=dict(type='DefaultSampler', shuffle=True))
val_dataloader = dict(batch_size=150, num_workers=0, dataset=heldout_dataset,
                      sampler=dict(type='DefaultSampler', shuffle=False))
val_evaluator = dict(type='mmpretrain.Accuracy', topk=(1, ))
heldout_dataloader = dict(batch_size=150, num_workers=0,
                          dataset=heldout_dataset,
                          sampler=dict(type='RankLocalSampler',
                                       shuffle=False))

model = dict(
    type='AWSImageClassifier',
    space='aws',
    data_preprocessor=dict(
        type='AugmentDataPreprocessor', defer_normalize=True, num_classes=10,
        # RGB mean / std of the demo training set
        mean=[128.811, 126.285, 128.295], std=[70.506, 76.804, 70.494],
        to_rgb=False),
    backbone=dict(type='WideResNet', depth=10, widen_factor=1),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(type='mmpretrain.LinearClsHead', num_classes=10,
              in_channels=64,
              loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0)))

# cosine over 6 + 2 epochs, stopped at 6: stage 2 fine-tunes 2 epochs at the
# learning rate stage 1 ends with (as the CIFAR configs do with 200 + 10)
max_epochs = 30
finetune_epochs = 2
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=5e-4,
                   nesterov=True))
param_scheduler = dict(type='CosineAnnealingLR',
                       T_max=max_epochs + finetune_epochs, by_epoch=True,
                       begin=0, end=max_epochs + finetune_epochs)
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=10)
val_cfg = dict()
# every rank draws its own pairs (torch's default generator, seeded per rank)
randomness = dict(seed=0, diff_rank_seed=True, deterministic=False)
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(type='CheckpointHook', interval=max_epochs,
                    save_last=True))
