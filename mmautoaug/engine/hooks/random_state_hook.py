# Copyright (c) mmautoaug contributors. All rights reserved.
"""Carry the random generators' states in checkpoints."""
import random
import warnings
from typing import List, Optional

import numpy as np
import torch
from mmengine.dist import all_gather_object, get_rank, get_world_size
from mmengine.hooks import CheckpointHook, Hook

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

    Several processes: MMEngine saves checkpoints on rank 0 only (its
    ``save_checkpoint`` is ``master_only``), so the other ranks never reach
    ``before_save_checkpoint`` and cannot join a collective there. The states
    are therefore gathered where every rank passes just before a checkpoint
    may be written (the end of each training epoch; the training iterations
    an iteration-based ``CheckpointHook`` saves at; the end of validation,
    for ``save_best``), with a priority just above ``CheckpointHook``'s, and
    rank 0 writes them with its own state taken at the save itself.

    Data-loader worker processes seed themselves from the run's seed (MMEngine's
    ``worker_init_fn``), so their streams already repeat across a resume.

    Examples:
        >>> custom_hooks = [dict(type='mmautoaug.RandomStateHook')]
    """

    # just before CheckpointHook (VERY_LOW = 90), after every other hook of
    # the epoch's end that may still draw random numbers
    priority = 89

    def __init__(self) -> None:
        self._gathered: Optional[List[dict]] = None
        self._gathered_at: Optional[int] = None
        self._warned = False

    def _gather(self, runner) -> None:
        if get_world_size() > 1:
            self._gathered = all_gather_object(_states())
            self._gathered_at = runner.iter

    def after_train_epoch(self, runner) -> None:
        self._gather(runner)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        if get_world_size() > 1 and _iter_checkpoint_due(runner):
            self._gather(runner)

    def after_val_epoch(self, runner, metrics=None) -> None:
        self._gather(runner)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        # only rank 0 gets here
        if get_world_size() == 1:
            checkpoint['random_state'] = [_states()]
        elif self._gathered_at == runner.iter:
            states = list(self._gathered)
            states[get_rank()] = _states()
            checkpoint['random_state'] = states
        elif not self._warned:
            self._warned = True
            warnings.warn(
                'RandomStateHook: a checkpoint was saved at iteration '
                f'{runner.iter}, where the random states of the ranks were '
                'not gathered (outside the end of an epoch, a checkpoint '
                'iteration or validation); it holds none, and a resume from '
                'it starts the random streams afresh from the seed.')

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


def _iter_checkpoint_due(runner) -> bool:
    """Will an iteration-based CheckpointHook save after this iteration?

    The same test as ``CheckpointHook.after_train_iter`` (identical on every
    rank)."""
    for hook in runner.hooks:
        if isinstance(hook, CheckpointHook) and not hook.by_epoch:
            if hook.every_n_train_iters(runner, hook.interval,
                                        hook.save_begin) or (
                                            hook.save_last
                                            and hook.is_last_train_iter(runner)):
                return True
    return False
