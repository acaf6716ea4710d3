# Copyright (c) mmautoaug contributors. All rights reserved.
"""Distributed runs on machines without GPUs (gloo)."""
import os
import warnings

import torch
import torch.distributed as torch_dist


def prepare_cpu_distributed(cfg) -> bool:
    """Make a ``--launcher pytorch`` run work on CPU-only machines.

    MMEngine 0.10 assumes a GPU per process in two places: its
    ``init_dist`` calls ``torch.cuda.set_device(local_rank)`` whatever the
    backend, and its runner wraps the model with ``device_ids=[local_rank]``,
    which DistributedDataParallel rejects for a CPU module. When no GPU is
    visible this starts the process group itself with gloo (the runner then
    skips ``init_dist``; a configured 'nccl' backend, which needs CUDA, is
    replaced by 'gloo' with a warning) and sets ``device_ids=None`` in the
    model wrapper. It does nothing with GPUs or without a launcher.

    Args:
        cfg (mmengine.Config): The run's config; ``launcher`` must be set.
            ``model_wrapper_cfg`` is added or updated in place.

    Returns:
        bool: Whether the CPU set-up was applied.
    """
    if cfg.get('launcher', 'none') == 'none' or torch.cuda.is_available():
        return False
    backend = cfg.get('env_cfg', {}).get('dist_cfg', {}).get('backend')
    if backend == 'nccl':
        warnings.warn('env_cfg.dist_cfg.backend is "nccl" but no GPU is '
                      'visible: running the processes on CPU with "gloo".')
    elif backend not in (None, 'gloo'):
        raise RuntimeError(
            f'env_cfg.dist_cfg.backend={backend!r} cannot run without GPUs; '
            'use "gloo" (--cfg-options env_cfg.dist_cfg.backend=gloo).')
    if not torch_dist.is_initialized():
        if cfg.launcher != 'pytorch':
            raise RuntimeError(
                f'--launcher {cfg.launcher} without GPUs is not supported; '
                'use --launcher pytorch (tools/dist_train.sh).')
        torch_dist.init_process_group(
            backend='gloo', rank=int(os.environ['RANK']),
            world_size=int(os.environ['WORLD_SIZE']))
    wrapper = cfg.get('model_wrapper_cfg', None) or dict(
        type='MMDistributedDataParallel', broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
    return True


def close_distributed() -> None:
    """End a distributed run: every rank waits for the others, then its
    process group is destroyed before the interpreter exits.

    A rank that leaves while its gloo peers still hold open connections
    can be killed during interpreter shutdown ("terminate called without
    an active exception") when the group is torn down by garbage
    collection in an arbitrary order; PyTorch asks for an explicit
    ``destroy_process_group`` for the same reason. Does nothing outside a
    distributed run.

    Examples:
        >>> from mmautoaug.utils import close_distributed
        >>> close_distributed()  # not distributed: a no-op
    """
    if torch_dist.is_available() and torch_dist.is_initialized():
        torch_dist.barrier()
        torch_dist.destroy_process_group()
