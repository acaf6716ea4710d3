# Copyright (c) mmautoaug contributors. All rights reserved.
"""The classifier AWS trains: augments every image with a sampled pair."""
from typing import Dict, List, Optional, Sequence, Union

import torch
from mmpretrain.models import ImageClassifier

from mmautoaug.augment import SearchSpace, get_space
from mmautoaug.augment.batch_ops import apply_batch_op, augment_batch
from mmautoaug.registry import MODELS


@MODELS.register_module()
class AWSImageClassifier(ImageClassifier):
    """mmpretrain's ``ImageClassifier`` trained under an AWS distribution.

    In :meth:`loss` (``mode='loss'``, so the stock ``train_step`` of
    MMEngine's ``BaseModel`` and of its DDP wrapper both reach it) every
    image of the batch draws an ordered pair ``(i, j)`` of the space's
    candidates from :attr:`pair_probs` (uniform until
    :meth:`set_distribution` is called: AWS's stage 1) and gets candidate
    ``i`` then candidate ``j`` applied on the device by the batched op
    library, with a random sign for signed ops; then the optional Cutout,
    then normalisation. The draws use torch's default generator of the
    device: give every rank its own stream with
    ``randomness=dict(diff_rank_seed=True)``. :attr:`pair_usage` counts the
    pairs drawn since :meth:`reset_usage` (PPO spreads the advantage over
    pairs by it). Evaluation is plain ``ImageClassifier`` evaluation. The
    distribution and the counts are non-persistent buffers, so checkpoints
    hold exactly an ``ImageClassifier``'s state.

    Args:
        space (str | SearchSpace): The space whose ``candidates`` are paired.
            Defaults to ``'aws'``.
        channel_order (str): Channel order of the batch the preprocessor
            returns (``'rgb'`` after ``to_rgb=True`` on BGR-loaded images or
            for CIFAR's RGB pickles; ``'bgr'`` otherwise). Defaults to
            ``'rgb'``.
        cutout (int, optional): Side in pixels of the Cutout square painted
            on every image after its pair (the op library's
            ``ClippedCutout``: centre uniform over the image, clipped at the
            borders), or None for none. Defaults to None.
        cutout_fill (tuple[int]): (R, G, B) levels of the Cutout square.
            Defaults to (0, 0, 0) (a zero mask on the un-normalised image,
            as the AWS authors' code applies it).
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
                 cutout: Optional[int] = None,
                 cutout_fill: Sequence[int] = (0, 0, 0),
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
        if channel_order not in ('rgb', 'bgr'):
            raise ValueError("AWSImageClassifier: channel_order must be "
                             f"'rgb' or 'bgr', got {channel_order!r}")
        self.channel_order = channel_order
        if cutout is not None and (isinstance(cutout, bool) or
                                   not isinstance(cutout, int) or
                                   cutout <= 0):
            raise ValueError('AWSImageClassifier: cutout must be a positive '
                             f'int (pixels) or None, got {cutout!r}')
        self.cutout = cutout
        self.cutout_fill = tuple(cutout_fill)
        if not self.space.candidates:
            raise ValueError(f'AWSImageClassifier: the {self.space.name!r} '
                             'space has no candidates; use \'aws\'')
        ops, mags = zip(*self.space.candidates)
        num = len(ops)
        self.num_candidates = num
        self.register_buffer(
            'candidate_op', torch.tensor([self.space.index(o) for o in ops]),
            persistent=False)
        # float64: a float32 1/3 moves a bicubic shear enough to flip
        # truncated levels against the authors' PIL calls
        self.register_buffer(
            'candidate_magnitude', torch.tensor(mags, dtype=torch.float64),
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
        """Apply one sampled ordered pair per image to a float batch, then
        the Cutout (if any).

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
        if self.cutout is not None:
            inputs = apply_batch_op(
                inputs,
                torch.zeros(num, dtype=torch.long, device=inputs.device),
                torch.full((num, ), float(self.cutout),
                           device=inputs.device),
                ops=('ClippedCutout', ),
                cutout_fill=self.cutout_fill,
                channel_order=self.channel_order)
        return inputs

    def loss(self, inputs: torch.Tensor,
             data_samples: List) -> Dict[str, torch.Tensor]:
        """Augment the un-normalised batch, normalise it, then the
        classification loss.

        Args:
            inputs (Tensor): ``(N, C, H, W)`` float levels in [0, 255] (the
                preprocessor's output with ``defer_normalize=True``).
            data_samples (list[DataSample]): The annotations.

        Returns:
            dict: ImageClassifier's losses.
        """
        with torch.no_grad():
            inputs = self.data_preprocessor.normalize(self.augment(inputs))
        return super().loss(inputs, data_samples)
