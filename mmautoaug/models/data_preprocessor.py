# Copyright (c) mmautoaug contributors. All rights reserved.
"""A classification data preprocessor that lets augmentation run on the device
between casting and normalisation."""
from typing import Optional, Union

import torch
from mmpretrain.models.utils.data_preprocessor import ClsDataPreprocessor

from mmautoaug.registry import MODELS


@MODELS.register_module()
class AugmentDataPreprocessor(ClsDataPreprocessor):
    """mmpretrain's ``ClsDataPreprocessor`` with a hole for augmentation.

    The searched augmentations act on pixel values in ``[0, 255]`` (their
    thresholds and fill colours are defined there), so they must run after
    the batch is moved to the device and cast to float, but before the
    mean/std normalisation. Two ways to use it:

    - ``defer_normalize=True`` (search models): in training mode the batch is
      returned cast to float but NOT normalised; the model augments it inside
      its ``train_step`` (where the gradient that depends on the augmentation
      is computed) and then calls :meth:`normalize`.
    - ``augmentor=dict(type=...)``: a module applied to the float batch in
      training mode before normalisation (e.g. a fixed policy applied on the
      device while retraining).

    In evaluation mode it behaves exactly like ``ClsDataPreprocessor``.

    Args:
        defer_normalize (bool): Return un-normalised float inputs when
            training. Defaults to False.
        augmentor (dict | torch.nn.Module, optional): Module called as
            ``augmentor(inputs) -> inputs`` on the float batch when training.
        **kwargs: The arguments of ``ClsDataPreprocessor`` (``mean``,
            ``std``, ``to_rgb``, ``num_classes``, ``batch_augments``...).

    Examples:
        >>> pre = AugmentDataPreprocessor(mean=[0.] * 3, std=[255.] * 3,
        ...                               defer_normalize=True)
        >>> data = dict(inputs=[torch.full((3, 4, 4), 255, dtype=torch.uint8)])
        >>> x = pre(data, training=True)['inputs']
        >>> float(x.max()), float(pre.normalize(x).max())
        (255.0, 1.0)
    """

    def __init__(self,
                 defer_normalize: bool = False,
                 augmentor: Optional[Union[dict, torch.nn.Module]] = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.defer_normalize = defer_normalize
        if isinstance(augmentor, dict):
            augmentor = MODELS.build(augmentor)
        self.augmentor = augmentor
        if defer_normalize and self.batch_augments is not None:
            raise ValueError(
                'AugmentDataPreprocessor: batch_augments (mixup/cutmix) act '
                'on normalised inputs and cannot be combined with '
                'defer_normalize=True; apply them in the model after '
                '`normalize()` instead.')

    def forward(self, data: dict, training: bool = False) -> dict:
        if not training or (not self.defer_normalize
                            and self.augmentor is None):
            return super().forward(data, training)
        enable_normalize = self._enable_normalize
        batch_augments = self.batch_augments
        self._enable_normalize = False
        self.batch_augments = None
        try:
            data = super().forward(data, training)
        finally:
            self._enable_normalize = enable_normalize
            self.batch_augments = batch_augments
        if self.defer_normalize:
            return data
        inputs = data['inputs']
        if self.augmentor is not None:
            inputs = self.augmentor(inputs)
        inputs = self.normalize(inputs)
        if self.batch_augments is not None:
            inputs, data_samples = self.batch_augments(inputs,
                                                       data['data_samples'])
            data['data_samples'] = data_samples
        data['inputs'] = inputs
        return data

    def normalize(self, inputs: torch.Tensor) -> torch.Tensor:
        """Apply the configured mean/std normalisation to a float batch."""
        if self._enable_normalize:
            inputs = (inputs - self.mean) / self.std
        return inputs
