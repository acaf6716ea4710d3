# Copyright (c) mmautoaug contributors. All rights reserved.
"""AWSSearchLoop learns in the right direction: its controller update is
PPO on each step's pair usage (row = first op) and absorbed advantage, pinned
against a hand replay, and a planted signal is found by a margin a flipped
sign cannot reach."""
import copy

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.hooks import Hook
from mmengine.runner import Runner
from mmpretrain.datasets import BaseDataset

from mmautoaug.augment import SPACES, OpRange, SearchSpace
from mmautoaug.models.policy_models import AWSController
from mmautoaug.models.policy_models.aws import ppo_update
from mmautoaug.registry import DATASETS, LOOPS, MODELS
from mmautoaug.search.aws import AWSSearchLoop
from mmautoaug.utils import register_all_modules

register_all_modules()
QUIET = dict(logger=dict(type='LoggerHook', interval=1000))


@DATASETS.register_module(force=True)
class _LightOrDark(BaseDataset):
    """8x8 noisy images: class 0 dark, class 1 light; ``invert`` gives the
    photographic negatives (a dark class-0 image becomes light)."""

    METAINFO = dict(classes=('dark', 'light'))

    def __init__(self, num=64, invert=False, seed=0, **kwargs):
        self.num, self.invert, self.seed = num, invert, seed
        super().__init__(ann_file='', lazy_init=False, **kwargs)

    def load_data_list(self):
        rng = np.random.default_rng(self.seed)
        data = []
        for i in range(self.num):
            label = i % 2
            level = rng.integers(30, 90) if label == 0 else rng.integers(
                165, 225)
            img = np.clip(level + rng.integers(-25, 26, (8, 8, 3)), 0, 255)
            img = img.astype(np.uint8)
            data.append(
                dict(img=255 - img if self.invert else img, gt_label=label))
        return data


@MODELS.register_module(force=True)
class _PixelNet(nn.Module):

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 1)

    def init_weights(self):
        pass

    def forward(self, x):
        return (self.conv(x), )


def _model(space):
    return dict(
        type='AWSImageClassifier',
        space=space,
        data_preprocessor=dict(
            type='AugmentDataPreprocessor',
            defer_normalize=True,
            num_classes=2,
            mean=[128.0] * 3,
            std=[64.0] * 3),
        backbone=dict(type='_PixelNet'),
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(
            type='mmpretrain.LinearClsHead',
            num_classes=2,
            in_channels=4,
            loss=dict(type='mmpretrain.CrossEntropyLoss')))


def _loader(sampler, shuffle=True, **dataset):
    return dict(
        batch_size=16,
        num_workers=0,
        dataset=dict(
            type='_LightOrDark',
            pipeline=[dict(type='mmpretrain.PackInputs')],
            **dataset),
        sampler=dict(type=sampler, shuffle=shuffle))


OPTIM = dict(optimizer=dict(type='SGD', lr=0.5, momentum=0.9))


def _stage1(space, work_dir, lr=0.5):
    """The shared weights: one epoch under the uniform distribution."""
    optim = dict(optimizer=dict(OPTIM['optimizer'], lr=lr))
    Runner(
        model=_model(space),
        work_dir=work_dir,
        train_dataloader=_loader('DefaultSampler'),
        train_cfg=dict(by_epoch=True, max_epochs=1),
        optim_wrapper=optim,
        default_hooks=dict(
            QUIET, checkpoint=dict(type='CheckpointHook', interval=1)),
        randomness=dict(seed=0),
        default_scope='mmautoaug',
        experiment_name=f'aws_signal_stage1_{space.name}').train()
    return work_dir


# -- the update, pinned ------------------------------------------------------
@LOOPS.register_module(force=True)
class _ScriptedRewardLoop(AWSSearchLoop):
    """AWSSearchLoop whose held-out accuracy is scripted step by step."""

    def __init__(self, *args, script=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.script = list(script)

    def evaluate(self):
        """``script[step]``, or ``script[step][epoch]`` per fine-tune epoch."""
        scripted = self.script[self.step]
        if isinstance(scripted, (list, tuple)):
            return scripted[self.finetune_epoch]
        return scripted


class _Recorder(Hook):
    """The controller and its optimiser before every step, the pair usage
    after every fine-tune."""

    def __init__(self):
        self.controllers, self.adam, self.usage = [], [], []

    def _snapshot(self, loop):
        self.controllers.append(copy.deepcopy(loop.controller.state_dict()))
        self.adam.append(copy.deepcopy(loop.controller_optimizer.state_dict()))

    def before_train_epoch(self, runner):
        if runner.train_loop.finetune_epoch == 0:
            self._snapshot(runner.train_loop)

    def after_train_epoch(self, runner):
        loop = runner.train_loop
        if loop.finetune_epoch == loop.finetune_epochs - 1:
            self.usage.append(loop.model.pair_usage.clone())

    def after_train(self, runner):
        self._snapshot(runner.train_loop)


AWS_PPO = dict(clip=0.2, ppo_steps=5, kl_threshold=0.002)


def test_update_is_ppo_on_the_usage_and_the_absorbed_advantage(tmp_path):
    """Rewards 0.5, 0.8, 0.65: step 0 has no advantage and changes nothing
    (Adam untouched); steps 1 and 2 equal a hand replay: a FRESH Adam (betas
    (0.5, 0.999)) at the warm-up lr 0.1 * (0.125 + 0.875 t / 10), PPO on the
    usage table ``pair_usage.view(C, C)`` (row = first op) with the
    advantage ``r - b`` after ``b = 0.9 b + 0.1 r``."""
    from mmautoaug.augment import AWS
    script = (0.5, 0.8, 0.65)
    stage1 = _stage1(AWS, str(tmp_path / 'stage1'))
    rec = _Recorder()
    runner = Runner(
        model=_model(AWS),
        work_dir=str(tmp_path / 'search'),
        train_dataloader=_loader('RankLocalSampler'),
        train_cfg=dict(
            type='_ScriptedRewardLoop',
            script=script,
            heldout_dataloader=_loader('RankLocalSampler', False),
            shared_checkpoint=stage1,
            num_steps=3,
            finetune_epochs=1,
            reward_topk=1,
            controller_optimizer=dict(type='Adam', lr=0.1, betas=(0.5, 0.999)),
            controller_scheduler=dict(
                type='LinearLR', start_factor=0.125, end=11, by_epoch=False),
            export_topk=(),
            **AWS_PPO),
        optim_wrapper=OPTIM,
        default_hooks=dict(QUIET, checkpoint=None),
        custom_hooks=[rec],
        randomness=dict(seed=0),
        default_scope='mmautoaug',
        experiment_name='aws_signal_pinned')
    runner.train()
    history = runner.train_loop.history
    assert [h['controller_lr'][0]
            for h in history] == pytest.approx([0.0125, 0.02125, 0.03])

    # step 0: the baseline starts at the reward; nothing moves
    assert history[0]['advantage'] == 0.0 and history[0]['ppo_steps'] == 0
    for key in ('first_logits', 'second_logits'):
        assert torch.equal(rec.controllers[1][key], rec.controllers[0][key])
    assert rec.adam[1]['state'] == {}

    ctrl = AWSController()
    ctrl.load_state_dict(rec.controllers[1])
    adam = torch.optim.Adam(ctrl.parameters(), lr=0.1, betas=(0.5, 0.999))
    baseline = script[0]
    for t in (1, 2):
        baseline = 0.9 * baseline + 0.1 * script[t]
        assert history[t]['advantage'] == pytest.approx(script[t] - baseline)
        for group in adam.param_groups:
            group['lr'] = 0.1 * (0.125 + 0.875 * t / 10)
        usage = rec.usage[t].view(36, 36).double()
        assert not torch.equal(usage, usage.t())
        stats = ppo_update(
            ctrl,
            adam,
            ctrl.log_pair_probs().detach(),
            usage,
            script[t] - baseline,
            clip=0.2,
            max_steps=5,
            kl_threshold=0.002)
        assert history[t]['ppo_steps'] == stats['steps'] >= 1
        for key in ('first_logits', 'second_logits'):
            torch.testing.assert_close(
                getattr(ctrl, key).detach(),
                rec.controllers[t + 1][key],
                rtol=0,
                atol=1e-12,
                msg=f'step {t}: {key}')


def test_reward_is_the_best_topk_and_policy_json_the_best_controller(
        tmp_path):
    """Scripted held-out accuracies over 3 fine-tune epochs per step: the
    reward is the mean of the best 2 (not of all, not of the worst 2), and
    policy.json is the distribution of the controller EVALUATED at the
    best-reward step (step 2: after one real update, so neither the uniform
    start nor the latest controller), policy_last.json the latest one."""
    from mmautoaug.augment import AWS
    from mmautoaug.policy import Policy
    from mmautoaug.search.aws.export import BEST_CONTROLLER_FILE
    script = ((0.2, 0.9, 0.6), (0.95, 0.1, 0.85), (0.99, 0.97, 0.1),
              (0.3, 0.2, 0.4))
    stage1 = _stage1(AWS, str(tmp_path / 'stage1'))
    rec = _Recorder()
    work_dir = tmp_path / 'search'
    runner = Runner(
        model=_model(AWS),
        work_dir=str(work_dir),
        train_dataloader=_loader('RankLocalSampler'),
        train_cfg=dict(
            type='_ScriptedRewardLoop',
            script=script,
            heldout_dataloader=_loader('RankLocalSampler', False),
            shared_checkpoint=stage1,
            num_steps=4,
            finetune_epochs=3,
            reward_topk=2,
            controller_optimizer=dict(type='Adam', lr=0.1, betas=(0.5, 0.999)),
            export_topk=(5, ),
            **AWS_PPO),
        optim_wrapper=OPTIM,
        default_hooks=dict(QUIET, checkpoint=None),
        custom_hooks=[rec],
        randomness=dict(seed=0),
        default_scope='mmautoaug',
        experiment_name='aws_signal_best')
    runner.train()
    history = runner.train_loop.history
    assert [h['reward'] for h in history] == pytest.approx(
        [0.75, 0.9, 0.98, 0.35])
    assert [h['ppo_steps'] > 0 for h in history] == [False, True, True, True]

    def policy_of(state, top_k=None):
        ctrl = AWSController()
        ctrl.load_state_dict(state)
        return ctrl.to_policy(top_k=top_k)

    best = torch.load(work_dir / BEST_CONTROLLER_FILE)
    assert best['step'] == 2 and best['reward'] == pytest.approx(0.98)
    # rec.controllers[k]: the controller evaluated at step k; [4]: the last
    evaluated = [policy_of(c) for c in rec.controllers]
    assert evaluated[2].weights != evaluated[0].weights  # it moved ...
    for k in (0, 3, 4):  # ... and is neither the start nor a later one
        assert max(abs(a - b) for a, b in zip(
            evaluated[2].weights, evaluated[k].weights)) > 1e-9, k
    for name, k in (('policy', 2), ('policy_last', 4)):
        got = Policy.load(str(work_dir / f'{name}.json'))
        assert got.weights == pytest.approx(evaluated[k].weights, rel=1e-6)
        assert got.meta['pairs'] == evaluated[k].meta['pairs']
        top5 = Policy.load(str(work_dir / f'{name}_top5.json'))
        assert top5.meta['pairs'] == policy_of(rec.controllers[k],
                                               5).meta['pairs']
    assert Policy.load(str(work_dir / 'policy.json')).meta['step'] == 2


# -- a planted signal ----------------------------------------------------------
#: Two candidates, Invert and Identity: the ordered pairs (Invert, Identity)
#: and (Identity, Invert) invert an image, (Invert, Invert) and
#: (Identity, Identity) leave it as it is.
PLANTED = SearchSpace(
    name='planted_invert',
    ranges=(OpRange('Invert'), OpRange('Identity')),
    candidates=(('Invert', 0.0), ('Identity', 0.0)),
    source='tests: held-out images are negatives')
ODD = ((0, 1), (1, 0))  # the pairs that invert


def test_planted_signal_is_found(tmp_path, monkeypatch):
    """The held-out images are negatives of the training images, so a
    fine-tune helps exactly as much as it trains on inverted images: the
    pairs that invert once raise the held-out accuracy (from about 0 to about
    1 as their share of the fine-tune passes one half). Starting from 1/2,
    the search must raise their probability above 0.6 (0.68 to 0.94 over
    seeds 0-5); with the advantage's sign flipped it falls to 0.10-0.34
    (seeds 0-3)."""
    # policy files name their space: make this one known, as a user would
    monkeypatch.setitem(SPACES, PLANTED.name, PLANTED)
    # untrained shared weights (lr 0): no mapping is favoured before the
    # fine-tune, whose majority decides the held-out accuracy
    stage1 = _stage1(PLANTED, str(tmp_path / 'stage1'), lr=0.0)
    runner = Runner(
        model=_model(PLANTED),
        work_dir=str(tmp_path / 'search'),
        train_dataloader=_loader('RankLocalSampler'),
        train_cfg=dict(
            type='AWSSearchLoop',
            heldout_dataloader=_loader(
                'RankLocalSampler', False, num=32, invert=True, seed=1),
            shared_checkpoint=stage1,
            num_steps=24,
            finetune_epochs=1,
            reward_topk=1,
            lr=0.1,
            controller=dict(type='AWSController', space=PLANTED),
            controller_optimizer=dict(type='Adam', lr=0.1, betas=(0.5, 0.999)),
            clip=0.2,
            ppo_steps=5,
            kl_threshold=0.02,
            export_topk=()),
        optim_wrapper=OPTIM,
        default_hooks=dict(QUIET, checkpoint=None),
        randomness=dict(seed=0),
        default_scope='mmautoaug',
        experiment_name='aws_signal_planted')
    runner.train()
    history = runner.train_loop.history
    probs = runner.train_loop.controller.pair_probs().detach()
    odd = float(sum(probs[i, j] for i, j in ODD))
    rewards = [round(h['reward'], 2) for h in history]
    assert odd > 0.6, (odd, rewards)
    # the planted pairs also earned the reward: late steps beat early ones
    assert np.mean(rewards[-6:]) > np.mean(rewards[:6]) + 0.2, rewards
