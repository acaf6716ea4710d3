# Copyright (c) mmautoaug contributors. All rights reserved.
"""The detector searches under torch.distributed (gloo, 2 CPU processes):
each rank augments its own images, and every rank ends every step with the
same detector, policy generator (AdvAA) or policy and control variate
(DADA)."""
import os
import os.path as osp
import socket

import torch
import torch.distributed as dist
import torch.multiprocessing as mp


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _rank_main(rank, world_size, port, out_dir, method):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=world_size)
    torch.set_num_threads(1)
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import DefaultScope

    from _det_standin import planted_batch, tiny_detector
    from mmautoaug.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS
    from mmautoaug.search import AdvAAHook, SearchDistributedDataParallel
    from mmautoaug.utils import register_all_modules
    register_all_modules()
    # a different init per rank: the wrapper must broadcast rank 0's
    torch.manual_seed(rank)
    with DefaultScope.overwrite_default_scope('mmdet'):
        if method == 'advaa':
            model = MODELS.build(
                dict(
                    type='mmautoaug.AdvAADetector',
                    detector=tiny_detector('retinanet'),
                    augmentor=dict(
                        type='mmautoaug.DetPolicyBatchAugment', seed=7),
                    copies_per_step=2))
        else:
            model = MODELS.build(
                dict(
                    type='mmautoaug.DADADetector',
                    detector=tiny_detector('retinanet'),
                    seed=0))
    wrapped = SearchDistributedDataParallel(module=model, device_ids=[rank])
    wrapped.train()
    if method == 'advaa':
        optim = build_optim_wrapper(
            wrapped, dict(optimizer=dict(type='SGD', lr=0.01, momentum=0.9)))
        hook = AdvAAHook(
            generator=dict(
                type='mmautoaug.AdvAAPolicyGenerator', space='detection'),
            num_policies=4,
            optimizer=dict(type='Adam', lr=0.01))
        # rank 1's generator starts elsewhere: before_train broadcasts
        torch.manual_seed(rank)
        for p in hook.generator.parameters():
            p.data.uniform_(-0.1, 0.1)
        hook._broadcast_generator()
    else:
        optim = OPTIM_WRAPPER_CONSTRUCTORS.build(
            dict(
                type='mmautoaug.SubmoduleOptimWrapperConstructor',
                optim_wrapper_cfg=dict(
                    detector=dict(
                        type='OptimWrapper',
                        optimizer=dict(type='SGD', lr=0.01, momentum=0.9)),
                    policy=dict(
                        type='OptimWrapper',
                        optimizer=dict(
                            type='Adam', lr=0.005, betas=(0.5, 0.999))))))(
                                wrapped)
    start = {k: v.clone() for k, v in model.state_dict().items()}
    for epoch in range(2):
        if method == 'advaa':
            actions = hook.sample(100 + epoch)
            model.set_policy_arrays(*hook.generator.to_arrays(actions))
            for it in range(2):  # each rank: its own images
                wrapped.train_step(planted_batch(offset=2 * rank + it), optim)
            # the hook's end of epoch: losses summed over ranks, one update
            loss_sum, count = model.pop_policy_losses()
            dist.all_reduce(loss_sum)
            dist.all_reduce(count)
            hook.update((loss_sum / count).float(), actions)
        else:
            wrapped.train_step(
                dict(
                    train=planted_batch(offset=rank + epoch),
                    val=planted_batch(offset=rank + epoch + 1)), optim)
    state = dict(start=start, end=model.state_dict())
    if method == 'advaa':
        state['generator'] = hook.generator.state_dict()
    torch.save(state, osp.join(out_dir, f'rank{rank}.pth'))
    dist.destroy_process_group()


def _run(tmp_path, method):
    mp.spawn(
        _rank_main, args=(2, _free_port(), str(tmp_path), method), nprocs=2)
    return [torch.load(tmp_path / f'rank{r}.pth') for r in range(2)]


def _assert_identical(a, b):
    for key, value in a.items():
        torch.testing.assert_close(b[key], value, msg=key, rtol=0, atol=0)


def test_advaa_two_ranks_stay_identical(tmp_path):
    states = _run(tmp_path, 'advaa')
    _assert_identical(states[0]['end'], states[1]['end'])
    _assert_identical(states[0]['generator'], states[1]['generator'])
    key = 'detector.bbox_head.retina_cls.weight'
    assert not torch.equal(states[0]['start'][key], states[0]['end'][key])


def test_dada_two_ranks_stay_identical(tmp_path):
    states = _run(tmp_path, 'dada')
    _assert_identical(states[0]['end'], states[1]['end'])
    for key in ('policy.logits', 'policy.probs',
                'policy.control_variate.net.0.weight',
                'detector.bbox_head.retina_cls.weight'):
        assert not torch.equal(states[0]['start'][key],
                               states[0]['end'][key]), key
