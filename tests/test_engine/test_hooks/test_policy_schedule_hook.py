# Copyright (c) mmautoaug contributors. All rights reserved.
"""PolicyScheduleHook: a Runner replays a schedule epoch by epoch, with
persistent data-loader workers."""
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.model import BaseModel

from mmautoaug.policy import Policy

#: schedule epoch -> (op, prob), and the grey level 40 after it
EPOCHS = {1: ('Invert', 1.0), 2: ('Invert', 0.0), 3: ('Posterize', 1.0)}
GREY = {1: 215, 2: 40, 3: 32}


class GreyRecorder(BaseModel):
    """Records the set of pixel values of every training batch."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(()))
        self.batches = []

    def forward(self, inputs, data_samples=None, mode='tensor'):
        self.batches.append(sorted({int(v) for x in inputs
                                    for v in x.unique()}))
        return dict(loss=self.weight * 0.0)


def _data(root, n=8):
    import mmcv
    for i in range(n):
        mmcv.imwrite(np.full((6, 6, 3), 40, np.uint8),
                     osp.join(root, 'grey', f'{i}.png'))
    return root


def _schedule(folder):
    for epoch, (op, prob) in EPOCHS.items():
        Policy('autoaugment', [[(op, prob, 0.0)]]).save(
            osp.join(folder, 'policy_schedule', f'epoch_{epoch:04d}.json'))
    return osp.join(folder, 'policy_schedule')


def _runner(tmp_path, hooks, max_epochs, workers=2):
    from mmengine.runner import Runner

    from mmautoaug.utils import register_all_modules
    register_all_modules()
    pipeline = [
        dict(type='mmpretrain.LoadImageFromFile'),
        dict(type='mmautoaug.PolicyAugment',
             schedule=_schedule(str(tmp_path)), channel_order='bgr'),
        dict(type='mmpretrain.PackInputs'),
    ]
    return Runner(
        model=GreyRecorder(),
        work_dir=str(tmp_path / 'work'),
        train_dataloader=dict(
            batch_size=4, num_workers=workers,
            persistent_workers=workers > 0,
            sampler=dict(type='DefaultSampler', shuffle=False),
            dataset=dict(type='mmpretrain.CustomDataset',
                         data_root=_data(str(tmp_path / 'data')),
                         pipeline=pipeline)),
        train_cfg=dict(by_epoch=True, max_epochs=max_epochs),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        custom_hooks=hooks,
        default_hooks=dict(checkpoint=None, logger=dict(
            type='LoggerHook', interval=1)),
        env_cfg=dict(mp_cfg=dict(mp_start_method='fork')),
        default_scope='mmautoaug')


@pytest.mark.parametrize('align, expected, workers', [
    ('epoch', [1, 2, 3, 3], 2),
    ('stretch', [1, 1, 2, 2, 3, 3], 0),  # ceil(e * 3 / 6)
])
def test_each_epoch_trains_on_its_schedule_policy(tmp_path, align,
                                                  expected, workers):
    runner = _runner(tmp_path, [dict(type='mmautoaug.PolicyScheduleHook',
                                     align=align)],
                     max_epochs=len(expected), workers=workers)
    runner.train()
    batches = runner.model.batches
    assert len(batches) == len(expected) * 2  # 8 images, batch 4
    # both batches of every epoch show that epoch's schedule policy, so the
    # switch reached the two persistent workers before the first batch
    assert batches == [[GREY[e]] for e in expected for _ in range(2)]


def test_without_the_hook_the_pipeline_says_what_is_missing(tmp_path):
    runner = _runner(tmp_path, [], max_epochs=1, workers=0)
    with pytest.raises(RuntimeError, match='PolicyScheduleHook'):
        runner.train()


def test_the_hook_needs_a_scheduled_transform(tmp_path):
    from mmengine.runner import Runner

    from mmautoaug.engine.hooks import PolicyScheduleHook
    from mmautoaug.utils import register_all_modules
    register_all_modules()
    with pytest.raises(ValueError, match='align'):
        PolicyScheduleHook(align='cycle')
    runner = Runner(
        model=GreyRecorder(), work_dir=str(tmp_path / 'work'),
        train_dataloader=dict(
            batch_size=4, num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=False),
            dataset=dict(type='mmpretrain.CustomDataset',
                         data_root=_data(str(tmp_path / 'data')),
                         pipeline=[dict(type='mmpretrain.PackInputs')])),
        train_cfg=dict(by_epoch=True, max_epochs=1),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        custom_hooks=[dict(type='mmautoaug.PolicyScheduleHook')],
        default_hooks=dict(checkpoint=None), default_scope='mmautoaug')
    with pytest.raises(RuntimeError, match='no PolicyAugment'):
        runner.train()
