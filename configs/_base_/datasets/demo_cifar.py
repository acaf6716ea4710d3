# The embedded demo classification set (mmautoaug.DemoCIFAR10): scikit-learn's
# 1797 handwritten digits, coloured and placed at random in 32x32 images,
# written in the exact CIFAR-10 python layout and loaded by mmpretrain's
# CIFAR10 code: 1500 train / 297 test images, classes 'zero' to 'nine'.
#   data/demo_cifar/cifar-10-batches-py/{data_batch_1..5,test_batch,...}
# Built on first use (or by tools/misc/build_demo_data.py).
dataset_type = 'DemoCIFAR10'
data_root = 'data/demo_cifar'
data_preprocessor = dict(
    type='mmpretrain.ClsDataPreprocessor',
    num_classes=10,
    # RGB mean / std of the demo training set
    mean=[176.895, 176.534, 176.641],
    std=[53.026, 52.789, 52.966],
    to_rgb=False)

# Padded random crop only: mirrored digits change meaning.
train_pipeline = [
    dict(type='mmpretrain.RandomCrop', crop_size=32, padding=4),
    dict(type='mmpretrain.PackInputs'),
]
test_pipeline = [dict(type='mmpretrain.PackInputs')]

train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=128,
    num_workers=2,
    persistent_workers=True,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='test',
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='mmpretrain.Accuracy', topk=(1, ))

test_dataloader = val_dataloader
test_evaluator = val_evaluator
