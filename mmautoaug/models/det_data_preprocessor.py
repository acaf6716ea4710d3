# Copyright (c) mmautoaug contributors. All rights reserved.
"""mmdet's data preprocessor with a hole for on-device augmentation."""
from typing import Sequence

import torch
from mmdet.models.data_preprocessors import DetDataPreprocessor

from mmautoaug.registry import MODELS


@MODELS.register_module()
class DetAugmentDataPreprocessor(DetDataPreprocessor):
    """``DetDataPreprocessor`` that can leave normalisation to the model.

    The searched ops act on pixel levels in ``[0, 255]``, so a detection
    search augments the batch after it is cast, channel-converted and padded
    but before the mean/std normalisation. With ``defer_normalize=True`` the
    training batch comes back un-normalised (padded with ``pad_value``, 0);
    the model augments it and calls :meth:`normalize`, which normalises and
    then writes ``pad_value`` outside every sample's ``img_shape``, so the
    network sees exactly what the stock preprocessor makes (it normalises
    first and pads after). Evaluation batches are processed as mmdet does.

    Args:
        defer_normalize (bool): Return un-normalised training batches.
            Defaults to True.
        **kwargs: ``DetDataPreprocessor``'s arguments (``mean``, ``std``,
            ``bgr_to_rgb``, ``pad_size_divisor``, ``pad_mask``...).
            ``batch_augments`` (which act on normalised batches) cannot be
            combined with ``defer_normalize``.

    Examples:
        >>> pre = DetAugmentDataPreprocessor(mean=[100.] * 3, std=[2.] * 3,
        ...                                  pad_size_divisor=8)
        >>> from mmdet.structures import DetDataSample
        >>> sample = DetDataSample(metainfo=dict(img_shape=(5, 6)))
        >>> img = torch.full((3, 5, 6), 104, dtype=torch.uint8)
        >>> data = pre(dict(inputs=[img], data_samples=[sample]),
        ...            training=True)
        >>> data['inputs'].shape, float(data['inputs'].max())
        (torch.Size([1, 3, 8, 8]), 104.0)
        >>> x = pre.normalize(data['inputs'], data['data_samples'])
        >>> float(x[0, 0, 0, 0]), float(x[0, 0, 7, 7])  # padding stays 0
        (2.0, 0.0)
    """

    def __init__(self, defer_normalize: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.defer_normalize = bool(defer_normalize)
        self.bgr_to_rgb = bool(kwargs.get('bgr_to_rgb', False))
        if self.defer_normalize and self.batch_augments is not None:
            raise ValueError(
                'DetAugmentDataPreprocessor: batch_augments act on '
                'normalised inputs and cannot be combined with '
                'defer_normalize=True')

    @property
    def channel_order(self) -> str:
        """Channel order of the batches it makes: mmdet loads BGR
        (``LoadImageFromFile``); ``bgr_to_rgb`` makes them RGB."""
        return 'rgb' if self.bgr_to_rgb else 'bgr'

    def forward(self, data: dict, training: bool = False) -> dict:
        if not (training and self.defer_normalize):
            return super().forward(data, training)
        enable = self._enable_normalize
        self._enable_normalize = False
        try:
            return super().forward(data, training)
        finally:
            self._enable_normalize = enable

    def normalize(self, inputs: torch.Tensor,
                  data_samples: Sequence) -> torch.Tensor:
        """Normalise a padded float batch and restore its padding.

        Args:
            inputs (Tensor): ``(N, C, H, W)`` levels in [0, 255].
            data_samples (Sequence[DetDataSample]): One per image, for its
                ``img_shape``.

        Returns:
            Tensor: What the stock preprocessor would have made.
        """
        if len(data_samples) != len(inputs):
            raise ValueError(f'DetAugmentDataPreprocessor.normalize: '
                             f'{len(data_samples)} data samples for '
                             f'{len(inputs)} images')
        if self._enable_normalize:
            inputs = (inputs - self.mean) / self.std
        height, width = inputs.shape[-2:]
        rows = torch.arange(height, device=inputs.device)
        cols = torch.arange(width, device=inputs.device)
        shapes = torch.tensor([s.img_shape[:2] for s in data_samples],
                              device=inputs.device)
        inside = (rows[None, :, None] < shapes[:, 0, None, None]) & (
            cols[None, None, :] < shapes[:, 1, None, None])
        return torch.where(inside[:, None], inputs,
                           inputs.new_tensor(float(self.pad_value)))
