# Copyright (c) mmautoaug contributors. All rights reserved.
"""The detector side of Adversarial AutoAugment."""
from typing import Dict, Optional, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModel

from mmautoaug.registry import MODELS
from ..detector_utils import (all_reduce_grads, build_detector,
                              check_preprocessor, copy_losses,
                              split_detector_config)
from .model import PolicyLossBook


@MODELS.register_module()
class AdvAADetector(PolicyLossBook, BaseModel):
    """Train an mmdet detector on ``M`` adversarially augmented copies of
    every batch.

    The detection counterpart of :class:`AdvAAClassifier`, driven by the
    same :class:`~mmautoaug.search.AdvAAHook` (generator, REINFORCE update,
    schedule and checkpoints unchanged): the ``M`` policies of the epoch
    augment ``M`` copies of every batch on the device
    (:class:`~mmautoaug.models.DetPolicyBatchAugment`: boxes, labels and
    bitmap masks move with the pixels), the detector trains on all of them
    with the mean of the copies' losses, and each policy is credited with
    the detector's total loss on its own copy.

    Per-copy losses: mmdet's losses are normalised over the batch they see
    (RetinaNet divides by the positive anchors of the whole batch, the RPN
    and RoI heads by their sampled boxes), so one pass over the ``M * N``
    images gives no per-copy decomposition. The loss of copy ``m`` is the
    detector's loss on those ``N`` images alone, which is what a plain step
    on them would report: the backbone and neck run once on a chunk of
    ``copies_per_step`` copies (they treat images independently with frozen
    BN, as the stock R-50 configs have it) and the heads once per copy.

    Memory stays bounded by ``copies_per_step``: copies are processed in
    chunks, each with its own backward (gradients accumulate), and one
    optimiser step follows all ``M`` (the same step as one pass over all
    copies: the mean of the copies' losses).

    Args:
        detector (dict | nn.Module): An mmdet detector config (e.g. the
            stock ``model`` of an ``mmdet::`` config) or module.
        augmentor (dict | nn.Module): Defaults to ``DetPolicyBatchAugment``
            in the ``'detection'`` space. Its ``channel_order`` is set from
            the data preprocessor.
        data_preprocessor (dict, optional): Defaults to the detector's own
            preprocessor config as a ``DetAugmentDataPreprocessor`` that
            defers normalisation.
        copies_per_step (int, optional): Copies per forward/backward chunk;
            ``None`` (default) processes all ``M`` at once.
        init_cfg (dict, optional): Initialisation config.

    Distributed: use ``model_wrapper_cfg=dict(type=
    'mmautoaug.SearchDistributedDataParallel')``; the gradients are averaged
    over ranks here (after the last chunk), so every rank takes the same
    step, and the hook sums the per-policy losses over ranks.
    """

    def __init__(self,
                 detector: Union[dict, nn.Module],
                 augmentor: Union[dict, nn.Module] = dict(
                     type='mmautoaug.DetPolicyBatchAugment'),
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 copies_per_step: Optional[int] = None,
                 init_cfg: Optional[dict] = None):
        detector, data_preprocessor = split_detector_config(
            detector, data_preprocessor)
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        check_preprocessor(self, 'AdvAADetector')
        self.detector = build_detector(detector, 'AdvAADetector')
        self.augmentor = MODELS.build(augmentor) if isinstance(
            augmentor, dict) else augmentor
        if not hasattr(self.augmentor, 'channel_order'):
            raise TypeError('AdvAADetector: augmentor must be a detection '
                            'batch augmentor (DetPolicyBatchAugment), got '
                            f'{type(self.augmentor).__name__}')
        self.augmentor.channel_order = self.data_preprocessor.channel_order
        if copies_per_step is not None and (isinstance(
                copies_per_step, bool) or not isinstance(copies_per_step, int)
                                            or copies_per_step < 1):
            raise ValueError('AdvAADetector: copies_per_step must be None '
                             f'or a positive int, got {copies_per_step!r}')
        self.copies_per_step = copies_per_step
        # plain attributes (per rank until the hook reduces them)
        self._loss_sum: Optional[torch.Tensor] = None
        self._loss_count: Optional[torch.Tensor] = None

    def train_step(self, data, optim_wrapper) -> Dict[str, torch.Tensor]:
        """One step on the ``M`` copies of a batch, chunk by chunk.

        Returns:
            dict: the mean over copies of the detector's log variables
            (``loss`` and its parts).
        """
        num_m = self.augmentor.num_copies
        if num_m == 0:
            raise RuntimeError(
                'AdvAADetector: no policies set; add '
                "dict(type='mmautoaug.AdvAAHook') to custom_hooks (it sets "
                "the epoch's policies) or call set_policy_arrays()")
        if self._loss_sum is None or self._loss_sum.numel() != num_m:
            self._reset_losses()
        data = self.data_preprocessor(data, True)
        inputs, samples = data['inputs'], data['data_samples']
        batch = len(inputs)
        chunk = self.copies_per_step or num_m
        logs: Dict[str, torch.Tensor] = {}
        for start in range(0, num_m, chunk):
            copies = list(range(start, min(num_m, start + chunk)))
            with optim_wrapper.optim_context(self):
                images, copy_samples = self.augmentor(inputs, samples, copies)
                images = self.data_preprocessor.normalize(images, copy_samples)
                per_copy, log_vars = copy_losses(self, self.detector, images,
                                                 copy_samples, len(copies))
            # the mean over all M copies, accumulated chunk by chunk
            optim_wrapper.backward(per_copy.sum() / num_m)
            self._loss_sum[copies] += per_copy.detach().to(
                self._loss_sum) * batch
            for key, value in log_vars.items():
                logs[key] = logs.get(key, 0) + value
        self._loss_count += batch
        all_reduce_grads(list(self.detector.parameters()))
        optim_wrapper.step()
        optim_wrapper.zero_grad()
        return {key: value / num_m for key, value in logs.items()}

    def forward(self,
                inputs: torch.Tensor,
                data_samples=None,
                mode: str = 'tensor'):
        """The detector on normalised inputs (``mode`` as mmdet)."""
        return self.detector(inputs, data_samples, mode=mode)
