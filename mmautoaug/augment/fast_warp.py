# Copyright (c) mmautoaug contributors. All rights reserved.
"""The fast mode of the geometric ops: OpenCV's ``warpAffine``.

The exact mode (:mod:`.image_ops`, :mod:`.batch_ops`) replays PIL's 16.16
fixed-point sampler pixel for pixel, as published classification policies
were searched and trained with it. Detection has no such reference (mmdet's
own geometric transforms warp with OpenCV), and its images are large, so
the per-image face offers a second mode of the SAME op: the same affine
``data`` (:func:`~.geometry.pil_affine_data`), hence the same 3x3 matrix
(:func:`~.geometry.op_matrix`) that moves boxes and polygons, sampled by
``cv2.warpAffine``. The modes pick a different source pixel only where the
exact source coordinate lies within about 1/1024 pixel of a pixel border
(OpenCV rounds coordinates to 10 fractional bits, PIL to 16, and the two
break ties differently). Over the ``autoaugment`` space's five geometric
ops at 11 magnitudes and both signs, 0.07% (32x32), 0.09% (224x224) and
0.14% (1333x800) of the pixels differ, at most 4% for one op (a shear of
0.12, whose ties fall on whole rows), and every differing pixel is taken
from a direct neighbour of the exact source pixel (pinned by
``tests/test_augment/test_fast_warp.py``).

Label maps (bitmap masks, semantic maps) go through the same call with the
same coordinates as the image, so a mask stays on its object's pixels in
either mode.
"""
from typing import Sequence, Union

import cv2
import numpy as np

from .geometry import pil_affine_data

#: The two modes of the geometric ops.
WARP_MODES = ('exact', 'fast')
#: OpenCV's sampling flag of each PIL filter name.
_CV2_FILTERS = {
    'nearest': cv2.INTER_NEAREST,
    'bilinear': cv2.INTER_LINEAR,
    'bicubic': cv2.INTER_CUBIC,
}
#: ``cv2.warpAffine`` takes images smaller than this on each side.
_CV2_LIMIT = 32767
#: dtypes ``cv2.warpAffine`` takes as they are (others: see
#: :func:`warp_maps_fast`).
_CV2_DTYPES = (np.uint8, np.int8, np.uint16, np.int16, np.int32, np.float32,
               np.float64)


def check_warp(warp: str, name: str = 'warp') -> str:
    """Raise a clear error unless ``warp`` is one of :data:`WARP_MODES`."""
    if warp not in WARP_MODES:
        raise ValueError(f'{name}: {warp!r}; allowed: {list(WARP_MODES)} '
                         f'(exact: PIL pixel for pixel; fast: OpenCV)')
    return warp


def cv2_affine(op: str, param: float, height: int, width: int) -> np.ndarray:
    """OpenCV's inverse map (output pixel index -> input) of an op.

    PIL's ``data`` maps continuous output coordinates to input ones, and a
    pixel ``i`` covers ``[i, i + 1)``; OpenCV's maps pixel centres, which
    sit at integers: ``M = T(-1/2) @ data @ T(1/2)``.

    Args:
        op (str): A geometric op.
        param (float): Its (signed) parameter.
        height (int), width (int): Image size.

    Returns:
        np.ndarray: ``(2, 3)`` float64, for ``cv2.warpAffine(...,
        flags=... | cv2.WARP_INVERSE_MAP)``.

    Examples:
        >>> cv2_affine('TranslateX', 0.25, 8, 8)  # reads 2 px to the right
        array([[1., 0., 2.],
               [0., 1., 0.]])
    """
    a, b, c, d, e, f = (float(v)
                        for v in pil_affine_data(op, param, height, width))
    return np.array([[a, b, c + 0.5 * (a + b - 1.0)],
                     [d, e, f + 0.5 * (d + e - 1.0)]])


def warp_fast(image: np.ndarray,
              op: str,
              param: float,
              fill: Union[float, Sequence[float]] = 0,
              interpolation: str = 'nearest') -> np.ndarray:
    """Warp an ``HxW`` or ``HxWxC`` image (``C <= 4``) with OpenCV.

    Args:
        image (np.ndarray): ``HxW`` or ``HxWxC`` of a dtype OpenCV warps
            (uint8, int16, float32...).
        op (str): A geometric op.
        param (float): Its (signed) parameter.
        fill (float | Sequence[float]): Value of pixels from outside, one
            per channel or one for all.
        interpolation (str): ``'nearest'``, ``'bilinear'`` or
            ``'bicubic'``. Defaults to ``'nearest'``.

    Returns:
        np.ndarray: Same shape and dtype.

    Examples:
        >>> img = np.arange(16, dtype=np.uint8).reshape(4, 4)
        >>> warp_fast(img, 'TranslateX', 0.5, fill=99)[0]
        array([ 2,  3, 99, 99], dtype=uint8)
    """
    if interpolation not in _CV2_FILTERS:
        raise ValueError(f'interpolation: {interpolation!r}; allowed: '
                         f'{list(_CV2_FILTERS)}')
    h, w = image.shape[:2]
    channels = 1 if image.ndim == 2 else image.shape[2]
    if max(h, w) >= _CV2_LIMIT or channels > 4:
        raise ValueError(f"warp: OpenCV warps images under {_CV2_LIMIT} px "
                         f"a side with at most 4 channels, got "
                         f"{image.shape}; use warp='exact'")
    border = np.broadcast_to(
        np.asarray(fill, np.float64).reshape(-1), (channels, ))
    out = cv2.warpAffine(
        image,
        cv2_affine(op, param, h, w), (w, h),
        flags=_CV2_FILTERS[interpolation] | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=tuple(float(v) for v in border))
    return out.reshape(image.shape)


def warp_maps_fast(arrays: np.ndarray,
                   op: str,
                   param: float,
                   fill: float = 0) -> np.ndarray:
    """Move label maps as :func:`warp_fast` moves the image (nearest).

    Args:
        arrays (np.ndarray): ``(H, W)`` or ``(N, H, W)`` maps of any
            integer, bool or float dtype (bool is warped as uint8, integers
            OpenCV does not take as float64, exact below 2**53).
        op (str): A geometric op.
        param (float): Its (signed) parameter.
        fill (float): Value of pixels from outside (0 for masks, the ignore
            index for semantic maps).

    Returns:
        np.ndarray: Same shape and dtype.

    Examples:
        >>> warp_maps_fast(np.array([[1, 2, 3]]), 'TranslateX', -1 / 3,
        ...                fill=9)
        array([[9, 1, 2]])
    """
    stack = arrays[None] if arrays.ndim == 2 else arrays
    if stack.dtype == np.bool_:
        work = stack.view(np.uint8)
    elif stack.dtype.type in _CV2_DTYPES:
        work = stack
    else:
        work = stack.astype(np.float64)
    h, w = stack.shape[1:]
    if max(h, w) >= _CV2_LIMIT:
        raise ValueError(f"warp: OpenCV warps images under {_CV2_LIMIT} px "
                         f"a side, got {h}x{w}; use warp='exact'")
    matrix = cv2_affine(op, param, h, w)
    out = np.empty(work.shape, work.dtype)  # row-major, as OpenCV writes
    for src, dst in zip(work, out):
        # one map at a time: a channel-last stack would cost two transposes
        # of the whole stack, more than the warps themselves. A column-major
        # map (pycocotools decodes masks so) is copied to row-major first:
        # warping its transpose instead would round coordinates in another
        # order than the image's warp, and a mask could leave its object
        warped = cv2.warpAffine(
            np.ascontiguousarray(src),
            matrix, (w, h),
            dst=dst,
            flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=float(fill))
        if warped is not dst:  # OpenCV allocated after all
            dst[...] = warped
    out = out.view(np.bool_) if stack.dtype == np.bool_ else out.astype(
        stack.dtype, copy=False)
    return out[0] if arrays.ndim == 2 else out
