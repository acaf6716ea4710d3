# Copyright (c) mmautoaug contributors. All rights reserved.
"""PIL's bilinear and bicubic affine filters, written once for numpy and torch.

``Image.transform(size, AFFINE, data, BILINEAR | BICUBIC)`` runs Pillow's
generic transform (``libImaging/Geometry.c``), which this module replays in
the same double-precision arithmetic, operation for operation, so that the
per-image (numpy) and batched (torch) faces give PIL's pixels:

1. output pixel ``(x, y)`` reads the input at the double coordinate
   ``xx = a*(x + 0.5) + b*(y + 0.5) + c``, ``yy = d*(x + 0.5) + e*(y + 0.5) +
   f`` (:func:`generic_coordinates`; ``data`` from
   :func:`~.geometry.pil_affine_data`);
2. it keeps the fill colour unless ``0 <= xx < W`` and ``0 <= yy < H``;
3. otherwise, with ``u = xx - 0.5``, ``v = yy - 0.5``, the taps are the
   columns ``floor(u) + k`` and rows ``floor(v) + k`` (``k`` in 0..1 for
   bilinear, -1..2 for bicubic), clamped to the image (Pillow clamps the
   first row and repeats the last valid one, which is the same), weighted by
   ``u - floor(u)`` and ``v - floor(v)``: each row horizontally first, then
   the row results vertically;
4. bilinear is ``a + (b - a) * t``; bicubic is Pillow's cubic convolution
   with ``a = -1`` in its Horner form; the result is clipped to [0, 255]
   and truncated (a C cast to ``UINT8``).

Nearest-neighbour warps do not come here: PIL samples them with 16.16
fixed-point integers (:func:`~.geometry.pil_sampling_coefficients`).
"""
from typing import Callable

import numpy as np
import torch

from .spaces import INTERPOLATIONS

#: Filters handled here, and how many taps they read per axis.
_TAPS = {'bilinear': 2, 'bicubic': 4}


def _xp(x):
    return torch if isinstance(x, torch.Tensor) else np


def check_interpolation(interpolation: str,
                        name: str = 'interpolation') -> str:
    """Raise a clear error unless ``interpolation`` is a known filter."""
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f'{name}: {interpolation!r}; allowed: '
                         f'{INTERPOLATIONS}')
    return interpolation


def generic_coordinates(data: tuple, xs, ys) -> tuple:
    """The double input coordinate PIL's generic transform reads.

    Args:
        data (tuple): ``(a, b, c, d, e, f)`` (floats or arrays that broadcast
            with ``xs``/``ys``).
        xs, ys: Output column / row indices as float64 arrays or tensors.

    Returns:
        tuple: ``(xx, yy)``, float64, the broadcast shape.

    Examples:
        >>> xx, yy = generic_coordinates((1.0, 0.5, 0.0, 0.0, 1.0, 0.0),
        ...                              np.array([0.0]), np.array([2.0]))
        >>> float(xx[0]), float(yy[0])
        (1.75, 2.5)
    """
    a, b, c, d, e, f = data
    xin = xs + 0.5
    yin = ys + 0.5
    # the order of Geometry.c's affine_transform: (a*x + b*y) + c
    return a * xin + b * yin + c, d * xin + e * yin + f


def _linear(v1, v2, d):
    return v1 + (v2 - v1) * d


def _cubic(v1, v2, v3, v4, d):
    # Pillow's BICUBIC macro, term for term (left to right, as in C)
    p1 = v2
    p2 = -v1 + v3
    p3 = 2 * (v1 - v2) + v3 - v4
    p4 = -v1 + v2 - v3 + v4
    return p1 + d * (p2 + d * (p3 + d * p4))


def filtered_levels(gather: Callable, xx, yy, height: int, width: int,
                    interpolation: str, expand: Callable) -> tuple:
    """PIL's bilinear / bicubic value at every coordinate, and where it is
    inside the image.

    Args:
        gather (callable): ``gather(rows, cols)`` returns the float64 input
            levels at integer ``rows``/``cols`` (shaped like ``xx``), with the
            channel axis where ``expand`` puts one.
        xx, yy: float64 coordinates (:func:`generic_coordinates`).
        height (int), width (int): Input size.
        interpolation (str): ``'bilinear'`` or ``'bicubic'``.
        expand (callable): Adds the channel axis to an ``xx``-shaped array
            (so the weights broadcast with ``gather``'s values).

    Returns:
        tuple: ``(levels, inside)``: float64 integer levels in [0, 255]
        (``gather``'s shape) and the bool mask of coordinates PIL samples
        (``xx``'s shape); the caller fills the rest.
    """
    taps = _TAPS.get(interpolation)
    if taps is None:
        raise ValueError(f'interpolation: {interpolation!r} is not a filter '
                         f'of the generic transform; allowed: '
                         f'{tuple(_TAPS)}')
    xp = _xp(xx)
    inside = (xx >= 0) & (xx < width) & (yy >= 0) & (yy < height)
    u, v = xx - 0.5, yy - 0.5
    fu, fv = xp.floor(u), xp.floor(v)
    du, dv = expand(u - fu), expand(v - fv)
    first = 1 if taps == 4 else 0
    cols = [_clip_index(fu, k - first, width) for k in range(taps)]
    rows = [_clip_index(fv, k - first, height) for k in range(taps)]
    kernel = _cubic if taps == 4 else _linear
    out = kernel(*[kernel(*[gather(r, c) for c in cols], du) for r in rows],
                 dv)
    out = xp.clip(out, 0.0, 255.0) if xp is np else out.clamp(0.0, 255.0)
    return xp.floor(out), inside


def _clip_index(floor_value, offset: int, size: int):
    """``clip(floor + offset, 0, size - 1)`` as an integer index array."""
    if isinstance(floor_value, torch.Tensor):
        return (floor_value.to(torch.int64) + offset).clamp_(0, size - 1)
    return np.clip(floor_value.astype(np.int64) + offset, 0, size - 1)
