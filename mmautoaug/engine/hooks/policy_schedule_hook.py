# Copyright (c) mmautoaug contributors. All rights reserved.
"""Replay a search's policy schedule epoch by epoch while training."""
from typing import List

from mmengine.hooks import Hook

from mmautoaug.registry import HOOKS

#: Attributes through which datasets, dataset wrappers and composed
#: transforms hold their parts.
_PARTS = ('dataset', 'datasets', 'pipeline', 'transforms')


def scheduled_transforms(dataset) -> List:
    """Every transform in ``dataset``'s pipelines that replays a schedule
    (a :class:`~mmautoaug.datasets.PolicyAugment` built with
    ``schedule=...``), through dataset wrappers (``dataset`` /
    ``datasets``) and composed transforms (``transforms``)."""
    found, seen, todo = [], set(), [dataset]
    while todo:
        obj = todo.pop()
        if obj is None or id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, (list, tuple)):
            todo.extend(obj)
            continue
        if getattr(obj, 'schedule', None) is not None and hasattr(
                obj, 'set_schedule_epoch'):
            found.append(obj)
        for name in _PARTS:
            part = getattr(obj, name, None)
            if part is not None and not isinstance(part, (str, dict)):
                todo.append(part)
    return found


@HOOKS.register_module()
class PolicyScheduleHook(Hook):
    """Tell the train pipeline which epoch of a policy schedule to replay.

    Adversarial AutoAugment's result is a schedule: the policies of every
    search epoch (``work_dir/policy_schedule/epoch_XXXX.json``). A retrain
    or a pretrain replays it with ``PolicyAugment(schedule=...)`` in the
    train pipeline and this hook: before every training epoch it sets the
    schedule epoch on every such transform; the transform's shared-memory
    epoch reaches data-loader workers, persistent ones included, before
    the epoch's first batch is loaded (MMEngine calls ``before_train_epoch``
    before it iterates the loader).

    Args:
        align (str): ``'epoch'``: training epoch ``e`` replays schedule
            epoch ``e`` (the last one once the schedule ends; the paper's
            transfer when both runs are equally long). ``'stretch'``: the
            schedule is spread over the whole run (a 600-epoch retrain of a
            200-epoch schedule replays each search epoch three times).
            Defaults to ``'epoch'``.

    Examples:
        >>> train_pipeline = [
        ...     dict(type='mmautoaug.PolicyAugment',
        ...          schedule='work_dirs/advaa/policy_schedule'),
        ...     dict(type='mmpretrain.PackInputs')]
        >>> custom_hooks = [dict(type='mmautoaug.PolicyScheduleHook')]
    """

    priority = 'NORMAL'

    def __init__(self, align: str = 'epoch'):
        from mmautoaug.datasets.transforms.policy_schedule import ALIGNMENTS
        if align not in ALIGNMENTS:
            raise ValueError(f'PolicyScheduleHook: align={align!r}; allowed: '
                             f'{ALIGNMENTS}')
        self.align = align
        self.transforms: List = []

    def before_train(self, runner) -> None:
        self.transforms = scheduled_transforms(runner.train_dataloader.dataset)
        if not self.transforms:
            raise RuntimeError(
                'PolicyScheduleHook: the train pipeline has no '
                "PolicyAugment(schedule=...); add dict(type='mmautoaug."
                "PolicyAugment', schedule='<search work_dir>/policy_schedule')"
                ' to train_dataloader.dataset.pipeline')
        for t in self.transforms:
            schedule = t.schedule
            runner.logger.info(
                f'PolicyScheduleHook: replaying {len(schedule)} schedule '
                f'epochs ({schedule.epochs[0]}..{schedule.epochs[-1]}) of '
                f'{schedule.source} over {runner.max_epochs} epochs '
                f"(align='{self.align}')")
            if self.align == 'epoch' and \
                    schedule.epochs[-1] < runner.max_epochs:
                runner.logger.warning(
                    f'PolicyScheduleHook: the schedule ends at epoch '
                    f'{schedule.epochs[-1]}; epochs after it replay its last'
                    f" policy (align='stretch' spreads it over the run)")

    def before_train_epoch(self, runner) -> None:
        epoch = runner.epoch + 1
        for t in self.transforms:
            target = t.schedule.epoch_for(epoch, runner.max_epochs,
                                          self.align)
            t.set_schedule_epoch(target)
            runner.message_hub.update_scalar('train/schedule_epoch', target)
        runner.logger.info(
            f'PolicyScheduleHook: epoch {epoch} replays schedule epoch(s) '
            f'{sorted({t.schedule.epoch for t in self.transforms})}')
