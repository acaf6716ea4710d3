# Copyright (c) mmautoaug contributors. All rights reserved.
"""Know what a search costs before it has run, and stop it at a budget."""
import json
import math
import os.path as osp
import re
import time
from typing import Any, Dict, Optional, Union

import torch
from mmengine.dist import (broadcast_object_list, get_world_size,
                           is_main_process)
from mmengine.hooks import CheckpointHook, Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import IterBasedTrainLoop

from mmautoaug.registry import HOOKS

#: Written into the work dir (rank 0): the measurements and the estimate.
COST_FILE = 'search_cost.json'
#: What a budget of each kind of training loop may count.
_BUDGET_KEYS = {
    'epoch': 'max_epochs',
    'iter': 'max_iters',
    'step': 'max_steps'
}
_UNITS = {'s': 1, 'sec': 1, 'm': 60, 'min': 60, 'h': 3600, 'd': 86400}


def parse_duration(value: Union[int, float, str, None],
                   name: str = 'max_time') -> Optional[float]:
    """Seconds from a number or a text such as ``'90s'``, ``'45m'``,
    ``'2h'``, ``'1h30m'`` or ``'1d'``.

    Examples:
        >>> parse_duration('1h30m'), parse_duration(90), parse_duration(None)
        (5400.0, 90.0, None)
    """
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and re.fullmatch(
            r'\s*(\d+(\.\d*)?\s*(s|sec|m|min|h|d)\s*)+', value):
        seconds = sum(
            float(num) * _UNITS[unit] for num, _, unit in re.findall(
                r'(\d+(\.\d*)?)\s*(sec|min|s|m|h|d)', value))
    else:
        raise ValueError(f"{name}: {value!r} is not a duration; give seconds "
                         "(a number) or a text like '90s', '45m', '2h', "
                         "'1h30m', '1d'")
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f'{name}: must be positive, got {value!r}')
    return seconds


def format_duration(seconds: float) -> str:
    """``'2 h 05 min'``, ``'3 min 20 s'`` or ``'12.3 s'``.

    Examples:
        >>> format_duration(7512), format_duration(200), format_duration(4.25)
        ('2 h 05 min', '3 min 20 s', '4.2 s')
    """
    if seconds >= 3600:
        hours, rest = divmod(int(round(seconds / 60)), 60)
        return f'{hours} h {rest:02d} min'
    if seconds >= 60:
        minutes, rest = divmod(int(round(seconds)), 60)
        return f'{minutes} min {rest:02d} s'
    return f'{seconds:.1f} s'


@HOOKS.register_module()
class SearchCostHook(Hook):
    """Print what a search will cost after its first timed steps; stop it
    cleanly at a budget.

    **The estimate.** After ``warmup_iters`` iterations (data loader start,
    allocator and kernel warm-up) it times the next ``timed_iters`` and logs
    the cost of the whole run on this hardware: seconds per iteration x
    iterations, in wall time and in device-hours (wall time x ranks: GPU
    hours on GPUs). After the first whole *unit* (an epoch; an AWS
    controller step; for iteration-based loops the iteration estimate is
    final) it logs the estimate again from the unit's wall time, which also
    holds what the iterations leave out (validation, per-epoch hooks, AWS's
    held-out evaluation and PPO update). Both go to
    ``work_dir/search_cost.json``, with what the run really took at the end.

    **The budget.** ``max_time`` (wall time of this run), ``max_epochs``
    (epoch-based loops), ``max_iters`` (iteration-based loops) or
    ``max_steps`` (AWS stage 2's controller steps) stop the run at a unit
    boundary, counted from where this run started (a resumed run gets a
    fresh budget). With ``max_time`` no unit is started that the measured
    pace says would end after it, so the run stays within its time unless
    a unit takes longer than those before it. The stop is clean: the loop
    ends as at its natural end, so ``after_train`` hooks write their final
    files (``PolicyExportHook``'s ``policy.json``, ``AdvAAHook``'s
    ``policy_final.json``) and AWS stage 2 finishes its step (reward, PPO,
    state, policy files); a checkpoint of the last unit is saved if the
    ``CheckpointHook`` did not save one, so ``--resume`` continues the
    search. On several ranks rank 0 decides and every rank follows.

    Progress is read from the runner's train loop: ``epoch``/``max_epochs``
    for MMEngine's epoch-based loops (``DADASearchLoop`` included),
    ``iter``/``max_iters`` for ``IterBasedTrainLoop`` and ``step``/
    ``num_steps``/``finetune_epoch``/``finetune_epochs``/``stop_training``
    for loops that run controller steps of several epochs
    (``AWSSearchLoop``).

    Set a budget from the command line::

        python tools/train.py CONFIG \\
            --cfg-options default_hooks.search_cost.max_time=2h

    Args:
        warmup_iters (int): Iterations not timed. Defaults to 2.
        timed_iters (int): Iterations timed for the first estimate.
            Defaults to 10.
        max_time (float | str, optional): Wall-time budget of this run:
            seconds or a text like ``'45m'``, ``'2h'``, ``'1h30m'``.
        max_epochs (int, optional): Epochs this run may train (epoch-based
            loops).
        max_iters (int, optional): Iterations this run may train
            (iteration-based loops).
        max_steps (int, optional): Controller steps this run may take
            (``AWSSearchLoop``).

    Examples:
        >>> default_hooks = dict(
        ...     search_cost=dict(type='mmautoaug.SearchCostHook',
        ...                      max_time='2h'))
    """

    priority = 'LOWEST'  # after CheckpointHook: it may save what it did not

    def __init__(self,
                 warmup_iters: int = 2,
                 timed_iters: int = 10,
                 max_time: Union[float, str, None] = None,
                 max_epochs: Optional[int] = None,
                 max_iters: Optional[int] = None,
                 max_steps: Optional[int] = None):
        for name, value in (('warmup_iters', warmup_iters),
                            ('timed_iters', timed_iters)):
            if isinstance(value, bool) or not isinstance(value, int) or (
                    value < (0 if name == 'warmup_iters' else 1)):
                raise ValueError(f'SearchCostHook: {name} must be an integer '
                                 f'>= {0 if name == "warmup_iters" else 1}, '
                                 f'got {value!r}')
        self.warmup_iters = warmup_iters
        self.timed_iters = timed_iters
        self.max_time = parse_duration(max_time, 'SearchCostHook: max_time')
        self.max_counts = {}
        for name, value in (('max_epochs', max_epochs),
                            ('max_iters', max_iters),
                            ('max_steps', max_steps)):
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or \
                    value < 1:
                raise ValueError(f'SearchCostHook: {name} must be a positive '
                                 f'integer, got {value!r}')
            self.max_counts[name] = value
        self.stopped_by_budget: Optional[str] = None
        self.record: Dict[str, Any] = {}

    # -- the clock (a function, so tests can drive it) -----------------------
    @staticmethod
    def clock() -> float:
        return time.perf_counter()

    # -- reading the loop ----------------------------------------------------
    @staticmethod
    def unit_kind(loop) -> str:
        """``'step'`` (controller steps of several epochs), ``'iter'`` or
        ``'epoch'``: what this hook counts in ``loop``."""
        if all(hasattr(loop, k) for k in ('step', 'num_steps',
                                          'finetune_epoch',
                                          'finetune_epochs')):
            return 'step'
        if isinstance(loop, IterBasedTrainLoop):
            return 'iter'
        return 'epoch'

    def _units_done(self, runner) -> int:
        """Units finished, counted from the start of training (not run)."""
        loop = runner.train_loop
        if self.kind == 'step':
            return int(loop.step)
        if self.kind == 'iter':
            return int(runner.iter)
        return int(runner.epoch)

    def _units_total(self, runner) -> int:
        loop = runner.train_loop
        if self.kind == 'step':
            return int(loop.num_steps)
        if self.kind == 'iter':
            return int(loop.max_iters)
        return int(loop.max_epochs)

    # -- hooks ---------------------------------------------------------------
    def before_train(self, runner) -> None:
        loop = runner.train_loop
        self.kind = self.unit_kind(loop)
        allowed = _BUDGET_KEYS[self.kind]
        wrong = sorted(k for k in self.max_counts if k != allowed)
        if wrong:
            raise ValueError(
                f'SearchCostHook: {wrong[0]} does not apply to '
                f'{type(loop).__name__}, which counts {self.kind}s; use '
                f'{allowed} (or max_time)')
        if (self.max_time is not None or self.max_counts) and not hasattr(
                loop, 'stop_training'):
            raise TypeError(
                f'SearchCostHook: {type(loop).__name__} has no stop_training '
                'flag, so a budget cannot stop it; remove the budget or give '
                'the loop the flag MMEngine\'s loops have')
        self.world_size = get_world_size()
        self.start = self.clock()
        self.start_units = self._units_done(runner)
        self.start_iter = int(runner.iter)
        self.total_units = self._units_total(runner)
        self.total_iters = int(loop.max_iters)
        self.iters_run = 0
        self.warm_time: Optional[float] = None
        self.units_timed = 0  # units of this run that have ended
        self._step_seen = self.start_units
        self.stopped_by_budget = None
        self.record = dict(
            loop=type(loop).__name__, unit=self.kind,
            units_total=self.total_units, iters_total=self.total_iters,
            start_unit=self.start_units, start_iter=self.start_iter,
            world_size=self.world_size, device=self._device(runner),
            budget=dict(max_time=self.max_time, **self.max_counts))
        budget = ', '.join(
            f'{k}={v}' for k, v in self.record['budget'].items()
            if v is not None)
        runner.logger.info(
            f'SearchCostHook: {self.total_units - self.start_units} '
            f'{self.kind}(s) to run ({self.total_iters - self.start_iter} '
            f'iterations) on {self.world_size} rank(s) of '
            f'{self.record["device"]}; budget: {budget or "none"}')

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        self.iters_run += 1
        now = self.clock()
        if self.iters_run == self.warmup_iters:
            self.warm_time = now
        elif self.iters_run == self.warmup_iters + self.timed_iters:
            since = self.start if self.warm_time is None else self.warm_time
            per_iter = (now - since) / self.timed_iters
            total = per_iter * self.total_iters
            left = per_iter * (self.total_iters - self.start_iter -
                               self.iters_run)
            self.record['iter_estimate'] = dict(
                timed_iters=self.timed_iters, seconds_per_iter=per_iter,
                total_s=total, remaining_s=left,
                device_hours=total * self.world_size / 3600)
            self._write(runner)
            runner.logger.info(
                f'SearchCostHook: {per_iter:.4g} s per iteration over '
                f'{self.timed_iters} timed iterations -> the whole run '
                f'({self.total_iters} iterations) takes about '
                f'{format_duration(total)} on this hardware, '
                f'{self._hours(total)}; {format_duration(left)} remain'
                f'{self._iter_caveat()}')
        if self.kind == 'iter':
            self._unit_end(runner, int(runner.iter) + 1, now)

    def after_train_epoch(self, runner) -> None:
        if self.kind == 'epoch':
            # the loop counts the epoch after this hook
            self._unit_end(runner, int(runner.epoch) + 1, self.clock())
        elif self.kind == 'step':
            loop = runner.train_loop
            if int(loop.finetune_epoch) == int(loop.finetune_epochs) - 1:
                # the step's training is done; its evaluation and PPO
                # update follow, then the loop reads stop_training
                self._decide(runner, int(loop.step) + 1, self.clock(),
                             partial=True)

    def before_train_epoch(self, runner) -> None:
        if self.kind != 'step':
            return
        loop = runner.train_loop
        if int(loop.finetune_epoch) == 0 and int(loop.step) > self._step_seen:
            self._step_seen = int(loop.step)
            self._timed_unit(runner, int(loop.step), self.clock())

    def after_train(self, runner) -> None:
        now = self.clock()
        done = self._units_done(runner)
        if self.kind == 'step' and done > self._step_seen:
            self._timed_unit(runner, done, now)
        elapsed = now - self.start
        self.record['run'] = dict(
            elapsed_s=elapsed, units_done=done - self.start_units,
            iters_done=int(runner.iter) - self.start_iter,
            device_hours=elapsed * self.world_size / 3600,
            stopped_by_budget=self.stopped_by_budget)
        self._write(runner)
        if self.stopped_by_budget:
            runner.logger.info(
                f'SearchCostHook: stopped by the budget '
                f'({self.stopped_by_budget}) after {done} of '
                f'{self.total_units} {self.kind}(s), '
                f'{format_duration(elapsed)}; `--resume` continues')

    # -- bookkeeping ---------------------------------------------------------
    def _unit_end(self, runner, done: int, now: float) -> None:
        """A unit has ended (epoch- and iteration-based loops)."""
        self._timed_unit(runner, done, now)
        self._decide(runner, done, now)

    def _timed_unit(self, runner, done: int, now: float) -> None:
        self.units_timed += 1
        if self.units_timed != 1 or self.kind == 'iter':
            return
        units = done - self.start_units
        per_unit = (now - self.start) / units
        left = per_unit * (self.total_units - done)
        total = per_unit * self.total_units
        self.record['unit_estimate'] = dict(
            units_timed=units, seconds_per_unit=per_unit, total_s=total,
            remaining_s=left, device_hours=total * self.world_size / 3600)
        self._write(runner)
        runner.logger.info(
            f'SearchCostHook: {format_duration(per_unit)} per {self.kind} '
            f'(the first of this run, all included) -> the whole run '
            f'({self.total_units} {self.kind}s) takes about '
            f'{format_duration(total)} on this hardware, '
            f'{self._hours(total)}; {format_duration(left)} remain')

    def _decide(self, runner, done: int, now: float,
                partial: bool = False) -> None:
        """Stop the loop if the budget says so (rank 0 decides)."""
        if done >= self.total_units:
            return  # the natural end: nothing to stop
        reason = None
        count = self.max_counts.get(_BUDGET_KEYS[self.kind])
        if count is not None and done - self.start_units >= count:
            # counts are the same on every rank: no need to agree on them
            reason = f'{_BUDGET_KEYS[self.kind]}={count}'
        elif self.max_time is not None:
            elapsed = now - self.start
            # the pace of the units of this run; a step in progress counts
            # as done (what is left of it is its evaluation)
            per_unit = elapsed / max(done - self.start_units, 1)
            if elapsed + per_unit > self.max_time:
                reason = (f'max_time={format_duration(self.max_time)}: '
                          f'{format_duration(elapsed)} spent, the next '
                          f'{self.kind} would take about '
                          f'{format_duration(per_unit)}')
            if self.world_size > 1:  # clocks differ: rank 0 decides
                shared = [reason]
                broadcast_object_list(shared)
                reason = shared[0]
        if reason is None:
            return
        self.stopped_by_budget = reason
        runner.train_loop.stop_training = True
        runner.logger.info(f'SearchCostHook: budget reached ({reason}); '
                           f'stopping after this {self.kind}')
        if self.kind != 'step':
            self._save_checkpoint(runner, done)

    def _save_checkpoint(self, runner, done: int) -> None:
        """Save the last unit through the CheckpointHook if it did not."""
        hooks = [h for h in runner.hooks if isinstance(h, CheckpointHook)]
        if not hooks:
            runner.logger.warning(
                'SearchCostHook: no CheckpointHook, so this stopped run '
                'cannot be resumed; keep default_hooks.checkpoint')
            return
        hook = hooks[0]
        last = runner.message_hub.get_info('last_ckpt') or ''
        if osp.basename(last) != hook.filename_tmpl.format(done):
            hook._save_checkpoint(runner)

    def _device(self, runner) -> str:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        param = next(iter(model.parameters()), None)
        device = param.device if param is not None else torch.device('cpu')
        if device.type == 'cuda':
            return f'GPU {torch.cuda.get_device_name(device)}'
        return device.type.upper()

    def _hours(self, seconds: float) -> str:
        kind = 'GPU' if self.record['device'].startswith('GPU') else \
            'device'
        return (f'{seconds * self.world_size / 3600:.3g} {kind}-hours '
                f'({self.world_size} rank(s))')

    def _iter_caveat(self) -> str:
        if self.kind == 'step':
            return ('; fine-tuning iterations only: each step\'s held-out '
                    'evaluation and PPO update are added after the first '
                    'step')
        if self.kind == 'epoch':
            return ('; training iterations only: validation and per-epoch '
                    'work are added after the first epoch')
        return ''

    def _write(self, runner) -> None:
        if is_main_process():
            with open(osp.join(runner.work_dir, COST_FILE), 'w') as f:
                json.dump(self.record, f, indent=1)
