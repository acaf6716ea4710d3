# CIFAR-10's 50k training images split into 40k (train) and 10k (held-out,
# the reward), stratified and seeded: the same split for stage 1, stage 2,
# every rank and every re-run (mmautoaug.StratifiedSplitDataset).
dataset_type = 'mmpretrain.CIFAR10'
data_root = 'data/cifar10'
num_classes = 10
heldout = 10000
split_seed = 0

# The crop and flip run per image on the CPU; the AWS pairs run on the device
# inside the training step (AWSImageClassifier), before normalisation.
train_pipeline = [
    dict(type='mmpretrain.RandomCrop', crop_size=32, padding=4),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='mmpretrain.PackInputs'),
]
test_pipeline = [dict(type='mmpretrain.PackInputs')]

train_dataset = dict(
    type='StratifiedSplitDataset', part='train', heldout=heldout,
    seed=split_seed,
    dataset=dict(type=dataset_type, data_root=data_root, split='train',
                 pipeline=train_pipeline))
heldout_dataset = dict(
    type='StratifiedSplitDataset', part='heldout', heldout=heldout,
    seed=split_seed,
    dataset=dict(type=dataset_type, data_root=data_root, split='train',
                 pipeline=test_pipeline))

train_dataloader = dict(
    batch_size=128,
    num_workers=4,
    dataset=train_dataset,
    sampler=dict(type='DefaultSampler', shuffle=True))
# stage 1 validates on the held-out part like any mmpretrain run
val_dataloader = dict(
    batch_size=256,
    num_workers=4,
    dataset=heldout_dataset,
    sampler=dict(type='DefaultSampler', shuffle=False))
val_evaluator = dict(type='mmpretrain.Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
# stage 2: every rank evaluates its own fine-tuned copy on the whole part
heldout_dataloader = dict(
    batch_size=256,
    num_workers=4,
    dataset=heldout_dataset,
    sampler=dict(type='RankLocalSampler', shuffle=False))
