# Copyright (c) mmautoaug contributors. All rights reserved.
"""Load, apply, convert and export a policy in one call each."""
import inspect
import json
import os
import os.path as osp
from typing import Any, Optional, Union

import numpy as np
import torch

from mmautoaug.policy import Policy, load_policy

PolicyLike = Union[str, os.PathLike, dict, Policy]
#: ``to=`` values of :func:`convert_policy`.
TARGETS = ('mmpretrain', 'mmdet', 'torchvision', 'albumentations', 'kornia',
           'timm')
#: ``to=`` values of :func:`export_policy` (a file each).
FILE_TARGETS = ('ours', 'mmpretrain', 'mmdet', 'albumentations', 'kornia',
                'timm')


def apply_policy(policy: PolicyLike,
                 image: np.ndarray,
                 *,
                 seed: Optional[int] = None,
                 channel_order: str = 'rgb') -> np.ndarray:
    """Augment one image with ``policy`` (per-image face, PIL-exact).

    Picks a sub-policy by the policy's weights and applies its ops, each
    with its probability, as :class:`~mmautoaug.datasets.PolicyAugment` does
    in a pipeline (use that transform to augment many images: it keeps its
    random stream).

    Args:
        policy (str | PathLike | dict | Policy): A policy file, zoo name,
            dict or :class:`~mmautoaug.policy.Policy`.
        image (np.ndarray): ``HxW`` or ``HxWxC`` uint8, ``C`` in {1, 3}.
        seed (int, optional): Seed of the draws; None draws fresh ones.
        channel_order (str): ``'rgb'`` or ``'bgr'`` (images read by OpenCV).

    Returns:
        np.ndarray: The augmented image, same shape and dtype.

    Examples:
        >>> import numpy as np
        >>> img = np.full((32, 32, 3), 200, np.uint8)
        >>> out = apply_policy(Policy('fastaa', [[('Invert', 1.0, 0.0)]]), img)
        >>> int(out[0, 0, 0])
        55
    """
    from mmautoaug.datasets.transforms import PolicyAugment
    transform = PolicyAugment(load_policy(policy), seed=seed,
                              channel_order=channel_order)
    return transform(dict(img=image))['img']


def apply_policy_batch(policy: PolicyLike,
                       images: torch.Tensor,
                       *,
                       seed: Optional[int] = None) -> torch.Tensor:
    """Augment a ``(N, C, H, W)`` batch on its device (batched face).

    Every image gets its own sub-policy, signs and draws, in one call
    without a Python loop over images
    (:class:`~mmautoaug.models.PolicyBatchAugment`).

    Args:
        policy (str | PathLike | dict | Policy): The policy.
        images (Tensor): ``(N, C, H, W)``, ``C`` in {1, 3}, RGB, uint8 or
            float levels in [0, 255] (NOT normalised).
        seed (int, optional): Seed of a private generator on the images'
            device; None uses torch's global one.

    Returns:
        Tensor: The augmented batch, same shape, device and dtype.

    Examples:
        >>> import torch
        >>> x = torch.full((4, 3, 8, 8), 200, dtype=torch.uint8)
        >>> out = apply_policy_batch('autoaugment_cifar10', x, seed=0)
        >>> out.shape, out.dtype
        (torch.Size([4, 3, 8, 8]), torch.uint8)
    """
    from mmautoaug.models import PolicyBatchAugment
    if not isinstance(images, torch.Tensor) or images.dim() != 4:
        raise ValueError('images: expected a (N, C, H, W) tensor, got '
                         f'{getattr(images, "shape", type(images).__name__)}')
    if not (images.dtype == torch.uint8 or images.is_floating_point()):
        # a bool or int batch would be read as levels and cast back, e.g.
        # Invert turns True into 254 and back into True
        raise TypeError(f'images: dtype {images.dtype}; allowed: uint8 or a '
                        'floating point dtype with levels in [0, 255]')
    augment = PolicyBatchAugment(load_policy(policy), seed=seed)
    out = augment(images)
    if images.dtype == torch.uint8:
        out = out.round().clamp(0, 255).to(torch.uint8)
    return out.to(images.dtype)


def convert_policy(policy: PolicyLike, to: str, **kwargs) -> Any:
    """``policy`` in another library's form.

    Args:
        policy (str | PathLike | dict | Policy): The policy.
        to (str): ``'mmpretrain'`` / ``'mmdet'`` (an ``AutoAugment``
            transform config), ``'torchvision'`` (a ``transforms.v2``
            callable), ``'albumentations'`` (the dict ``A.from_dict``
            reads), ``'kornia'`` (kornia's auto-augment policy list) or
            ``'timm'`` (timm's policy list and hparams).
        **kwargs: The converter's options (``strict``, ``unsupported``,
            ``image_size``, ``channel_order``...): see
            :mod:`mmautoaug.policy.converters`.

    Returns:
        The converted policy. Inexact steps warn
        (:class:`~mmautoaug.policy.ConversionWarning`) with their size.

    Examples:
        >>> cfg = convert_policy('autoaugment_cifar10', 'mmpretrain')
        >>> cfg['type'], len(cfg['policies'])
        ('mmpretrain.AutoAugment', 25)
    """
    from mmautoaug.policy import converters
    if to not in TARGETS:
        raise ValueError(f'to: {to!r} is not one of {list(TARGETS)}')
    convert = getattr(converters, f'to_{to}')
    options = [
        name for name, p in inspect.signature(convert).parameters.items()
        if p.kind == p.KEYWORD_ONLY or (p.kind == p.POSITIONAL_OR_KEYWORD
                                        and name != 'policy')
    ]
    unknown = sorted(set(kwargs) - set(options))
    if unknown:
        raise TypeError(f'{unknown}: not options of the {to} converter; '
                        f'allowed: {options}')
    return convert(load_policy(policy), **kwargs)


def export_policy(policy: PolicyLike, path: str, to: str = 'ours',
                  **kwargs) -> str:
    """Write ``policy`` to a file in our format or another library's.

    ``ours``, ``albumentations`` (for ``A.load``), ``kornia`` and ``timm``
    are JSON; ``mmpretrain`` / ``mmdet`` write a config snippet defining
    ``auto_augment`` (``.py``, or ``.json`` by the file's extension).

    Args:
        policy (str | PathLike | dict | Policy): The policy.
        path (str): The file to write (folders are created).
        to (str): One of :data:`FILE_TARGETS`. Defaults to ``'ours'``.
        **kwargs: The converter's options (see :func:`convert_policy`).

    Returns:
        str: ``path``.

    Examples:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), 'aa.json')
        >>> _ = export_policy('autoaugment_svhn', path, to='timm')
        >>> sorted(json.load(open(path)))
        ['hparams', 'policy']
    """
    if to not in FILE_TARGETS:
        hint = (': a torchvision transform is Python; use '
                "convert_policy(policy, 'torchvision')"
                if to == 'torchvision' else '')
        raise ValueError(f'to: {to!r} is not one of {list(FILE_TARGETS)}'
                         f'{hint}')
    policy = load_policy(policy)
    if osp.isdir(path):
        raise IsADirectoryError(f'path: {path!r} is a directory; give the '
                                'file to write')
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    if to == 'ours':
        if kwargs:
            raise TypeError(f'{sorted(kwargs)}: to=\'ours\' writes the '
                            'policy as it is and takes no converter options')
        return policy.save(path)
    data = convert_policy(policy, to, **kwargs)
    if to in ('mmpretrain', 'mmdet') and not path.endswith('.json'):
        from mmengine.config import Config
        Config(dict(auto_augment=data)).dump(path)
        return path
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(data, f, indent=1)
        f.write('\n')
    return path


__all__ = ['apply_policy', 'apply_policy_batch', 'convert_policy',
           'export_policy', 'load_policy', 'TARGETS', 'FILE_TARGETS']
