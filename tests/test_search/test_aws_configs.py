# Copyright (c) mmautoaug contributors. All rights reserved.
"""The AWS CIFAR configs carry the authors' recipe (their pre-release's
yaml), checked against their formulas: learning-rate curves of stage 1, the
fine-tunes, the controller and the retrain; Cutout, label smoothing,
clipping, batch size; the retrain reads the best controller's policy."""
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmautoaug.registry import PARAM_SCHEDULERS
from mmautoaug.utils import register_all_modules

register_all_modules()
ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _load(name):
    return Config.fromfile(osp.join(ROOT, 'configs', 'aws', name))


def _lr_curve(schedulers, base_lr, epoch_length, iters):
    """The lr of every training iteration, as MMEngine's
    ParamSchedulerHook steps the schedulers after each one."""
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)],
                                lr=base_lr)
    built = []
    for cfg in schedulers:
        cfg = dict(cfg)
        kind = PARAM_SCHEDULERS.get(cfg.pop('type'))
        if cfg.pop('convert_to_iter_based', False):
            built.append(
                kind.build_iter_from_epoch(
                    optimizer, epoch_length=epoch_length, **cfg))
        else:
            built.append(kind(optimizer, **cfg))
    lrs = []
    for _ in range(iters):
        lrs.append(optimizer.param_groups[0]['lr'])
        for scheduler in built:
            scheduler.step()
    return lrs


def _authors_cosine(k, iters, warmup_iters, base, top, low):
    """scheduler/scheduler.py CosineLRScheduler at iteration ``k``."""
    if k < warmup_iters:
        return k / warmup_iters * (top - base) + base
    ratio = (k - warmup_iters) / (iters - warmup_iters)
    return low + (top - low) * (1 + math.cos(math.pi * ratio)) / 2


@pytest.mark.parametrize('dataset', ['cifar10', 'cifar100'])
def test_stage1_recipe(dataset):
    cfg = _load(f'aws-stage1_wrn28-10_1xb256_{dataset}.py')
    assert cfg.train_dataloader.batch_size == 256
    assert cfg.train_cfg.max_epochs == 200
    model = cfg.model
    assert model.cutout == 16 and tuple(model.cutout_fill) == (0, 0, 0)
    assert model.head.loss == dict(
        type='mmpretrain.LabelSmoothLoss',
        label_smooth_val=0.05,
        mode='original',
        loss_weight=1.0)
    assert model.backbone.norm_cfg == dict(type='BN', momentum=0.5)
    optim = cfg.optim_wrapper
    assert optim.clip_grad == dict(max_norm=3.0)
    assert optim.optimizer == dict(
        type='SGD', lr=0.2, momentum=0.9, weight_decay=1e-4, nesterov=True)
    assert optim.paramwise_cfg == dict(norm_decay_mult=0.0)
    assert cfg.randomness.diff_rank_seed is True
    # yaml pretrain_sc: 0.05 -> 0.2 over 1 epoch, cosine to 0.001
    epoch = 157  # ceil(40000 / 256)
    iters = 200 * epoch
    lrs = _lr_curve(cfg.param_scheduler, 0.2, epoch, iters)
    for k in range(0, iters, 37):
        want = _authors_cosine(k, iters, epoch, 0.05, 0.2, 0.001)
        # MMEngine's LinearLR tops out one iteration before the authors'
        tol = 0.15 / epoch if k < epoch else 1e-9
        assert lrs[k] == pytest.approx(want, abs=tol), k
    assert lrs[0] == pytest.approx(0.05)
    assert lrs[-1] == pytest.approx(0.001, abs=1e-6)


@pytest.mark.parametrize('dataset', ['cifar10', 'cifar100'])
def test_search_recipe(dataset):
    cfg = _load(f'aws-search_wrn28-10_1xb256_{dataset}.py')
    loop = cfg.train_cfg
    assert loop.type == 'AWSSearchLoop'
    assert loop.lr == 0.001 and loop.finetune_epochs == 10
    assert loop.reward_topk == 2
    assert (loop.clip, loop.ppo_steps, loop.kl_threshold,
            loop.baseline_momentum) == (0.2, 5, 0.002, 0.9)
    assert loop.controller_optimizer == dict(
        type='Adam', lr=0.1, betas=(0.5, 0.999), weight_decay=0)
    # the fine-tunes keep stage 1's Cutout, smoothing and clipping
    assert cfg.model.cutout == 16
    assert cfg.model.head.loss.label_smooth_val == 0.05
    assert cfg.optim_wrapper.clip_grad == dict(max_norm=3.0)
    assert cfg.param_scheduler is None
    assert loop.shared_checkpoint.endswith(
        f'aws-stage1_wrn28-10_1xb256_{dataset}')
    # yaml agent.sc_cfg: Constant with warm-up, stepped before each update
    # (agent/ppo.py): lr(t) = 0.0125 + t / 10 * (0.1 - 0.0125), then 0.1
    lrs = _lr_curve([loop.controller_scheduler], 0.1, 1, 30)
    want = [0.0125 + min(t, 10) / 10 * 0.0875 for t in range(30)]
    assert lrs == pytest.approx(want, abs=1e-12)


@pytest.mark.parametrize('dataset', ['cifar10', 'cifar100'])
def test_retrain_recipe(dataset):
    cfg = _load(f'wrn28-10_aws-policy_1xb256_{dataset}.py')
    pipeline = cfg.train_dataloader.dataset.pipeline
    types = [t.type for t in pipeline]
    assert types == [
        'mmpretrain.RandomCrop', 'mmpretrain.RandomFlip', 'PolicyAugment',
        'ClippedCutout', 'mmpretrain.PackInputs'
    ]
    policy, cutout = pipeline[2], pipeline[3]
    # the best evaluated controller's policy, applied to RGB pickles
    assert policy.policy == (f'work_dirs/aws-search_wrn28-10_1xb256_'
                             f'{dataset}/policy.json')
    assert policy.channel_order == 'rgb'
    assert cutout.length == 16 and tuple(cutout.fill) == (0, 0, 0)
    assert cfg.train_dataloader.batch_size == 256
    assert cfg.train_dataloader.dataset.type == ('mmpretrain.CIFAR10'
                                                 if dataset == 'cifar10' else
                                                 'mmpretrain.CIFAR100')
    assert cfg.train_dataloader.dataset.split == 'train'  # all 50k
    classes = 10 if dataset == 'cifar10' else 100
    assert cfg.model.head.num_classes == classes
    assert cfg.data_preprocessor.num_classes == classes
    assert cfg.model.head.loss.label_smooth_val == 0.05
    assert cfg.model.backbone.norm_cfg == dict(type='BN', momentum=0.5)
    assert cfg.optim_wrapper.clip_grad == dict(max_norm=3.0)
    assert cfg.optim_wrapper.optimizer.lr == 0.4
    assert cfg.optim_wrapper.optimizer.weight_decay == 1e-4
    assert cfg.train_cfg.max_epochs == 300
    # yaml retrain_sc: 0.1 -> 0.4 over 1.5 epochs, cosine to 0
    epoch = 196  # ceil(50000 / 256)
    iters = 300 * epoch
    lrs = _lr_curve(cfg.param_scheduler, 0.4, epoch, iters)
    warmup = round(iters / 200)
    for k in range(0, iters, 41):
        want = _authors_cosine(k, iters, warmup, 0.1, 0.4, 0.0)
        tol = 0.3 / warmup if k < warmup else 1e-9
        assert lrs[k] == pytest.approx(want, abs=tol), k


@pytest.mark.parametrize('path', [
    'aws/aws-stage1_wrn28-10_1xb256_cifar10.py',
    'aws/aws-stage1_wrn28-10_1xb256_cifar100.py',
    'aws/aws-stage1_resnet50_8xb32_in1k.py',
    'aws/aws-search_wrn28-10_1xb256_cifar10.py',
    'aws/aws-search_wrn28-10_1xb256_cifar100.py',
    'aws/aws-search_resnet50_8xb32_in1k.py',
    'templates/aws-stage1_custom-imagefolder.py',
    'templates/aws-search_custom-imagefolder.py',
    'demo/aws_demo_stage1.py',
    'demo/aws_demo_search.py',
])
def test_every_aws_run_gives_each_rank_its_own_pair_stream(path):
    """AWSImageClassifier draws pairs with torch's default generator: only
    diff_rank_seed seeds it differently on every rank of a dist_train.sh
    run (stage 1) or of the search."""
    cfg = Config.fromfile(osp.join(ROOT, 'configs', path))
    assert cfg.randomness.get('diff_rank_seed') is True, path
