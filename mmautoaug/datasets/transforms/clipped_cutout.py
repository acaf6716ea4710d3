# Copyright (c) mmautoaug contributors. All rights reserved.
"""The paper Cutout that training recipes add after the policy."""
from typing import Any, Dict, Optional, Sequence, Union

import numpy as np

from mmautoaug.augment.image_ops import apply_image_op
from mmautoaug.registry import TRANSFORMS
from .policy_augment import _check_image
from .random_stream import RandomStreamTransform


@TRANSFORMS.register_module()
class ClippedCutout(RandomStreamTransform):
    """Cutout (DeVries & Taylor, 2017) as DARTS-style training code applies it.

    A square of side ``length`` pixels around an integer centre drawn
    uniformly over the image, clipped (never shifted) at every border, is
    painted with ``fill``: the op library's ``ClippedCutout`` op
    (:func:`~mmautoaug.augment.levels.clipped_cutout_bounds`). This is the
    Cutout that AutoAugment's CIFAR models, DADA's and Adversarial
    AutoAugment's retraining add after the policy (16 px on CIFAR, 20 px on
    SVHN). Those recipes paint zeros on the normalised image, i.e. the mean
    colour; the default ``fill`` is CIFAR-10's mean (125, 123, 114) in
    [0, 255]. mmpretrain's ``Cutout`` is Fast AutoAugment's square instead
    (shifted at the top/left borders).

    Required Keys:

    - img (np.ndarray): ``HxW`` or ``HxWxC`` uint8, ``C`` in {1, 3}.

    Modified Keys:

    - img

    Args:
        length (int): Side of the square in pixels (> 0).
        fill (int | tuple[int]): (R, G, B) colour of the square, levels in
            [0, 255]. Defaults to (125, 123, 114).
        prob (float): Probability of painting it. Defaults to 1.0.
        seed (int, optional): Seed of the random stream (see
            :class:`RandomStreamTransform`). Defaults to None.
        channel_order (str): ``'rgb'`` or ``'bgr'``: the order of ``img``'s
            channels, so that ``fill`` lands as (R, G, B). Defaults to
            ``'rgb'``.

    Examples:
        >>> t = ClippedCutout(length=16, seed=0)
        >>> img = t(dict(img=np.zeros((32, 32, 3), np.uint8)))['img']
        >>> 0 < int((img[..., 0] == 125).sum()) <= 256
        True
    """

    def __init__(self,
                 length: int,
                 fill: Union[int, Sequence[int]] = (125, 123, 114),
                 prob: float = 1.0,
                 seed: Optional[int] = None,
                 channel_order: str = 'rgb'):
        super().__init__(seed)
        if isinstance(length, bool) or not isinstance(
                length, (int, np.integer)) or length <= 0:
            raise ValueError(f'length: expected a positive int (pixels), got '
                             f'{length!r}')
        if isinstance(prob, bool) or not isinstance(
                prob, (int, float)) or not 0.0 <= prob <= 1.0:
            raise ValueError(f'prob: expected a number in [0, 1], got '
                             f'{prob!r}')
        if channel_order not in ('rgb', 'bgr'):
            raise ValueError(f"channel_order: {channel_order!r}; allowed: "
                             "'rgb', 'bgr'")
        self.length = int(length)
        self.fill = fill
        self.prob = float(prob)
        self.channel_order = channel_order
        # a bad fill fails here, not on the first image
        apply_image_op(np.zeros((1, 1, 3), np.uint8), 'ClippedCutout', 0,
                       cutout_fill=fill)

    def transform(self, results: Dict[str, Any]) -> Dict[str, Any]:
        img = results['img']
        _check_image(img, 'ClippedCutout')
        if self.prob < 1.0 and self.rng.random() >= self.prob:
            return results
        results['img'] = apply_image_op(
            img,
            'ClippedCutout',
            self.length,
            cutout_fill=self.fill,
            rng=self.rng,
            channel_order=self.channel_order)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(length={self.length}, '
                f'fill={self.fill}, prob={self.prob}, seed={self.seed}, '
                f'channel_order={self.channel_order!r})')
