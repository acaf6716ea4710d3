# Copyright (c) mmautoaug contributors. All rights reserved.
"""DADA search end to end: Runner, policy files, exact resume."""
import copy
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from mmautoaug.policy import Policy
from mmautoaug.utils import register_all_modules

NUM_CLASSES = 4
CLASSIFIER = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(type='WideResNet', depth=10, widen_factor=1),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(
        type='mmpretrain.LinearClsHead',
        num_classes=NUM_CLASSES,
        in_channels=64,
        loss=dict(type='mmpretrain.CrossEntropyLoss')))


def make_image_folder(root, per_class=8, size=16):
    """Class folders of small PNGs: class k is a bright square at corner k."""
    rng = np.random.default_rng(0)
    for k in range(NUM_CLASSES):
        os.makedirs(osp.join(root, str(k)), exist_ok=True)
        for i in range(per_class):
            img = rng.integers(0, 80, (size, size, 3), dtype=np.uint8)
            y, x = divmod(k, 2)
            img[y * 8:y * 8 + 8, x * 8:x * 8 + 8] += 150
            cv2.imwrite(osp.join(root, str(k), f'{i}.png'), img)


def search_cfg(data_root, work_dir, max_epochs, name):
    data = dict(
        type='mmpretrain.CustomDataset',
        data_root=data_root,
        with_label=True,
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='mmpretrain.PackInputs')
        ])
    half = dict(
        type='StratifiedSplitDataset',
        part='train',
        heldout=16,
        seed=0,
        dataset=data)

    def loader(part):
        return dict(
            batch_size=8,
            num_workers=0,
            dataset=dict(half, part=part),
            sampler=dict(type='DefaultSampler', shuffle=True))

    return Config(
        dict(
            default_scope='mmautoaug',
            experiment_name=name,
            work_dir=work_dir,
            model=dict(
                type='DADASearchModel',
                classifier=CLASSIFIER,
                topk=10,
                data_preprocessor=dict(
                    type='AugmentDataPreprocessor',
                    defer_normalize=True,
                    num_classes=NUM_CLASSES,
                    mean=[100.0] * 3,
                    std=[60.0] * 3)),
            train_dataloader=loader('train'),
            train_cfg=dict(
                type='DADASearchLoop',
                max_epochs=max_epochs,
                search_dataloader=loader('heldout')),
            optim_wrapper=dict(
                constructor='SubmoduleOptimWrapperConstructor',
                classifier=dict(
                    type='OptimWrapper',
                    optimizer=dict(
                        type='SGD', lr=0.1, momentum=0.9, weight_decay=2e-4)),
                policy=dict(
                    type='OptimWrapper',
                    optimizer=dict(
                        type='Adam',
                        lr=0.005,
                        betas=(0.5, 0.999),
                        weight_decay=0))),
            # T_max fixed (not max_epochs) so an interrupted run has the same
            # schedule as the uninterrupted one
            param_scheduler=dict(
                classifier=dict(
                    type='CosineAnnealingLR',
                    T_max=2,
                    by_epoch=True,
                    begin=0,
                    end=2,
                    convert_to_iter_based=True),
                policy=[]),
            custom_hooks=[dict(type='PolicyExportHook')],
            default_hooks=dict(
                logger=dict(type='LoggerHook', interval=1),
                checkpoint=dict(type='CheckpointHook', interval=1)),
            randomness=dict(seed=0),
            log_level='WARNING',
        ))


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    register_all_modules()
    root = str(tmp_path_factory.mktemp('dada_images'))
    make_image_folder(root)
    return root


def test_search_writes_policy_and_resumes_exactly(data_root, tmp_path):
    # uninterrupted: 2 epochs
    full = Runner.from_cfg(
        search_cfg(data_root, str(tmp_path / 'full'), 2, 'dada_full'))
    full.train()
    for name in ('policy.json', 'policy_epoch_1.json', 'policy_epoch_2.json'):
        assert osp.isfile(tmp_path / 'full' / name)
    policy = Policy.load(str(tmp_path / 'full' / 'policy.json'))
    assert policy.space_name == 'fastaa' and len(policy) == 10
    with open(tmp_path / 'full' / 'policy.json') as f:
        assert json.load(f)['meta']['epoch'] == 2
    model = full.model
    assert not torch.allclose(model.policy.magnitudes,
                              torch.full_like(model.policy.magnitudes, 0.5))
    assert int(model.step_count) == 4  # 2 epochs x (8 images / batch 8)
    expected = copy.deepcopy(model.state_dict())

    # interrupted after epoch 1, then resumed from its checkpoint
    part = Runner.from_cfg(
        search_cfg(data_root, str(tmp_path / 'part'), 1, 'dada_part'))
    part.train()
    cfg = search_cfg(data_root, str(tmp_path / 'part'), 2, 'dada_resumed')
    cfg.resume = True
    cfg.load_from = str(tmp_path / 'part' / 'epoch_1.pth')
    resumed = Runner.from_cfg(cfg)
    resumed.train()
    got = resumed.model.state_dict()
    assert set(got) == set(expected)
    for key in expected:
        torch.testing.assert_close(got[key], expected[key], msg=key)
