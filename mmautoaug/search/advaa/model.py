# Copyright (c) mmautoaug contributors. All rights reserved.
"""The classifier side of Adversarial AutoAugment."""
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModel

from mmautoaug.registry import MODELS


class PolicyLossBook:
    """What :class:`AdvAAHook` needs of a model: the epoch's policies go to
    its ``augmentor``, and the training losses under each policy are summed
    (this rank only) until the hook pops them.

    Shared by the classifier (:class:`AdvAAClassifier`) and the detector
    (:class:`~mmautoaug.search.advaa.AdvAADetector`) sides of AdvAA. The
    model sets ``augmentor``, ``_loss_sum = _loss_count = None``, and adds
    to both as it trains.
    """

    def set_policy_arrays(self, op_index, prob, magnitude,
                          weights=None) -> None:
        """Set the epoch's ``M`` policies (``(M, S, K)`` arrays, see
        :meth:`PolicyBatchAugment.set_arrays`) and reset the loss sums."""
        self.augmentor.set_arrays(op_index, prob, magnitude, weights)
        self._reset_losses()

    def export_policy(self):
        """The epoch's ``M`` policies as one :class:`~mmautoaug.policy.Policy`
        of ``M * S`` sub-policies (the face of ``PolicyExportHook``)."""
        from mmautoaug.models.policy_models.advaa import union_policy
        aug = self.augmentor
        if aug.num_copies == 0:
            raise RuntimeError(f'{type(self).__name__}: no policies set yet')
        uniform = bool((aug.weights == aug.weights[:, :1]).all())
        return union_policy(aug.space.name, aug.op_index, aug.prob,
                            aug.magnitude,
                            weights=None if uniform else aug.weights,
                            meta=dict(method='advaa'))

    def _reset_losses(self) -> None:
        device = next(self.parameters()).device
        self._loss_sum = torch.zeros(self.augmentor.num_copies,
                                     dtype=torch.float64, device=device)
        self._loss_count = torch.zeros((), dtype=torch.float64,
                                       device=device)

    def pop_policy_losses(self) -> Tuple[torch.Tensor, torch.Tensor]:
        """The sum of per-sample training losses under each policy since the
        policies were set, ``(M,)``, and the images per copy, a scalar (this
        rank only); resets both."""
        if self._loss_sum is None:
            raise RuntimeError(f'{type(self).__name__}: no policies were '
                               'set')
        out = self._loss_sum.clone(), self._loss_count.clone()
        self._reset_losses()
        return out


@MODELS.register_module()
class AdvAAClassifier(PolicyLossBook, BaseModel):
    """Train a classifier on ``M`` adversarially augmented copies of a batch.

    Every training batch is augmented on the device ``M`` times, once under
    each of the ``M`` policies the :class:`~mmautoaug.search.AdvAAHook` set
    for the epoch; the classifier runs ONE forward/backward pass on the
    ``M * N`` images and its loss is the mean over the copies. The
    per-sample losses of that same pass are summed per policy (copy ``m`` is
    rows ``m * N ... (m + 1) * N - 1``) for the generator's update at the end
    of the epoch; no second forward pass is made.

    Since the augmentation happens in :meth:`loss` (``mode='loss'``), the
    stock ``train_step`` of MMEngine's ``BaseModel`` and of its DDP wrapper
    both run it.

    Args:
        classifier (dict | nn.Module): An mmpretrain ``ImageClassifier``
            (``extract_feat`` + a ``ClsHead`` whose ``loss_module`` accepts
            ``reduction_override='none'``, as mmpretrain's losses do).
        augmentor (dict | nn.Module): The batch augmentor. Defaults to
            ``PolicyBatchAugment`` in the ``autoaugment`` space with
            AutoAugment's CIFAR Cutout (16 px of 32).
        data_preprocessor (dict | nn.Module, optional): Must return
            un-normalised inputs in training and have ``normalize()``.
            Defaults to ``AugmentDataPreprocessor(defer_normalize=True)``.
        init_cfg (dict, optional): MMEngine initialisation config.

    Examples:
        >>> from mmautoaug.utils import register_all_modules
        >>> register_all_modules()  # the 'mmautoaug' default scope
        >>> from mmautoaug.models import AdvAAPolicyGenerator
        >>> model = AdvAAClassifier(
        ...     classifier=dict(
        ...         type='mmpretrain.ImageClassifier',
        ...         backbone=dict(type='WideResNet', depth=10, widen_factor=1),
        ...         neck=dict(type='mmpretrain.GlobalAveragePooling'),
        ...         head=dict(type='mmpretrain.LinearClsHead', num_classes=10,
        ...                   in_channels=64,
        ...                   loss=dict(type='mmpretrain.CrossEntropyLoss'))),
        ...     data_preprocessor=dict(type='AugmentDataPreprocessor',
        ...                            defer_normalize=True, mean=[128.] * 3,
        ...                            std=[64.] * 3))
        >>> gen = AdvAAPolicyGenerator()
        >>> model.set_policy_arrays(*gen.to_arrays(gen(8).actions))
        >>> x = torch.randint(0, 256, (2, 3, 32, 32)).float()
        >>> from mmpretrain.structures import DataSample
        >>> samples = [DataSample().set_gt_label(i) for i in (3, 7)]
        >>> model(x, samples, mode='loss')['loss'].backward()  # 16 images
        >>> loss_sum, count = model.pop_policy_losses()  # (8,), 2.
    """

    def __init__(self,
                 classifier: Union[dict, nn.Module],
                 augmentor: Union[dict, nn.Module] = dict(
                     type='PolicyBatchAugment', cutout=16),
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg: Optional[dict] = None):
        if data_preprocessor is None:
            data_preprocessor = dict(type='AugmentDataPreprocessor',
                                     defer_normalize=True)
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        if not getattr(data_preprocessor, 'defer_normalize', False) or \
                not hasattr(data_preprocessor, 'normalize'):
            raise ValueError(
                'AdvAAClassifier: data_preprocessor must return un-normalised '
                'inputs when training and provide normalize(); use '
                "dict(type='AugmentDataPreprocessor', defer_normalize=True), "
                f'got {type(data_preprocessor).__name__}')
        super().__init__(data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        if isinstance(classifier, dict):
            # Batches reach the classifier already preprocessed (by this
            # model's preprocessor) so its own one is unused; name
            # mmpretrain's default with its scope, which the mmautoaug
            # scope would not find unprefixed.
            classifier = dict(classifier)
            classifier.setdefault('data_preprocessor',
                                  dict(type='mmpretrain.ClsDataPreprocessor'))
            classifier = MODELS.build(classifier)
        self.classifier = classifier
        self.augmentor = (MODELS.build(augmentor)
                          if isinstance(augmentor, dict) else augmentor)
        head = getattr(self.classifier, 'head', None)
        if head is None or not hasattr(head, 'loss_module') or \
                not hasattr(self.classifier, 'extract_feat'):
            raise ValueError(
                'AdvAAClassifier: classifier must have extract_feat() and a '
                'head with a loss_module (an mmpretrain ImageClassifier), '
                f'got {type(self.classifier).__name__}')
        # Plain attributes, not buffers: DDP would overwrite buffers with
        # rank 0's values, and these sums are per rank until the hook reduces.
        self._loss_sum: Optional[torch.Tensor] = None
        self._loss_count: Optional[torch.Tensor] = None

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[list] = None,
                mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        return self.classifier(inputs, data_samples, mode=mode)

    def per_sample_loss(self, inputs: torch.Tensor,
                        data_samples: List) -> torch.Tensor:
        """Classification loss of every image of a normalised batch."""
        head = self.classifier.head
        cls_score = head(self.classifier.extract_feat(inputs))
        if 'gt_score' in data_samples[0]:
            target = torch.stack([s.gt_score for s in data_samples])
        else:
            target = torch.cat([s.gt_label for s in data_samples])
        loss = head.loss_module(cls_score, target, reduction_override='none')
        if loss.shape != (inputs.shape[0], ):
            raise ValueError(
                f'AdvAAClassifier: the head\'s loss_module returned shape '
                f'{tuple(loss.shape)} with reduction "none"; a per-sample '
                f'loss of shape ({inputs.shape[0]},) is needed')
        return loss

    def loss(self, inputs: torch.Tensor,
             data_samples: List) -> Dict[str, torch.Tensor]:
        """Augment ``inputs`` (``[0, 255]``) ``M`` times, train on all copies.

        Returns:
            dict: ``loss``, the mean of the ``M`` copies' mean losses.
        """
        num_m, batch = self.augmentor.num_copies, inputs.shape[0]
        if num_m == 0:
            raise RuntimeError(
                'AdvAAClassifier: no policies set; add '
                "dict(type='AdvAAHook') to custom_hooks (it sets the epoch's "
                'policies) or call set_policy_arrays()')
        if self._loss_sum is None or self._loss_sum.numel() != num_m:
            self._reset_losses()
        images = self.data_preprocessor.normalize(self.augmentor(inputs))
        per_sample = self.per_sample_loss(images, data_samples * num_m)
        per_copy = per_sample.view(num_m, batch)
        self._loss_sum += per_copy.detach().sum(1).to(self._loss_sum)
        self._loss_count += batch
        return dict(loss=per_copy.mean(1).mean())
