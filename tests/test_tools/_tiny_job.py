# Copyright (c) mmautoaug contributors. All rights reserved.
"""A tiny, real-format classification job for the tool tests."""
import os.path as osp

import numpy as np


def make_image_folder(root: str, num_classes: int = 2, per_class: int = 8,
                      size: int = 16) -> str:
    """Write class-per-folder PNGs (mmpretrain's CustomDataset layout)."""
    import mmcv
    rng = np.random.default_rng(0)
    for c in range(num_classes):
        for i in range(per_class):
            img = rng.integers(0, 60, (size, size, 3), dtype=np.uint8)
            img[..., c % 3] += np.uint8(150)  # the class is the bright channel
            mmcv.imwrite(img, osp.join(root, f'class{c}', f'{i:03d}.png'))
    return root


def write_config(path: str, data_root: str, max_epochs: int = 2,
                 backend: str = 'gloo') -> str:
    """A complete MMEngine config: WRN-10-1 on the image folder, SGD + cosine."""
    pipeline = [
        dict(type='mmpretrain.LoadImageFromFile'),
        dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
        dict(type='mmpretrain.PackInputs'),
    ]
    loader = dict(
        batch_size=4, num_workers=0,
        sampler=dict(type='DefaultSampler', shuffle=True),
        dataset=dict(type='mmpretrain.CustomDataset', data_root=data_root,
                     pipeline=pipeline))
    cfg = dict(
        default_scope='mmautoaug',
        model=dict(
            type='mmpretrain.ImageClassifier',
            data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor',
                                   num_classes=2, mean=[127.5] * 3,
                                   std=[127.5] * 3),
            backbone=dict(type='mmautoaug.WideResNet', depth=10,
                          widen_factor=1),
            neck=dict(type='mmpretrain.GlobalAveragePooling'),
            head=dict(type='mmpretrain.LinearClsHead', num_classes=2,
                      in_channels=64,
                      loss=dict(type='mmpretrain.CrossEntropyLoss'))),
        train_dataloader=loader,
        train_cfg=dict(by_epoch=True, max_epochs=max_epochs),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9,
                                          weight_decay=5e-4)),
        param_scheduler=[dict(type='CosineAnnealingLR', T_max=2, begin=0, end=2,
                              by_epoch=True)],
        custom_hooks=[dict(type='mmautoaug.RandomStateHook')],
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=1),
                           logger=dict(type='LoggerHook', interval=1)),
        env_cfg=dict(cudnn_benchmark=False, dist_cfg=dict(backend=backend)),
        randomness=dict(seed=0, deterministic=False),
        log_level='WARNING',
    )
    from mmengine.config import Config
    Config(cfg).dump(path)
    return path
