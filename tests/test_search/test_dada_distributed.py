# Copyright (c) mmautoaug contributors. All rights reserved.
"""DADA under torch.distributed (gloo, 2 CPU processes): every rank ends
every step with the same network, policy and control variate."""
import os
import os.path as osp
import socket

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

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


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _rank_main(rank, world_size, port, out_dir):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=world_size)
    torch.set_num_threads(1)
    from mmautoaug.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS
    from mmautoaug.search.dada import SearchDistributedDataParallel
    from mmpretrain.structures import DataSample
    register_all_modules()
    # a different init per rank: the wrapper must broadcast rank 0's
    torch.manual_seed(rank)
    model = MODELS.build(
        dict(
            type='DADASearchModel',
            classifier=CLASSIFIER,
            seed=0,
            data_preprocessor=dict(
                type='AugmentDataPreprocessor',
                defer_normalize=True,
                mean=[100.0] * 3,
                std=[60.0] * 3)))
    wrapped = SearchDistributedDataParallel(module=model, device_ids=[rank])
    optim = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(
            type='SubmoduleOptimWrapperConstructor',
            optim_wrapper_cfg=dict(
                classifier=dict(
                    type='OptimWrapper',
                    optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
                policy=dict(
                    type='OptimWrapper',
                    optimizer=dict(type='Adam', lr=0.005,
                                   betas=(0.5, 0.999))))))(
                                       wrapped)
    start = {k: v.clone() for k, v in model.state_dict().items()}
    g = torch.Generator().manual_seed(100 + rank)  # each rank: its own data

    def batch():
        return dict(
            inputs=[
                torch.randint(
                    0, 256, (3, 16, 16), dtype=torch.uint8, generator=g)
                for _ in range(4)
            ],
            data_samples=[
                DataSample().set_gt_label(int(i))
                for i in torch.randint(0, 4, (4, ), generator=g)
            ])

    for _ in range(3):
        wrapped.train_step(dict(train=batch(), val=batch()), optim)
    torch.save(
        dict(start=start, end=model.state_dict()),
        osp.join(out_dir, f'rank{rank}.pth'))
    dist.destroy_process_group()


def test_two_ranks_stay_identical(tmp_path):
    mp.spawn(_rank_main, args=(2, _free_port(), str(tmp_path)), nprocs=2)
    states = [torch.load(tmp_path / f'rank{r}.pth') for r in range(2)]
    for key, value in states[0]['end'].items():
        if 'running_' in key or 'num_batches_tracked' in key:
            continue  # BN statistics are per rank (broadcast_buffers=False)
        torch.testing.assert_close(
            states[1]['end'][key], value, msg=key, rtol=0, atol=0)
    for key in ('policy.logits', 'policy.magnitudes',
                'classifier.head.fc.weight',
                'policy.control_variate.net.0.weight'):
        assert not torch.equal(states[0]['start'][key],
                               states[0]['end'][key]), key
