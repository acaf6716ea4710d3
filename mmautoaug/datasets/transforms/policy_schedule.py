# Copyright (c) mmautoaug contributors. All rights reserved.
"""A policy per epoch: replaying a search's schedule in a data pipeline."""
import math
import os
from typing import Dict, List, Sequence, Union

import torch

from mmautoaug.policy import Policy, load_policy
# the schedule's file layout lives with the policy format; re-exported here
# where it was first defined
from mmautoaug.policy.schedule import (SCHEDULE_FILE,  # noqa: F401
                                       list_schedule)

#: How a training epoch picks a schedule epoch (see :meth:`epoch_for`).
ALIGNMENTS = ('epoch', 'stretch')


class PolicySchedule:
    """The policies of a schedule and the epoch that is being replayed.

    All policies are loaded (and validated) when the schedule is built, so a
    bad file fails at start-up, not in a data-loader worker mid-training.
    The current epoch is held in a one-element tensor in shared memory:
    data-loader workers (forked or spawned, persistent or not) hold copies
    of the dataset, and so of this object, but the tensor's storage is the
    same in all of them, so :meth:`set_epoch` in the main process (by
    :class:`~mmautoaug.engine.hooks.PolicyScheduleHook`) reaches every
    worker before the epoch's first batch is loaded.

    Args:
        schedule (str | PathLike | list[str]): See
            :func:`~mmautoaug.policy.list_schedule`.

    Examples:
        >>> import os, tempfile
        >>> folder = tempfile.mkdtemp()
        >>> for e, op in ((1, 'Invert'), (2, 'Equalize')):
        ...     _ = Policy('autoaugment', [[(op, 1.0, 0.0)]]).save(
        ...         os.path.join(folder, f'epoch_{e:04d}.json'))
        >>> schedule = PolicySchedule(folder)
        >>> schedule.set_epoch(schedule.epoch_for(5, max_epochs=10))
        >>> schedule.current().sub_policies[0][0].op  # epoch 5 -> last one
        'Equalize'
    """

    def __init__(self, schedule: Union[str, os.PathLike, Sequence[str]]):
        files = list_schedule(schedule)
        self.source = (os.fspath(schedule) if isinstance(
            schedule, (str, os.PathLike)) else list(files.values()))
        self.policies: Dict[int, Policy] = {
            epoch: load_policy(path)
            for epoch, path in files.items()
        }
        spaces = {p.space_name for p in self.policies.values()}
        if len(spaces) != 1:
            raise ValueError(f'schedule: the policies mix the spaces '
                             f'{sorted(spaces)}; a schedule has one space')
        self.epochs: List[int] = sorted(self.policies)
        # -1: no epoch set yet (see current())
        self._epoch = torch.full((1, ), -1, dtype=torch.int64)
        self._epoch.share_memory_()

    def __len__(self) -> int:
        return len(self.epochs)

    def epoch_for(self, epoch: int, max_epochs: int,
                  align: str = 'epoch') -> int:
        """The schedule epoch that training epoch ``epoch`` (1-based) uses.

        Args:
            epoch (int): The training epoch, 1-based.
            max_epochs (int): The training run's number of epochs.
            align (str): ``'epoch'``: the schedule's own epoch (the paper's
                replay when both runs are equally long); the last one after
                the schedule ends. ``'stretch'``: the schedule spread over
                the whole run, epoch ``ceil(epoch * S / max_epochs)`` of a
                schedule of ``S`` epochs. A schedule with gaps uses its
                latest epoch at or before the target (its first before that).

        Returns:
            int: An epoch of :attr:`epochs`.
        """
        if align not in ALIGNMENTS:
            raise ValueError(f'align: {align!r}; allowed: {ALIGNMENTS}')
        if epoch < 1 or max_epochs < 1:
            raise ValueError(f'epoch_for: epoch ({epoch}) and max_epochs '
                             f'({max_epochs}) must be >= 1')
        target = epoch if align == 'epoch' else math.ceil(
            epoch * self.epochs[-1] / max_epochs)
        earlier = [e for e in self.epochs if e <= target]
        return earlier[-1] if earlier else self.epochs[0]

    def set_epoch(self, epoch: int) -> None:
        """Replay schedule epoch ``epoch`` (one of :attr:`epochs`) from now
        on, in this process and in every data-loader worker."""
        if epoch not in self.policies:
            raise ValueError(f'set_epoch: the schedule has no epoch {epoch}; '
                             f'it holds epochs {self.epochs[0]}..'
                             f'{self.epochs[-1]} ({len(self)} files)')
        self._epoch[0] = int(epoch)

    @property
    def epoch(self) -> int:
        """The schedule epoch being replayed (-1 before :meth:`set_epoch`)."""
        return int(self._epoch[0])

    def current(self) -> Policy:
        """The policy of the schedule epoch being replayed."""
        epoch = self.epoch
        if epoch < 0:
            raise RuntimeError(
                'PolicySchedule: no epoch set; add '
                "dict(type='mmautoaug.PolicyScheduleHook') to custom_hooks "
                '(it tells the pipeline which epoch of the schedule to '
                'replay) or call set_schedule_epoch()')
        return self.policies[epoch]

    def __repr__(self) -> str:
        return (f'PolicySchedule({self.source!r}, epochs {self.epochs[0]}..'
                f'{self.epochs[-1]}, current {self.epoch})')
