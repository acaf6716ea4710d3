# Copyright (c) mmautoaug contributors. All rights reserved.
"""The classifier AWS trains: augments every image with a sampled pair."""
from typing import Dict, Optional, Union

import torch
from mmengine.optim import OptimWrapper
from mmpretrain.models import ImageClassifier

from mmautoaug.augment import SearchSpace, get_space
from mmautoaug.augment.batch_ops import augment_batch
from mmautoaug.registry import MODELS


@MODELS.register_module()
class AWSImageClassifier(ImageClassifier):
    """mmpretrain's ``ImageClassifier`` trained under an AWS distribution.

    In ``train_step`` every image of the batch draws an ordered pair
    ``(i, j)`` of the space's candidates from :attr:`pair_probs` (uniform
    until :meth:`set_distribution` is called: AWS's stage 1) and gets
    candidate ``i`` then candidate ``j`` applied on the device by the batched
    op library, with a random sign for signed ops, before normalisation.
    :attr:`pair_usage` counts the pairs drawn since :meth:`reset_usage`
    (PPO spreads the advantage over pairs by it). Evaluation is plain
    ``ImageClassifier`` evaluation. The distribution and the counts are
    non-persistent buffers, so checkpoints hold exactly an
    ``ImageClassifier``'s state.

    Args:
        space (str | SearchSpace): The space whose ``candidates`` are paired.
            Defaults to ``'aws'``.
        channel_order (str): Channel order of the batch the preprocessor
            returns (``'rgb'`` after ``to_rgb=True`` on BGR-loaded images or
            for CIFAR's RGB pickles; ``'bgr'`` otherwise). Defaults to
            ``'rgb'``.
        data_preprocessor (dict, optional): Must build an
            ``AugmentDataPreprocessor`` with ``defer_normalize=True`` (the
            augmentation acts on pixel values in [0, 255]).
        **kwargs: The arguments of ``ImageClassifier`` (``backbone``,
            ``neck``, ``head``, ``train_cfg``, ``init_cfg``...).

    Examples:
        >>> model = AWSImageClassifier(
        ...     backbone=dict(type='mmpretrain.ResNet_CIFAR', depth=18),
        ...     neck=dict(type='mmpretrain.GlobalAveragePooling'),
        ...     head=dict(type='mmpretrain.LinearClsHead', num_classes=10,
        ...               in_channels=512),
        ...     data_preprocessor=dict(
        ...         type='mmautoaug.AugmentDataPreprocessor',
        ...         mean=[125.3, 123.0, 113.9], std=[63.0, 62.1, 66.7],
        ...         defer_normalize=True))
        >>> tuple(model.pair_probs.shape)
        (1296,)
    """

    def __init__(self,
                 space: Union[str, SearchSpace] = 'aws',
                 channel_order: str = 'rgb',
                 data_preprocessor: Optional[dict] = None,
                 **kwargs):
        if data_preprocessor is None:
            data_preprocessor = dict(type='mmautoaug.AugmentDataPreprocessor',
                                     defer_normalize=True)
        super().__init__(data_preprocessor=data_preprocessor, **kwargs)
        if not getattr(self.data_preprocessor, 'defer_normalize', False):
            raise ValueError(
                'AWSImageClassifier: data_preprocessor must be an '
                'AugmentDataPreprocessor with defer_normalize=True, got '
                f'{type(self.data_preprocessor).__name__}')
        self.space = get_space(space)
        self.channel_order = channel_order
        if not self.space.candidates:
            raise ValueError(f'AWSImageClassifier: the {self.space.name!r} '
                             'space has no candidates; use \'aws\'')
        ops, mags = zip(*self.space.candidates)
        num = len(ops)
        self.num_candidates = num
        self.register_buffer(
            'candidate_op', torch.tensor([self.space.index(o) for o in ops]),
            persistent=False)
        self.register_buffer(
            'candidate_magnitude', torch.tensor(mags, dtype=torch.float32),
            persistent=False)
        self.register_buffer('pair_probs', torch.full((num * num, ),
                                                      1.0 / num**2),
                             persistent=False)
        self.register_buffer('pair_usage', torch.zeros(num * num,
                                                       dtype=torch.long),
                             persistent=False)

    def set_distribution(self, pair_probs: torch.Tensor) -> None:
        """Sample pairs from ``pair_probs`` (``(C, C)`` or ``(C * C,)``)."""
        probs = pair_probs.detach().flatten().to(self.pair_probs)
        if probs.numel() != self.pair_probs.numel() or bool(
                (probs < 0).any()) or float(probs.sum()) <= 0:
            raise ValueError(
                'AWSImageClassifier.set_distribution: expected '
                f'{self.pair_probs.numel()} non-negative probabilities with '
                f'a positive sum, got shape {tuple(pair_probs.shape)}')
        self.pair_probs.copy_(probs / probs.sum())

    def reset_usage(self) -> None:
        """Zero the pair usage counts."""
        self.pair_usage.zero_()

    def augment(self, inputs: torch.Tensor) -> torch.Tensor:
        """Apply one sampled ordered pair per image to a float batch.

        Args:
            inputs (Tensor): ``(N, C, H, W)`` float in [0, 255].

        Returns:
            Tensor: The augmented batch (same shape and dtype).
        """
        num = inputs.size(0)
        pairs = torch.multinomial(self.pair_probs, num, replacement=True)
        self.pair_usage += torch.bincount(
            pairs, minlength=self.pair_usage.numel())
        applied = torch.ones(num, device=inputs.device)
        for cand in (pairs // self.num_candidates,
                     pairs % self.num_candidates):
            inputs = augment_batch(inputs, self.space,
                                   self.candidate_op[cand],
                                   self.candidate_magnitude[cand], applied,
                                   straight_through=False,
                                   channel_order=self.channel_order)
        return inputs

    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper: OptimWrapper) -> Dict[str, torch.Tensor]:
        """Preprocess, augment on the device, normalise, update."""
        with optim_wrapper.optim_context(self):
            data = self.data_preprocessor(data, True)
            with torch.no_grad():
                inputs = self.augment(data['inputs'])
            inputs = self.data_preprocessor.normalize(inputs)
            losses = self(inputs, data['data_samples'], mode='loss')
        parsed_losses, log_vars = self.parse_losses(losses)
        optim_wrapper.update_params(parsed_losses)
        return log_vars
