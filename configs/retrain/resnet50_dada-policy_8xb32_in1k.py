# Retrain ResNet-50 on ImageNet with the policy a DADA search found on the
# reduced ImageNet (per image: one sub-policy uniformly, each op with its
# learned probability and magnitude), 270 epochs, 8 GPUs x 32 (DADA's
# ImageNet recipe, after Fast AutoAugment). The train pipeline is the
# authors' (fast-autoaugment/FastAutoAugment/data.py with confs/
# resnet50_b1024_test.yaml): random-resized crop (bicubic), flip, the policy,
# ColorJitter 0.4, Lighting (AlexNet PCA, std 0.1); no Cutout.
_base_ = ['../baseline/resnet50_8xb32_in1k.py']

# The search's output. policy='dada_imagenet' (the zoo entry) replays the
# authors' published ImageNet policy instead.
policy = 'work_dirs/dada-search_resnet50_1xb32_reduced-in1k/policy.json'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmpretrain.RandomResizedCrop', scale=224,
         interpolation='bicubic'),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    # LoadImageFromFile reads BGR: tell the ops which channel is red
    dict(type='PolicyAugment', policy=policy, channel_order='bgr'),
    # mmpretrain's ColorJitter assumes BGR images, as loaded
    dict(type='mmpretrain.ColorJitter', brightness=0.4, contrast=0.4,
         saturation=0.4),
    # Lighting casts its result back to the input's dtype, which wraps uint8
    # values pushed past 0 or 255; float32 keeps them, as the authors' float
    # tensors (mmcv's Normalize with mean 0, std 1 only converts)
    dict(type='mmcv.Normalize', mean=[0, 0, 0], std=[1, 1, 1],
         to_rgb=False),
    # ImageNet's RGB PCA scaled to [0, 255], eigenvector rows in BGR order
    # (row c is added to channel c; to_rgb=False keeps the BGR image)
    dict(type='mmpretrain.Lighting',
         eigval=[0.2175 * 255, 0.0188 * 255, 0.0045 * 255],
         eigvec=[[-0.5836, -0.6948, 0.4203], [-0.5808, -0.0045, -0.8140],
                 [-0.5675, 0.7192, 0.4009]],
         alphastd=0.1, to_rgb=False),
    dict(type='mmpretrain.PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
