# Copyright (c) mmautoaug contributors. All rights reserved.
"""AWS stage 2 under torch.distributed (gloo, 2 CPU processes): each rank
evaluates its own sample (its own fine-tuned copy, pair draws, reward) and
the controller stays identical on every rank after every step."""
import copy
import hashlib
import json
import os
import os.path as osp
import socket

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

WORLD = 2
STEPS = 2
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _digest(state):
    h = hashlib.sha1()
    for k in sorted(state):
        h.update(k.encode())
        h.update(state[k].detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def _setup():
    import torch.nn as nn
    from mmpretrain.datasets import BaseDataset

    from mmautoaug.registry import DATASETS, MODELS
    from mmautoaug.utils import register_all_modules
    register_all_modules()

    @DATASETS.register_module(name='_AWSDistBlobs', force=True)
    class _Blobs(BaseDataset):
        METAINFO = dict(classes=('dark', 'light'))

        def __init__(self, **kwargs):
            super().__init__(ann_file='', **kwargs)

        def load_data_list(self):
            rng = np.random.default_rng(0)
            return [
                dict(img=rng.integers(0, 120, (8, 8, 3), dtype=np.uint8) +
                     np.uint8(100 * (i % 2)), gt_label=i % 2)
                for i in range(24)
            ]

    @MODELS.register_module(name='_AWSDistNet', force=True)
    class _Net(nn.Module):

        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 4, 3, padding=1)

        def forward(self, x):
            return (torch.relu(self.conv(x)), )


def _loader(part, shuffle):
    return dict(
        batch_size=4, num_workers=0,
        dataset=dict(type='StratifiedSplitDataset', part=part, heldout=8,
                     dataset=dict(type='_AWSDistBlobs',
                                  pipeline=[dict(type='mmpretrain.PackInputs')])),
        sampler=dict(type='RankLocalSampler', shuffle=shuffle))


MODEL = dict(
    type='AWSImageClassifier',
    data_preprocessor=dict(type='AugmentDataPreprocessor',
                           defer_normalize=True, num_classes=2,
                           mean=[110.0] * 3, std=[60.0] * 3),
    backbone=dict(type='_AWSDistNet'),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(type='mmpretrain.LinearClsHead', num_classes=2, in_channels=4,
              loss=dict(type='mmpretrain.CrossEntropyLoss')))
OPTIM = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9))


def _stage1(work_dir):
    from mmengine.runner import Runner
    Runner(model=copy.deepcopy(MODEL), work_dir=work_dir,
           train_dataloader=_loader('train', True),
           train_cfg=dict(by_epoch=True, max_epochs=1), optim_wrapper=OPTIM,
           default_hooks=dict(checkpoint=dict(type='CheckpointHook',
                                              interval=1)),
           randomness=dict(seed=0), default_scope='mmautoaug',
           experiment_name='aws_dist_stage1').train()


def _rank_main(rank, port, stage1_dir, work_dir, out_dir):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port),
                      RANK=str(rank), WORLD_SIZE=str(WORLD),
                      LOCAL_RANK=str(rank))
    dist.init_process_group('gloo', rank=rank, world_size=WORLD)
    torch.set_num_threads(1)
    _setup()
    from mmengine.hooks import Hook
    from mmengine.runner import Runner

    record = dict(controllers=[], usage=[], starts=[], ends=[], states=[])

    class _Record(Hook):

        def before_train_epoch(self, runner):
            record['starts'].append(_digest(runner.train_loop.model
                                            .state_dict()))
            record['states'].append({
                k: v.tolist()
                for k, v in runner.train_loop.controller.state_dict().items()
            })

        def after_train_epoch(self, runner):
            loop = runner.train_loop
            record['ends'].append(_digest(loop.model.state_dict()))
            record['usage'].append(loop.model.pair_usage.tolist())

        def after_train(self, runner):
            record['controllers'].append(
                _digest(runner.train_loop.controller.state_dict()))
            record['states'].append({
                k: v.tolist()
                for k, v in runner.train_loop.controller.state_dict().items()
            })

    runner = Runner(
        model=copy.deepcopy(MODEL), work_dir=work_dir,
        train_dataloader=_loader('train', True),
        train_cfg=dict(type='AWSSearchLoop',
                       heldout_dataloader=_loader('heldout', False),
                       shared_checkpoint=stage1_dir, num_steps=STEPS,
                       finetune_epochs=1,
                       controller_optimizer=dict(type='Adam', lr=0.5),
                       export_topk=(3, )),
        optim_wrapper=OPTIM, launcher='pytorch',
        cfg=dict(model_wrapper_cfg=dict(type='MMDistributedDataParallel',
                                        broadcast_buffers=False,
                                        device_ids=None)),
        env_cfg=dict(dist_cfg=dict(backend='gloo')),
        default_hooks=dict(checkpoint=None), custom_hooks=[_Record()],
        randomness=dict(seed=0, diff_rank_seed=True),
        default_scope='mmautoaug', experiment_name=f'aws_dist_{rank}')
    runner.train()
    loop = runner.train_loop
    record['history'] = loop.history
    record['final_controller'] = _digest(loop.controller.state_dict())
    with open(osp.join(out_dir, f'rank{rank}.json'), 'w') as f:
        json.dump(record, f)
    dist.destroy_process_group()


def test_each_rank_evaluates_its_own_sample_controllers_agree(tmp_path):
    _setup()
    stage1 = str(tmp_path / 'stage1')
    _stage1(stage1)
    work_dir = str(tmp_path / 'search')
    mp.spawn(_rank_main, args=(_free_port(), stage1, work_dir, str(tmp_path)),
             nprocs=WORLD, join=True)
    r0, r1 = (json.load(open(tmp_path / f'rank{r}.json'))
              for r in range(WORLD))
    # the same controller on both ranks
    assert r0['final_controller'] == r1['final_controller']
    # both ranks restored the same shared weights at every step ...
    assert r0['starts'] == r1['starts'] and len(set(r0['starts'])) == 1
    # ... but fine-tuned their own copies (no gradient all-reduce) under
    # their own pair draws
    assert all(a != b for a, b in zip(r0['ends'], r1['ends']))
    assert all(a != b for a, b in zip(r0['usage'], r1['usage']))
    # one reward per rank, the same record on both; reward is their mean
    # (the accuracies are each rank's own)
    strip = [{k: v for k, v in h.items() if k != 'accuracies'}
             for h in r0['history']]
    assert strip == [{k: v for k, v in h.items() if k != 'accuracies'}
                     for h in r1['history']]
    for h0, h1 in zip(r0['history'], r1['history']):
        assert h0['rank_rewards'] == [np.mean(h0['accuracies']),
                                      np.mean(h1['accuracies'])]
        assert h0['reward'] == np.mean(h0['rank_rewards'])
    # each rank's running baseline starts at ITS first reward (advantage 0)
    # and absorbs ITS rewards before its advantage is taken
    baselines = list(r0['history'][0]['rank_rewards'])
    assert r0['history'][0]['rank_advantages'] == [0.0, 0.0]
    for h in r0['history'][1:]:
        baselines = [0.9 * b + 0.1 * r
                     for b, r in zip(baselines, h['rank_rewards'])]
        assert h['rank_baselines'] == pytest.approx(baselines)
        assert h['rank_advantages'] == pytest.approx(
            [r - b for r, b in zip(h['rank_rewards'], baselines)])
    # rank 0 alone writes the outputs
    assert osp.exists(osp.join(work_dir, 'policy.json'))
    assert osp.exists(osp.join(work_dir, 'policy_top3.json'))

    # the update of step 1 by hand: the mean over ranks of each rank's PPO
    # surrogate on ITS usage table (row = first op) and ITS advantage, a
    # fresh Adam (step 0 had no advantage), the exact KL stop
    from mmautoaug.models.policy_models import AWSController
    from mmautoaug.models.policy_models.aws import (kl_divergence,
                                                    ppo_surrogate)
    h = r0['history'][1]
    assert any(a != 0 for a in h['rank_advantages']), h
    assert r0['states'][0] == r0['states'][1]  # step 0: nothing moved
    ctrl = AWSController()
    ctrl.load_state_dict({k: torch.tensor(v)
                          for k, v in r0['states'][1].items()})
    adam = torch.optim.Adam(ctrl.parameters(), lr=0.5)
    old = ctrl.log_pair_probs().detach()
    usages = [torch.tensor(r['usage'][1], dtype=torch.float64).view(36, 36)
              for r in (r0, r1)]
    for _ in range(5):
        log_probs = ctrl.log_pair_probs()
        if float(kl_divergence(old, log_probs)) > 0.002:
            break
        loss = sum(ppo_surrogate(log_probs, old, u, a) for u, a in zip(
            usages, h['rank_advantages'])) / WORLD
        adam.zero_grad()
        loss.backward()
        adam.step()
    for key, value in r0['states'][2].items():
        torch.testing.assert_close(getattr(ctrl, key).detach(),
                                   torch.tensor(value), rtol=0, atol=1e-9,
                                   msg=key)


def test_stage1_under_dist_train_trains_on_augmented_normalised_inputs(
        tmp_path):
    """tools/dist_train.sh, 2 gloo processes, MMEngine's DDP wrapper: on
    every rank each batch went through the pair (and the Cutout), then the
    normalisation, into the backbone; every rank drew its own pairs."""
    import subprocess
    import sys

    from mmengine.config import Config

    from tests.test_tools._tiny_job import make_image_folder
    data = make_image_folder(str(tmp_path / 'data'), per_class=8)
    mean, std = [110.0, 120.0, 130.0], [50.0, 60.0, 70.0]
    loader = dict(
        batch_size=4, num_workers=0,
        sampler=dict(type='DefaultSampler', shuffle=True),
        dataset=dict(type='mmpretrain.CustomDataset', data_root=data,
                     pipeline=[dict(type='mmpretrain.LoadImageFromFile'),
                               dict(type='mmpretrain.PackInputs')]))
    cfg = Config(dict(
        default_scope='mmautoaug',
        custom_imports=dict(imports=['tests.test_search._aws_stage1_probe']),
        model=dict(
            type='AWSImageClassifier', space='aws', cutout=4,
            data_preprocessor=dict(type='AugmentDataPreprocessor',
                                   defer_normalize=True, num_classes=2,
                                   mean=mean, std=std, to_rgb=True),
            backbone=dict(type='WideResNet', depth=10, widen_factor=1),
            neck=dict(type='mmpretrain.GlobalAveragePooling'),
            head=dict(type='mmpretrain.LinearClsHead', num_classes=2,
                      in_channels=64,
                      loss=dict(type='mmpretrain.CrossEntropyLoss'))),
        train_dataloader=loader,
        train_cfg=dict(by_epoch=True, max_epochs=2),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.05,
                                          momentum=0.9)),
        custom_hooks=[dict(type='AWSStage1ProbeHook')],
        default_hooks=dict(checkpoint=dict(type='CheckpointHook',
                                           interval=2),
                           logger=dict(type='LoggerHook', interval=1)),
        env_cfg=dict(dist_cfg=dict(backend='gloo')),
        # as the AWS stage-1 configs: every rank its own pair stream
        randomness=dict(seed=0, diff_rank_seed=True),
        log_level='WARNING'))
    cfg_path = str(tmp_path / 'stage1.py')
    cfg.dump(cfg_path)
    env = dict(os.environ, PORT=str(_free_port()), PYTHON=sys.executable,
               OMP_NUM_THREADS='1')
    work = str(tmp_path / 'work')
    proc = subprocess.run(
        ['bash', osp.join(REPO, 'tools', 'dist_train.sh'), cfg_path, '2',
         '--work-dir', work], cwd=REPO, env=env, capture_output=True,
        text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    probes = [torch.load(osp.join(work, f'aws_stage1_probe_rank{r}.pth'))
              for r in range(WORLD)]
    for rank, probe in enumerate(probes):
        assert probe['wrapper'] == 'MMDistributedDataParallel'
        # one augmentation per training iteration: 8 images per rank and
        # epoch in batches of 4, 2 epochs
        assert probe['iters'] == 4
        assert len(probe['augment_out']) == len(probe['backbone_in']) == 4
        assert int(probe['pair_usage'].sum()) == 16
        m, s = probe['mean'], probe['std']
        for raw, aug, seen in zip(probe['augment_in'], probe['augment_out'],
                                  probe['backbone_in']):
            # the pairs acted on [0, 255] levels ...
            assert raw.min() >= 0 and raw.max() <= 255 and raw.max() > 100
            changed = (aug != raw).flatten(1).any(1)
            assert int(changed.sum()) == len(raw), rank  # Cutout at least
            # ... and the backbone saw them normalised
            torch.testing.assert_close(seen, (aug - m) / s, rtol=0,
                                       atol=1e-5)
            assert seen.abs().max() < 5
    # each rank drew its own pairs
    assert not torch.equal(probes[0]['pair_usage'], probes[1]['pair_usage'])
