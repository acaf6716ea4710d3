# Copyright (c) mmautoaug contributors. All rights reserved.
"""Test-only hook: every rank saves its learned weights after training.

Parameters only: BatchNorm running statistics are buffers that each rank
accumulates from its own data (``broadcast_buffers=False``, MMEngine's
default), so they legitimately differ between ranks.
"""
import os.path as osp

import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS


@HOOKS.register_module(force=True)
class SaveRankWeightsHook(Hook):

    def after_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) \
            else runner.model
        torch.save({k: v.detach().cpu() for k, v in model.named_parameters()},
                   osp.join(runner.work_dir, f'rank{get_rank()}_weights.pth'))
