# Copyright (c) mmautoaug contributors. All rights reserved.
"""AdvAAHook: the generator learns, the search runs, resumes and syncs."""
import copy
import json
import os
import os.path as osp
import shutil
import socket

import numpy as np
import pytest
import torch
import torch.multiprocessing as mp
import torch.nn as nn
from mmpretrain.structures import DataSample

from mmautoaug.augment import AUTOAUGMENT

INVERT = AUTOAUGMENT.index('Invert')


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny tensors: one intra-op thread avoids OpenMP spin-waits on a busy
    machine (10-100x faster here)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# -- a stand-in classifier whose loss is high on inverted images -------------
class _Loss(nn.Module):

    def forward(self, score, target, reduction_override=None):
        return score


class _Head(nn.Module):

    def __init__(self):
        super().__init__()
        self.loss_module = _Loss()

    def forward(self, feats):
        return feats[-1]


class BrightIsHard(nn.Module):
    """Loss 0 for images darker than 70% white, rising above."""

    def __init__(self):
        super().__init__()
        self.dummy = nn.Parameter(torch.zeros(()))
        self.head = _Head()

    def extract_feat(self, x):
        return (torch.relu(x.mean((1, 2, 3)) - 0.7) + self.dummy, )


def test_generator_learns_to_pick_the_op_with_high_loss():
    from mmautoaug.models import AugmentDataPreprocessor
    from mmautoaug.search.advaa import AdvAAClassifier, AdvAAHook
    torch.manual_seed(0)
    hook = AdvAAHook(num_policies=8, optimizer=dict(type='Adam', lr=0.02))
    model = AdvAAClassifier(
        classifier=BrightIsHard(),
        augmentor=dict(type='PolicyBatchAugment', seed=0),
        data_preprocessor=AugmentDataPreprocessor(
            defer_normalize=True, mean=[0.0] * 3, std=[255.0] * 3))
    # dark images: of the 16 ops only Invert makes them bright
    images = torch.rand(8, 3, 8, 8) * 30
    samples = [DataSample().set_gt_label(0) for _ in range(8)]

    def invert_stats():
        with torch.no_grad():
            out = hook.generator(num_policies=64,
                                 generator=torch.Generator().manual_seed(1))
        # Invert twice is the identity: what raises the loss is a
        # sub-policy with exactly one Invert
        once = ((out.actions[..., 0] == INVERT).sum(-1) == 1).float().mean()
        return float(out.op_probs.mean((0, 1, 2))[INVERT]), float(once)

    prob_before, once_before = invert_stats()
    assert prob_before < 0.1 and once_before < 0.2  # ~1/16, ~2 * 15/256
    for epoch in range(30):
        actions = hook.sample(seed=epoch)
        model.set_policy_arrays(*hook.generator.to_arrays(actions))
        model(images, samples, mode='loss')
        loss_sum, count = model.pop_policy_losses()
        hook.update((loss_sum / count).float(), actions)
    prob_after, once_after = invert_stats()
    assert prob_after > 0.3 and once_after > max(0.4, 3 * once_before)


# -- a tiny search with a real classifier through the Runner -----------------
def _image_folder(root, num_classes=2, per_class=8, size=16):
    import mmcv
    rng = np.random.default_rng(0)
    for c in range(num_classes):
        for i in range(per_class):
            img = rng.integers(0, 60, (size, size, 3), dtype=np.uint8)
            img[..., c] += np.uint8(150)
            mmcv.imwrite(img, osp.join(root, f'class{c}', f'{i:03d}.png'))
    return root


def _config(data_root, work_dir, max_epochs=2, launcher='none'):
    from mmengine.config import Config
    return Config(dict(
        default_scope='mmautoaug',
        work_dir=work_dir,
        launcher=launcher,
        model=dict(
            type='AdvAAClassifier',
            data_preprocessor=dict(type='AugmentDataPreprocessor',
                                   defer_normalize=True, num_classes=2,
                                   mean=[127.5] * 3, std=[127.5] * 3),
            classifier=dict(
                type='mmpretrain.ImageClassifier',
                backbone=dict(type='WideResNet', depth=10, widen_factor=1),
                neck=dict(type='mmpretrain.GlobalAveragePooling'),
                head=dict(type='mmpretrain.LinearClsHead', num_classes=2,
                          in_channels=64,
                          loss=dict(type='mmpretrain.CrossEntropyLoss'))),
            augmentor=dict(type='PolicyBatchAugment', cutout=8, seed=7)),
        train_dataloader=dict(
            batch_size=4, num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=True),
            dataset=dict(type='mmpretrain.CustomDataset',
                         data_root=data_root,
                         pipeline=[dict(type='mmpretrain.LoadImageFromFile'),
                                   dict(type='mmpretrain.PackInputs')])),
        train_cfg=dict(by_epoch=True, max_epochs=max_epochs),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9)),
        custom_hooks=[dict(type='AdvAAHook', num_policies=3,
                           optimizer=dict(type='Adam', lr=0.01))],
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=1),
                           logger=dict(type='LoggerHook', interval=1)),
        # log every step's own loss, not a moving average
        log_processor=dict(window_size=1),
        env_cfg=dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo')),
        randomness=dict(seed=0),
        log_level='INFO'))


def _run(cfg, resume_from=None, perturb_generator=False):
    from mmengine.runner import Runner

    from mmautoaug.search.advaa import AdvAAHook
    from mmautoaug.utils import prepare_cpu_distributed, register_all_modules
    register_all_modules()
    cfg = copy.deepcopy(cfg)
    prepare_cpu_distributed(cfg)  # gloo + device_ids=None without GPUs
    if resume_from:
        cfg.resume, cfg.load_from = True, resume_from
    runner = Runner.from_cfg(cfg)
    hook = [h for h in runner.hooks if isinstance(h, AdvAAHook)][0]
    if perturb_generator:  # a rank that starts from another generator
        with torch.no_grad():
            for p in hook.generator.parameters():
                p.add_(torch.randn_like(p))
    runner.train()
    return runner, hook


def _state(runner, hook):
    return dict(
        generator={k: v.clone() for k, v in
                   hook.generator.state_dict().items()},
        model={k: v.clone() for k, v in runner.model.state_dict().items()})


def test_search_writes_policies_logs_and_resumes_exactly(tmp_path):
    from mmautoaug.policy import Policy
    data = _image_folder(str(tmp_path / 'data'))
    work = str(tmp_path / 'straight')
    runner, hook = _run(_config(data, work))
    straight = _state(runner, hook)

    # the schedule: one policy file per epoch, M * Q sub-policies each
    for epoch in (1, 2):
        policy = Policy.load(
            osp.join(work, 'policy_schedule', f'epoch_{epoch:04d}.json'))
        assert policy.space.name == 'autoaugment' and len(policy) == 3 * 5
        assert policy.meta['epoch'] == epoch
        assert sum(policy.meta['op_histogram'].values()) == 3 * 5 * 2
    last = Policy.load(osp.join(work, 'policy.json'))
    assert len(last.meta['losses']) == 3
    assert len(Policy.load(osp.join(work, 'policy_final.json'))) == 15
    # the policy for transfer: both epochs (K=10 > 2), each half the weight
    transfer = Policy.load(osp.join(work, 'policy_transfer.json'))
    assert transfer.meta['epochs'] == [1, 2] and transfer.meta['kind'] == \
        'transfer'
    assert sum(transfer.weights) == pytest.approx(1.0)
    schedule = [Policy.load(osp.join(work, 'policy_schedule',
                                     f'epoch_{e:04d}.json')) for e in (1, 2)]
    assert {tuple(op.op for op in sub) for sub in transfer.sub_policies} == {
        tuple(op.op for op in sub) for p in schedule for sub in p.sub_policies}
    # entropy and op histogram in the log and the scalars
    log_file = [f for f in os.listdir(osp.join(work, runner.timestamp))
                if f.endswith('.log')][0]
    log = open(osp.join(work, runner.timestamp, log_file)).read()
    assert 'AdvAA epoch 2: entropy' in log and 'op histogram' in log
    scalars = [json.loads(line) for line in open(
        osp.join(work, runner.timestamp, 'vis_data', 'scalars.json'))]
    assert any('advaa/op_entropy' in s for s in scalars)
    # the per-policy losses are per-image means: over the M policies they
    # average to the mean training loss of the epoch's 4 equal steps
    # (16 images, batch 4; the logger logs every step)
    epoch2 = [s['loss'] for s in scalars if 'loss' in s and s['step'] > 4]
    assert len(epoch2) == 4
    assert np.mean(last.meta['losses']) == pytest.approx(np.mean(epoch2),
                                                         rel=1e-3)
    # the generator moved, and its state is in the checkpoint
    ckpt = torch.load(osp.join(work, 'epoch_1.pth'), weights_only=False)
    assert set(ckpt['advaa']) >= {'generator', 'optimizer', 'actions'}
    assert any(not torch.equal(ckpt['advaa']['generator'][k],
                               straight['generator'][k])
               for k in straight['generator'])

    # resume from epoch 1 in a fresh work dir: same end state, bit for bit
    work2 = str(tmp_path / 'resumed')
    os.makedirs(work2)
    shutil.copy(osp.join(work, 'epoch_1.pth'), work2)
    runner2, hook2 = _run(_config(data, work2),
                          resume_from=osp.join(work2, 'epoch_1.pth'))
    resumed = _state(runner2, hook2)
    for part in ('generator', 'model'):
        for k, v in straight[part].items():
            torch.testing.assert_close(resumed[part][k], v, rtol=0, atol=0,
                                       msg=f'{part}.{k}')
    for name in ('policy_schedule/epoch_0002.json', 'policy_final.json'):
        a = Policy.load(osp.join(work, name))
        b = Policy.load(osp.join(work2, name))
        assert a.sub_policies == b.sub_policies, name
    assert hook2.optimizer.state_dict()['state'][0]['step'] == 2


# -- two processes (gloo): the generator stays identical ---------------------
def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _dist_worker(rank, world_size, port, data_root, work_dir):
    import torch.distributed as torch_dist
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port),
                      RANK=str(rank), WORLD_SIZE=str(world_size),
                      LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    from mmautoaug.search.advaa import AdvAAClassifier

    # what this rank alone recorded each epoch, before the hook reduces it
    local = []
    pop = AdvAAClassifier.pop_policy_losses

    def recording_pop(self):
        loss_sum, count = pop(self)
        local.append((loss_sum.clone(), count.clone()))
        return loss_sum, count

    AdvAAClassifier.pop_policy_losses = recording_pop
    try:
        # rank 1 starts from another generator: the hook must sync it
        runner, hook = _run(_config(data_root, work_dir, max_epochs=2,
                                    launcher='pytorch'),
                            perturb_generator=rank == 1)
    finally:
        AdvAAClassifier.pop_policy_losses = pop
    model = runner.model.module
    torch.save(
        dict(generator=hook.generator.state_dict(),
             actions=hook.actions,
             op_index=model.augmentor.op_index.cpu(),
             losses=hook.last_losses,
             local_sum=local[-1][0].cpu(),
             local_count=local[-1][1].cpu()),
        osp.join(work_dir, f'advaa_rank{rank}.pth'))
    torch_dist.destroy_process_group()


def test_two_processes_keep_the_generator_identical(tmp_path):
    data = _image_folder(str(tmp_path / 'data'))
    work = str(tmp_path / 'work')
    os.makedirs(work)
    mp.spawn(_dist_worker, args=(2, _free_port(), data, work), nprocs=2,
             join=True)
    r0 = torch.load(osp.join(work, 'advaa_rank0.pth'), weights_only=False)
    r1 = torch.load(osp.join(work, 'advaa_rank1.pth'), weights_only=False)
    for k, v in r0['generator'].items():
        torch.testing.assert_close(r1['generator'][k], v, rtol=0, atol=0,
                                   msg=k)
    assert torch.equal(r0['actions'], r1['actions'])
    assert torch.equal(r0['op_index'], r1['op_index'])
    # the update used the losses summed over both ranks' different data
    torch.testing.assert_close(r0['losses'], r1['losses'], rtol=0, atol=0)
    # ... and divided by the images of both ranks: the mean per-image loss
    # of each policy over all the data (a missing reduce of the sums or of
    # the counts, or a mean where a sum belongs, is off by about 2x)
    assert float(r0['local_count']) == float(r1['local_count']) == 8
    pooled = (r0['local_sum'] + r1['local_sum']) / (
        r0['local_count'] + r1['local_count'])
    torch.testing.assert_close(r0['losses'], pooled.float())
    for r in (r0, r1):  # the ranks saw different data
        assert not torch.allclose(r['local_sum'] / r['local_count'], pooled,
                                  rtol=1e-3)


def test_hook_arguments_are_checked():
    from mmautoaug.search.advaa import AdvAAHook
    with pytest.raises(ValueError, match='num_policies'):
        AdvAAHook(num_policies=1)
    with pytest.raises(ValueError, match='op_prob'):
        AdvAAHook(op_prob=0.0)
    # a model the hook cannot feed is named, with the two it can
    runner = type('Runner', (), {'model': nn.Linear(2, 2)})()
    with pytest.raises(TypeError, match='AdvAAClassifier or AdvAADetector'
                       '.*got Linear'):
        AdvAAHook._model(runner)
