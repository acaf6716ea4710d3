# Copyright (c) mmautoaug contributors. All rights reserved.
"""Write a search's current policy to the work dir as it goes."""
import os.path as osp
from typing import Optional

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmautoaug.registry import HOOKS


@HOOKS.register_module()
class PolicyExportHook(Hook):
    """Save ``model.export_policy()`` after every ``interval`` epochs and at
    the end of training.

    Works with any search model that has an ``export_policy() -> Policy``
    method (DADA, and any other method that follows the same face). Files
    (rank 0 only), in the runner's ``work_dir``:

    - ``policy_epoch_{n}.json``: the policy after epoch ``n`` (1-based);
    - ``policy.json``: the latest one (rewritten each time, and at the end).

    Args:
        interval (int): Export every ``interval`` epochs. Defaults to 1.
        filename (str): Name of the latest-policy file. Defaults to
            ``'policy.json'``.
        meta (dict, optional): Extra metadata merged into every exported
            policy's ``meta`` (e.g. ``dict(dataset='cifar10')``).

    Examples:
        >>> custom_hooks = [dict(type='mmautoaug.PolicyExportHook')]
    """

    priority = 'LOW'

    def __init__(self,
                 interval: int = 1,
                 filename: str = 'policy.json',
                 meta: Optional[dict] = None):
        if interval < 1:
            raise ValueError(
                f'PolicyExportHook: interval must be >= 1, got {interval}')
        self.interval = interval
        self.filename = filename
        self.meta = dict(meta or {})

    def _export(self, runner, epochs_done: int, epoch_file: bool) -> None:
        if not is_main_process():
            return
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        if not hasattr(model, 'export_policy'):
            raise AttributeError(
                f'PolicyExportHook: {type(model).__name__} has no '
                'export_policy(); it works with search models only')
        policy = model.export_policy()
        policy.meta.update(
            self.meta,
            epoch=epochs_done,
            iter=runner.iter,
            experiment=runner.experiment_name)
        if epoch_file:
            policy.save(
                osp.join(runner.work_dir, f'policy_epoch_{epochs_done}.json'))
        policy.save(osp.join(runner.work_dir, self.filename))
        runner.logger.info(
            f'PolicyExportHook: wrote {len(policy)} sub-policies to '
            f'{osp.join(runner.work_dir, self.filename)}')

    def after_train_epoch(self, runner) -> None:
        # The loop advances runner.epoch after this hook: +1 = epochs done.
        if self.every_n_epochs(runner, self.interval):
            self._export(runner, runner.epoch + 1, epoch_file=True)

    def after_train(self, runner) -> None:
        self._export(runner, runner.epoch, epoch_file=False)
