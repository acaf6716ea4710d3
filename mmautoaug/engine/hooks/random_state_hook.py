# Copyright (c) mmautoaug contributors. All rights reserved.
"""Carry the random generators' states in checkpoints."""
import random
import warnings

import numpy as np
import torch
from mmengine.dist import all_gather_object, get_rank, get_world_size
from mmengine.hooks import Hook

from mmautoaug.registry import HOOKS


def _states() -> dict:
    state = dict(python=random.getstate(), numpy=np.random.get_state(),
                 torch=torch.get_rng_state())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state()
    return state


def _restore(state: dict) -> None:
    random.setstate(state['python'])
    np.random.set_state(state['numpy'])
    torch.set_rng_state(state['torch'])
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state(state['cuda'])


@HOOKS.register_module()
class RandomStateHook(Hook):
    """Save every rank's RNG states with the checkpoint; restore on resume.

    MMEngine re-seeds at start-up but does not checkpoint the generators, so
    a resumed run draws different random numbers than an uninterrupted one
    (pipeline flips and crops, Gumbel noise, sampled policies...). A search
    that is interrupted should lose nothing, so this hook stores the Python,
    numpy and torch (CPU and current CUDA device) generator states of every
    rank under ``checkpoint['random_state']`` and puts them back on resume.
    A resume with another number of processes cannot continue the same
    streams: it warns and keeps the fresh seeds.

    Data-loader worker processes seed themselves from the run's seed (MMEngine's
    ``worker_init_fn``), so their streams already repeat across a resume.

    Examples:
        >>> custom_hooks = [dict(type='mmautoaug.RandomStateHook')]
    """

    priority = 'VERY_LOW'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        # Every rank calls this hook; only rank 0 writes the file.
        checkpoint['random_state'] = all_gather_object(_states())

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        states = checkpoint.get('random_state')
        if not states:
            return
        if len(states) != get_world_size():
            warnings.warn(
                f'checkpoint holds random states of {len(states)} processes '
                f'but this run has {get_world_size()}; random streams start '
                'afresh from the seed.')
            return
        _restore(states[get_rank()])
