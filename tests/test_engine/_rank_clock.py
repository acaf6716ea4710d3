# Copyright (c) mmautoaug contributors. All rights reserved.
"""Test-only hook: a fake clock per rank, rank 1's 100x slower than rank
0's, and every rank writes the epoch it ended at."""
import os.path as osp

from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

from mmautoaug.engine.hooks import SearchCostHook


@HOOKS.register_module(force=True)
class RankClockHook(Hook):
    priority = 'HIGHEST'

    def before_train(self, runner) -> None:
        self.now = 0.0
        self.step = 1.0 if get_rank() == 0 else 100.0
        SearchCostHook.clock = staticmethod(lambda: self.now)

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        self.now += self.step

    def after_train(self, runner) -> None:
        with open(osp.join(runner.work_dir, f'rank{get_rank()}_epoch.txt'),
                  'w') as f:
            f.write(str(runner.epoch))
