# Copyright (c) mmautoaug contributors. All rights reserved.
"""Test-only hook: what an AWSImageClassifier trained on, on every rank.

Wraps the model's ``augment`` (counting its calls, keeping its input and
output) and watches the backbone's input, then saves both per rank to
``work_dir/aws_stage1_probe_rank{r}.pth``.
"""
import os.path as osp

import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS


@HOOKS.register_module(force=True)
class AWSStage1ProbeHook(Hook):

    def before_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) \
            else runner.model
        self.record = dict(
            augment_in=[],
            augment_out=[],
            backbone_in=[],
            iters=0,
            wrapper=type(runner.model).__name__)
        augment = model.augment

        def recording_augment(inputs):
            out = augment(inputs)
            self.record['augment_in'].append(inputs.detach().cpu().clone())
            self.record['augment_out'].append(out.detach().cpu().clone())
            return out

        model.augment = recording_augment
        model.backbone.register_forward_pre_hook(
            lambda module, args: self.record['backbone_in'].append(args[
                0].detach().cpu().clone()))
        self.model = model

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None) -> None:
        self.record['iters'] += 1

    def after_train(self, runner) -> None:
        pre = self.model.data_preprocessor
        self.record.update(
            pair_usage=self.model.pair_usage.cpu().clone(),
            mean=pre.mean.cpu().clone(),
            std=pre.std.cpu().clone())
        torch.save(
            self.record,
            osp.join(runner.work_dir,
                     f'aws_stage1_probe_rank{get_rank()}.pth'))
