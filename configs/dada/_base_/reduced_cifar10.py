# Reduced CIFAR-10 of the policy-search papers: 4,000 training images
# (stratified, seed 0), split in two halves of 2,000: half A trains the
# network, half B is the policy's validation data. As the authors' search
# (search_relax/dataset.py): half A is cropped and flipped on the CPU, the
# searched ops and Cutout then run on the device inside the DADA step; half
# B is not augmented at all.
dataset_type = 'mmpretrain.CIFAR10'
data_root = 'data/cifar10'
num_images = 4000
train_pipeline = [
    dict(type='mmpretrain.RandomCrop', crop_size=32, padding=4),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='mmpretrain.PackInputs'),
]
val_pipeline = [dict(type='mmpretrain.PackInputs')]
# the same 4,000 images twice (the split depends on the labels and the seed
# only), once with each pipeline
reduced = dict(
    type='StratifiedSplitDataset', part='heldout', heldout=num_images,
    seed=0,
    dataset=dict(type=dataset_type, data_root=data_root, split='train',
                 pipeline=train_pipeline))
reduced_val = dict(reduced, dataset=dict(reduced['dataset'],
                                         pipeline=val_pipeline))
half_a = dict(type='StratifiedSplitDataset', part='train',
              heldout=num_images // 2, seed=0, dataset=reduced)
half_b = dict(half_a, part='heldout', dataset=reduced_val)

train_dataloader = dict(
    batch_size=128, num_workers=4, persistent_workers=False,
    dataset=half_a, sampler=dict(type='DefaultSampler', shuffle=True))
search_dataloader = dict(
    batch_size=128, num_workers=4, persistent_workers=False,
    dataset=half_b, sampler=dict(type='DefaultSampler', shuffle=True))
