# Copyright (c) mmautoaug contributors. All rights reserved.
"""AWS end to end on CPU: stage 1 with MMEngine's loop, stage 2 with
AWSSearchLoop (fresh copies of the shared weights, outputs, resume)."""
import copy
import hashlib
import importlib.util
import json
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.hooks import Hook
from mmengine.runner import Runner
from mmpretrain.datasets import BaseDataset

from mmautoaug.models.policy_models import AWSController
from mmautoaug.policy import Policy
from mmautoaug.registry import DATASETS, MODELS
from mmautoaug.search.aws.export import (BEST_CONTROLLER_FILE, HISTORY_FILE,
                                         STATE_FILE, STEP_CONTROLLER_DIR)
from mmautoaug.utils import register_all_modules

register_all_modules()


@DATASETS.register_module(force=True)
class _AWSTinyStripes(BaseDataset):
    """16x16 noise images, class 0 reddish, class 1 bluish."""

    METAINFO = dict(classes=('red', 'blue'))

    def __init__(self, num=40, **kwargs):
        self.num = num
        super().__init__(ann_file='', lazy_init=False, **kwargs)

    def load_data_list(self):
        rng = np.random.default_rng(0)
        data = []
        for i in range(self.num):
            img = rng.integers(0, 100, (16, 16, 3), dtype=np.uint8)
            label = i % 2
            img[..., 0 if label == 0 else 2] += 12  # a faint cue
            data.append(dict(img=img, gt_label=label))
        return data


@MODELS.register_module(force=True)
class _AWSTinyNet(nn.Module):

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)

    def init_weights(self):
        pass

    def forward(self, x):
        return (torch.relu(self.bn(self.conv(x))), )


def _loader(part, sampler='DefaultSampler', shuffle=True):
    return dict(
        batch_size=8, num_workers=0,
        dataset=dict(type='StratifiedSplitDataset', part=part, heldout=12,
                     seed=0,
                     dataset=dict(type='_AWSTinyStripes',
                                  pipeline=[dict(type='mmpretrain.PackInputs')])),
        sampler=dict(type=sampler, shuffle=shuffle))


MODEL = dict(
    type='AWSImageClassifier',
    data_preprocessor=dict(type='AugmentDataPreprocessor',
                           defer_normalize=True, num_classes=2,
                           mean=[64.0] * 3, std=[64.0] * 3),
    backbone=dict(type='_AWSTinyNet'),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(type='mmpretrain.LinearClsHead', num_classes=2, in_channels=4,
              loss=dict(type='mmpretrain.CrossEntropyLoss')))
OPTIM = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9))
# log every other iteration: the log processor reads the loop's counters
QUIET = dict(logger=dict(type='LoggerHook', interval=2))


def _hash(state: dict) -> str:
    digest = hashlib.sha1()
    for key in sorted(state):
        value = state[key]
        if isinstance(value, dict):
            digest.update(_hash(value).encode())
        elif torch.is_tensor(value):
            digest.update(key.encode())
            digest.update(value.detach().cpu().contiguous().numpy().tobytes())
        else:
            digest.update(f'{key}={value}'.encode())
    return digest.hexdigest()


def _optim_hash(optimizer) -> str:
    return _hash({str(k): v for k, v in optimizer.state_dict()['state'].items()})


@pytest.fixture(scope='module')
def stage1(tmp_path_factory):
    """Stage 1: 2 epochs, the lr stepped once to 0.05; weights + momentum."""
    work_dir = str(tmp_path_factory.mktemp('aws_stage1'))
    runner = Runner(
        model=copy.deepcopy(MODEL), work_dir=work_dir,
        train_dataloader=_loader('train'),
        train_cfg=dict(by_epoch=True, max_epochs=2),
        optim_wrapper=OPTIM,
        param_scheduler=dict(type='MultiStepLR', milestones=[1], gamma=0.5,
                             by_epoch=True),
        default_hooks=dict(QUIET, checkpoint=dict(type='CheckpointHook',
                                                  interval=2)),
        randomness=dict(seed=0), default_scope='mmautoaug',
        experiment_name='aws_stage1')
    runner.train()
    usage = runner.model.pair_usage
    # stage 1 samples ordered pairs uniformly: every image drew one pair
    assert int(usage.sum()) == 2 * 28
    return work_dir


class _Recorder(Hook):
    """Hashes of the weights / optimiser state around every step."""

    def __init__(self):
        self.starts, self.ends, self.lrs, self.controllers = [], [], [], []

    def before_train(self, runner):
        loop = runner.train_loop
        self.resumed_at = loop.step
        self.resumed_controller = _hash(loop.controller.state_dict())

    def before_train_epoch(self, runner):
        loop = runner.train_loop
        if loop.finetune_epoch == 0:
            self.starts.append((_hash(loop.model.state_dict()),
                                _optim_hash(runner.optim_wrapper)))
            self.lrs.append(runner.optim_wrapper.get_lr()['lr'])
            self.controllers.append(_hash(loop.controller.state_dict()))

    def after_train_epoch(self, runner):
        loop = runner.train_loop
        if loop.finetune_epoch == loop.finetune_epochs - 1:
            self.ends.append((_hash(loop.model.state_dict()),
                              _optim_hash(runner.optim_wrapper)))


def _search(stage1_dir, work_dir, num_steps, resume=False, seed=0,
            finetune_epochs=2):
    recorder = _Recorder()
    runner = Runner(
        model=copy.deepcopy(MODEL), work_dir=work_dir,
        train_dataloader=_loader('train', 'RankLocalSampler'),
        train_cfg=dict(
            type='AWSSearchLoop',
            heldout_dataloader=_loader('heldout', 'RankLocalSampler', False),
            shared_checkpoint=stage1_dir, num_steps=num_steps,
            finetune_epochs=finetune_epochs,
            controller=dict(type='AWSController'),
            controller_optimizer=dict(type='Adam', lr=0.5),
            controller_scheduler=dict(type='LinearLR', start_factor=0.125,
                                      end=11, by_epoch=False),
            export_topk=(5, )),
        optim_wrapper=OPTIM, default_hooks=dict(QUIET, checkpoint=None),
        custom_hooks=[recorder], resume=resume, randomness=dict(seed=seed),
        default_scope='mmautoaug', experiment_name=f'aws_{num_steps}_{resume}')
    runner.train()
    return runner, recorder


def _policy_tool(name):
    path = osp.join(osp.dirname(osp.dirname(osp.dirname(
        osp.abspath(__file__)))), 'tools', 'policy', f'{name}.py')
    spec = importlib.util.spec_from_file_location(f'policy_tool_{name}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _checkpoint(stage1_dir):
    with open(osp.join(stage1_dir, 'last_checkpoint')) as f:
        return torch.load(f.read().strip(), map_location='cpu',
                          weights_only=False)


def test_every_step_fine_tunes_a_fresh_copy_of_the_shared_weights(
        stage1, tmp_path):
    runner, rec = _search(stage1, str(tmp_path), num_steps=3)
    ckpt = _checkpoint(stage1)
    shared = (_hash(ckpt['state_dict']),
              _hash({str(k): v for k, v in ckpt['optimizer']['state'].items()}))
    # every step starts from exactly the stage-1 weights AND momentum
    assert rec.starts == [shared] * 3
    # ... really fine-tunes them (weights and optimiser state move) ...
    for end in rec.ends:
        assert end[0] != shared[0] and end[1] != shared[1]
    # ... and each copy ends elsewhere (its own pair draws and data order)
    assert len({end[0] for end in rec.ends}) == 3
    # at stage 1's final learning rate, held constant
    assert rec.lrs == [[0.05]] * 3
    assert runner.optim_wrapper.get_lr()['lr'] == [0.05]
    history = json.load(open(tmp_path / HISTORY_FILE))
    # PPO moved the controller exactly when the advantage was not zero
    for k in range(2):
        moved = rec.controllers[k + 1] != rec.controllers[k]
        assert moved == (history[k]['advantage'] != 0.0)
    assert [h['step'] for h in history] == [0, 1, 2]
    for h in history:
        assert len(h['accuracies']) == 2
        assert h['reward'] == pytest.approx(np.mean(h['accuracies']))
        assert 0.0 <= h['reward'] <= 1.0
        assert h['pairs_used'] == 2 * 28  # 2 epochs x 28 training images
        assert (h['ppo_steps'] == 0) == (h['advantage'] == 0.0)
        assert h['ppo_steps'] <= 5
    # the running baseline starts at the first reward and absorbs every
    # reward before the advantage is taken (the authors' order)
    assert history[0]['advantage'] == 0.0 and history[0]['ppo_steps'] == 0
    baseline = history[0]['reward']
    for h in history[1:]:
        baseline = 0.9 * baseline + 0.1 * h['reward']
        assert h['baseline'] == pytest.approx(baseline)
        assert h['advantage'] == pytest.approx(h['reward'] - baseline)

    # policy.json: the best evaluated controller; policy_last.json: the
    # latest one
    best = torch.load(tmp_path / BEST_CONTROLLER_FILE)
    assert best['reward'] == max(h['reward'] for h in history)
    assert history[best['step']]['reward'] == best['reward']
    assert best['step'] == min(k for k, h in enumerate(history)
                               if h['reward'] == best['reward'])
    assert _hash(best['state_dict']) == rec.controllers[best['step']]
    loop = runner.train_loop
    for name, state in (('policy', best['state_dict']),
                        ('policy_last', loop.controller.state_dict())):
        ctrl = AWSController()
        ctrl.load_state_dict(state)
        probs = ctrl.pair_probs().detach().flatten()
        policy = Policy.load(str(tmp_path / f'{name}.json'))
        assert policy.space_name == 'aws' and len(policy) == 36 * 36
        assert all(len(sub) == 2 and sub[0].prob == sub[1].prob == 1.0
                   for sub in policy.sub_policies)
        assert sum(policy.weights) == pytest.approx(1.0)
        assert max(policy.weights) == pytest.approx(float(probs.max()),
                                                    rel=1e-5)
        top5 = Policy.load(str(tmp_path / f'{name}_top5.json'))
        top = sorted(probs.tolist(), reverse=True)[:5]
        assert top5.weights == pytest.approx([p / sum(top) for p in top])
        assert top5.sub_policies[0] == policy.sub_policies[0]
    assert Policy.load(str(tmp_path / 'policy.json')).meta['step'] == \
        best['step']
    # every evaluated controller is kept
    for k in range(3):
        saved = torch.load(tmp_path / STEP_CONTROLLER_DIR /
                           f'step_{k:04d}.pth')
        assert _hash(saved['state_dict']) == rec.controllers[k]
        assert saved['reward'] == history[k]['reward']

    # the tool turns any saved controller into the same policy files
    tool = _policy_tool('aws_controller_to_policy')
    for saved, expected in (
            (BEST_CONTROLLER_FILE, 'policy.json'),
            (STATE_FILE, 'policy_last.json'),
            (osp.join(STEP_CONTROLLER_DIR, f'step_{best["step"]:04d}.pth'),
             'policy.json')):
        out = str(tmp_path / 'converted.json')
        assert tool.main([str(tmp_path / saved), '--out', out]) == 0
        got, want = Policy.load(out), Policy.load(str(tmp_path / expected))
        assert got.sub_policies == want.sub_policies
        assert got.weights == want.weights
    assert tool.main([str(tmp_path / STATE_FILE), '--top-k', '5', '--out',
                      out]) == 0
    assert Policy.load(out).weights == Policy.load(
        str(tmp_path / 'policy_last_top5.json')).weights
    assert tool.main([str(tmp_path / HISTORY_FILE), '--out', out]) == 2


def test_resume_continues_after_the_last_finished_step(stage1, tmp_path):
    work_dir = str(tmp_path)
    runner, first = _search(stage1, work_dir, num_steps=1, finetune_epochs=1)
    saved = torch.load(osp.join(work_dir, STATE_FILE))
    assert saved['step'] == 1
    controller_after_1 = _hash(runner.train_loop.controller.state_dict())
    assert _hash(saved['controller']) == controller_after_1

    runner, second = _search(stage1, work_dir, num_steps=3, resume=True,
                             seed=1, finetune_epochs=1)
    loop = runner.train_loop
    assert second.resumed_at == 1
    assert second.resumed_controller == controller_after_1
    assert second.controllers[0] == controller_after_1
    assert len(second.starts) == 2  # only steps 1 and 2 ran
    assert second.starts[0] == first.starts[0]  # same shared weights
    history = json.load(open(osp.join(work_dir, HISTORY_FILE)))
    assert [h['step'] for h in history] == [0, 1, 2]
    assert history[:1] == saved['history']
    # the baseline went on from the saved one (not re-initialised)
    baseline = 0.9 * saved['baselines'][0] + 0.1 * history[1]['reward']
    assert history[1]['advantage'] == pytest.approx(
        history[1]['reward'] - baseline)
    assert loop.step == 3 and loop.epoch == 3
    # the controller's lr schedule went on too
    assert [h['controller_lr'][0] for h in history] == pytest.approx(
        [0.5 * (0.125 + 0.875 * t / 10) for t in range(3)])
    # Adam's state went on too: it counts every PPO inner step of all steps
    adam_steps = loop.controller_optimizer.state_dict()['state'][0]['step']
    assert int(adam_steps) == sum(h['ppo_steps'] for h in history)


def test_bad_configs_are_named(stage1, tmp_path):
    with pytest.raises(ValueError, match='finetune_epochs'):
        Runner(model=copy.deepcopy(MODEL), work_dir=str(tmp_path),
               train_dataloader=_loader('train'),
               train_cfg=dict(type='AWSSearchLoop',
                              heldout_dataloader=_loader('heldout'),
                              shared_checkpoint=stage1, num_steps=1,
                              finetune_epochs=0),
               optim_wrapper=OPTIM, default_scope='mmautoaug',
               experiment_name='aws_bad').train()
