# Copyright (c) mmautoaug contributors. All rights reserved.
"""Geometry of the geometric ops: one definition for every face.

Coordinates are *continuous* pixel coordinates: pixel ``(i, j)`` (column
``i``, row ``j``) covers ``[i, i + 1) x [j, j + 1)`` and its centre is
``(i + 0.5, j + 0.5)``, the convention of PIL's transforms and of mmdet's
``xyxy`` boxes.

Every geometric op is PIL's ``Image.transform(size, AFFINE, data,
NEAREST)`` (``Image.rotate`` for Rotate), as Fast AutoAugment's and
AutoAugment's released code call it (a space may pick PIL's BILINEAR or
BICUBIC filter per op instead, as AWS's code does for ShearX/Y; those are
sampled in :mod:`.resample` from the same ``data``). :func:`pil_affine_data`
gives PIL's
6-tuple ``data = (a, b, c, d, e, f)``, which maps an OUTPUT coordinate to
the INPUT coordinate it samples (``x_in = a*x + b*y + c``);
:func:`pil_sampling_coefficients` turns it into the exact integer arithmetic
PIL's C code uses to pick the source pixel, so that the per-image (numpy)
and batched (torch) faces reproduce PIL pixel for pixel;
:func:`op_matrix` is the inverse, INPUT -> OUTPUT, for boxes, points and
polygon masks.
"""
import math
from typing import Union

import numpy as np
import torch

from .spaces import BOX_OPS, GEOMETRIC_OPS, OP_PARAMS

Array = Union[float, np.ndarray, torch.Tensor]

#: PIL's fixed-point affine sampler uses 16.16 arithmetic.
_FIX_ONE = 65536


def _xp(x):
    """The array namespace of ``x`` (torch for tensors, numpy otherwise)."""
    return torch if isinstance(x, torch.Tensor) else np


def check_op(op: str) -> str:
    """Raise a clear error unless ``op`` is one of the library's ops.

    Box-level ops (``BBox_Only_*``) are refused here by name: they need
    boxes, which only the detection faces have.
    """
    if op in BOX_OPS:
        raise ValueError(
            f'op: {op!r} is a box-level op: it acts on the pixels of each '
            'box, and this face has no boxes; apply it with '
            'DetPolicyAugment (per image) or augment_detection_batch / '
            'apply_detection_sub_policies (batched detection face)')
    if op not in OP_PARAMS:
        raise ValueError(f'op: {op!r} is not an op of the library; allowed: '
                         f'{list(OP_PARAMS)}')
    return op


def pil_affine_data(op: str, param: Array, height: int, width: int) -> tuple:
    """PIL's affine ``data`` (output -> input) of a geometric op.

    Args:
        op (str): One of :data:`GEOMETRIC_OPS`.
        param (float | ndarray | Tensor): The op's parameter (signed), one
            per image when an array.
        height (int): Image height.
        width (int): Image width.

    Returns:
        tuple: ``(a, b, c, d, e, f)``, each a float or an array shaped like
        ``param`` (float64).

    Examples:
        >>> pil_affine_data('ShearX', 0.1, 32, 32)
        (1.0, 0.1, 0.0, 0.0, 1.0, 0.0)
    """
    if op not in GEOMETRIC_OPS:
        raise ValueError(f'op: {op!r} is not geometric; allowed: '
                         f'{list(GEOMETRIC_OPS)}')
    xp = _xp(param)
    if xp is torch:
        param = param.to(_float64_on(param.device))
    elif isinstance(param, np.ndarray):
        param = param.astype(np.float64)
    else:
        param = float(param)
    one = param * 0 + 1.0
    zero = param * 0.0
    if op == 'ShearX':
        return one, param, zero, zero, one, zero
    if op == 'ShearY':
        return one, zero, zero, param, one, zero
    if op == 'TranslateX':
        return one, zero, param * width, zero, one, zero
    if op == 'TranslateY':
        return one, zero, zero, zero, one, param * height
    return _rotate_data(param, height, width)


def _float64_on(device: torch.device) -> torch.dtype:
    # MPS has no float64; elsewhere float64 keeps PIL's double arithmetic.
    return torch.float32 if device.type == 'mps' else torch.float64


def _rotate_data(angle: Array, height: int, width: int) -> tuple:
    """``Image.rotate(angle)``'s data, the same arithmetic as Pillow's."""
    cx, cy = width / 2, height / 2
    if isinstance(angle, float):
        rad = -math.radians(angle % 360.0)
        a, b = round(math.cos(rad), 15), round(math.sin(rad), 15)
        d, e = round(-math.sin(rad), 15), round(math.cos(rad), 15)
    else:
        xp = _xp(angle)
        rad = -(angle % 360.0) * (math.pi / 180.0)
        cos, sin = xp.cos(rad), xp.sin(rad)
        a, b, d, e = (xp.round(v * 1e15) / 1e15 for v in (cos, sin, -sin, cos))
    c = a * -cx + b * -cy + 0.0 + cx
    f = d * -cx + e * -cy + 0.0 + cy
    return a, b, c, d, e, f


def pil_sampling_coefficients(data: tuple) -> tuple:
    """PIL's integer sampler for an affine ``data`` tuple.

    PIL's nearest-neighbour affine transform reads the source pixel
    ``(x_in, y_in) = ((A2 + x*A0 + y*A1) >> 16, (A5 + x*A3 + y*A4) >> 16)``
    for the output pixel ``(x, y)``: 16.16 fixed point in general, and an
    exact floor in floating point for pure translations/flips (``b == d ==
    0``, its "scale" path), which is written here in the same integer form.
    (PIL switches to floating point for coordinates beyond +-32768 px; the
    int64 arithmetic here keeps the fixed-point result there.)

    Args:
        data (tuple): :func:`pil_affine_data`'s output.

    Returns:
        tuple: ``(A0, A1, A2, A3, A4, A5)`` int64 (Python ints for scalars).
    """
    a, b, c, d, e, f = data
    xp = _xp(a)
    xo = c + b * 0.5 + a * 0.5
    yo = f + e * 0.5 + d * 0.5

    def fix(v):
        return _floor_int(v * 65536.0 + 0.5)

    # Pure translation/flip (b == d == 0): PIL samples floor(xo + x*a) in
    # floating point; a is +-1 there, so this is floor(xo) + x*a exactly.
    scale_path = (b == 0) & (d == 0)
    if xp is np and np.ndim(a) == 0:
        if bool(scale_path):
            return (fix(a), 0, _floor_int(xo) * _FIX_ONE, 0, fix(e),
                    _floor_int(yo) * _FIX_ONE)
        return (fix(a), fix(b), fix(xo), fix(d), fix(e), fix(yo))
    # arrays: the six rounded in one stack (a few array calls, not 30)
    both = torch.broadcast_tensors if xp is torch else np.broadcast_arrays
    fixed = fix(xp.stack(both(a, b, xo, d, e, yo)))
    floors = _floor_int(xp.stack(both(xo, yo))) * _FIX_ONE
    a2 = xp.where(scale_path, floors[0], fixed[2])
    a5 = xp.where(scale_path, floors[1], fixed[5])
    return fixed[0], fixed[1], a2, fixed[3], fixed[4], a5


def _floor_int(v):
    if isinstance(v, torch.Tensor):
        return torch.floor(v).to(torch.int64)
    if isinstance(v, np.ndarray):
        return np.floor(v).astype(np.int64)
    return int(math.floor(v))


def source_indices(coefficients: tuple, xs, ys) -> tuple:
    """Source column/row of output pixels ``(xs, ys)`` (integer arrays).

    Works on numpy and torch alike; out-of-image indices are not clipped
    (the caller fills them).
    """
    a0, a1, a2, a3, a4, a5 = coefficients
    return (a2 + xs * a0 + ys * a1) >> 16, (a5 + xs * a3 + ys * a4) >> 16


def op_matrix(op: str, param, height: int, width: int) -> np.ndarray:
    """The 3x3 matrix mapping INPUT coordinates to OUTPUT coordinates.

    Identity for non-geometric ops. Points follow the image exactly up to
    the half-pixel snapping of nearest-neighbour sampling.

    Args:
        op (str): Any op of the library.
        param (float | None): The op's parameter (signed).
        height (int): Image height.
        width (int): Image width.

    Returns:
        np.ndarray: (3, 3) float64 matrix ``M`` with ``M @ (x, y, 1) =
        (x', y', 1)``.

    Examples:
        >>> op_matrix('TranslateX', 0.25, 32, 32)[0, 2]  # content moves left
        -8.0
    """
    check_op(op)
    if op not in GEOMETRIC_OPS:
        return np.eye(3)
    if param is None:
        raise ValueError(f'param: {op} needs a parameter, got None')
    a, b, c, d, e, f = pil_affine_data(op, float(param), height, width)
    inverse = np.array([[a, b, c], [d, e, f], [0.0, 0.0, 1.0]])
    return np.linalg.inv(inverse)


def transform_points(points, matrix):
    """Apply a 3x3 matrix to ``(N, 2)`` points ``(x, y)``.

    Args:
        points (ndarray | Tensor): ``(N, 2)`` continuous coordinates.
        matrix (ndarray): ``(3, 3)`` from :func:`op_matrix`.

    Returns:
        The moved points, same type, dtype and device as ``points``.
    """
    if points.ndim != 2 or points.shape[-1] != 2:
        raise ValueError(f'points: expected shape (N, 2), got '
                         f'{tuple(points.shape)}')
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.shape != (3, 3):
        raise ValueError(f'matrix: expected shape (3, 3), got {matrix.shape}')
    if isinstance(points, torch.Tensor):
        m = torch.as_tensor(matrix, dtype=points.dtype, device=points.device)
        return points @ m[:2, :2].T + m[:2, 2]
    out = points @ matrix[:2, :2].T + matrix[:2, 2]
    if np.issubdtype(points.dtype, np.floating):
        return out.astype(points.dtype, copy=False)
    return out


def transform_boxes(boxes, matrix):
    """Move ``(N, 4)`` ``xyxy`` boxes: the bounding box of the 4 corners.

    Args:
        boxes (ndarray | Tensor): ``(N, 4)`` boxes ``(x1, y1, x2, y2)``.
        matrix (ndarray): ``(3, 3)`` from :func:`op_matrix`.

    Returns:
        ``(N, 4)`` boxes of the same type (not clipped to the image).

    Examples:
        >>> m = op_matrix('TranslateY', -0.5, 10, 10)
        >>> transform_boxes(np.array([[1., 1., 3., 2.]]), m)
        array([[1., 6., 3., 7.]])
    """
    if boxes.ndim != 2 or boxes.shape[-1] != 4:
        raise ValueError(f'boxes: expected shape (N, 4), got '
                         f'{tuple(boxes.shape)}')
    x1, y1, x2, y2 = (boxes[:, i] for i in range(4))
    xp = _xp(boxes)
    corners = xp.stack([
        xp.stack([x1, y1], -1),
        xp.stack([x2, y1], -1),
        xp.stack([x1, y2], -1),
        xp.stack([x2, y2], -1)
    ], 1).reshape(-1, 2)
    moved = transform_points(corners, matrix).reshape(-1, 4, 2)
    if xp is torch:
        return torch.cat([moved.amin(1), moved.amax(1)], -1)
    return np.concatenate([moved.min(1), moved.max(1)], -1)
