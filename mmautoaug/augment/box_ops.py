# Copyright (c) mmautoaug contributors. All rights reserved.
"""Boxes and masks under the op library's ops: the rules of BOTH detection
faces (per image, :class:`~mmautoaug.detection.DetPolicyAugment`; batched,
:mod:`.batch_detection`), written once on numpy arrays and torch tensors.

Image-level ops:

- a geometric op moves every box to the bounding box of its moved corners
  (:func:`~.geometry.transform_boxes` with the op's 3x3
  :func:`~.geometry.op_matrix`), clipped to the image
  (:func:`move_boxes`); bitmap masks are resampled like the image;
- after EACH geometric op an instance is dropped (with its label and mask)
  when its box is narrower or lower than ``min_box_size``, or its mask had
  pixels before the op and has none after (:func:`kept_instances`); a mask
  that was empty to begin with (mmdet's placeholder) keeps its box;
- with ``recompute_bbox`` the boxes are taken from the moved masks after
  the last geometric op (:func:`boxes_from_masks`), then degenerate ones
  are dropped;
- photometric ops and Cutout leave annotations alone.

Box-level ops (``BBox_Only_<op>``, Zoph et al., 2019): once drawn, each box
is picked with probability :data:`BOX_OP_PROB` and its pixels
(:func:`box_regions`) get ``<op>`` as if they were an image of that size,
box after box in index order; boxes never move, masks (and any label map)
follow the pixels of a geometric base op inside each region, so the drop
rule above applies to them too.
"""
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
import torch

from .fast_warp import check_warp, warp_maps_fast
from .geometry import (pil_affine_data, pil_sampling_coefficients,
                       source_indices, transform_boxes)
from .image_ops import apply_image_op
from .spaces import BOX_OPS, GEOMETRIC_OPS

#: Probability that a drawn box-level op augments a given box. Source: Zoph
#: et al. (2019), released ``autoaugment_utils.py``,
#: ``_scale_bbox_only_op_probability`` (their op probability / 3 per box;
#: here the op's probability draws the op, then each box is picked with 1/3,
#: the same chance per box).
BOX_OP_PROB = 1.0 / 3.0

Array = Union[np.ndarray, torch.Tensor]


def _xp(x):
    return torch if isinstance(x, torch.Tensor) else np


def clip_boxes(boxes: Array, height: int, width: int) -> Array:
    """Clip ``(N, 4)`` ``xyxy`` boxes to ``[0, W] x [0, H]`` (a new array).

    Examples:
        >>> clip_boxes(np.array([[-2., 3, 12, 5]]), 10, 10).tolist()
        [[0.0, 3.0, 10.0, 5.0]]
    """
    xp = _xp(boxes)
    out = boxes.clone() if xp is torch else boxes.copy()
    out[:, 0::2] = xp.clip(boxes[:, 0::2], 0, width)
    out[:, 1::2] = xp.clip(boxes[:, 1::2], 0, height)
    return out


def move_boxes(boxes: Array, matrix: np.ndarray, height: int,
               width: int) -> Array:
    """Move ``(N, 4)`` boxes with an op's matrix and clip them to the image.

    Args:
        boxes (ndarray | Tensor): ``(N, 4)`` ``xyxy``.
        matrix (ndarray): ``(3, 3)`` from :func:`~.geometry.op_matrix`.
        height (int): Image height (the op keeps the size).
        width (int): Image width.

    Returns:
        The moved, clipped boxes, same type, dtype and device.
    """
    if len(boxes) == 0:
        return boxes
    return clip_boxes(transform_boxes(boxes, matrix), height, width)


def mask_has_pixels(masks: Array) -> Array:
    """Per instance of ``(N, H, W)`` bitmaps: does its mask cover anything?"""
    if isinstance(masks, torch.Tensor):
        # (torch's any() of uint8 is uint8)
        return (masks.reshape(len(masks), -1) != 0).any(1)
    # any over both axes: a reshape copies column-major masks
    return masks.any(axis=(1, 2)) if len(masks) else np.zeros(0, bool)


def kept_instances(boxes: Optional[Array],
                   min_box_size: float,
                   had_pixels: Optional[Array] = None,
                   has_pixels: Optional[Array] = None) -> Array:
    """Which instances survive an op (the drop rule of both faces).

    Args:
        boxes (ndarray | Tensor, optional): ``(N, 4)`` boxes after the op.
        min_box_size (float): Boxes narrower or lower than this are gone.
        had_pixels (ndarray | Tensor, optional): ``(N,)`` masks non-empty
            before the op.
        has_pixels (ndarray | Tensor, optional): ``(N,)`` masks non-empty
            after it.

    Returns:
        ``(N,)`` bool: True for instances to keep.

    Examples:
        >>> kept_instances(np.array([[0., 0, 5, 5], [0, 0, 0.5, 5]]), 1.0)
        array([ True, False])
    """
    keep = None
    if boxes is not None:
        keep = ((boxes[:, 2] - boxes[:, 0] >= min_box_size) &
                (boxes[:, 3] - boxes[:, 1] >= min_box_size))
    if had_pixels is not None:
        emptied = had_pixels & ~has_pixels
        keep = ~emptied if keep is None else keep & ~emptied
    return keep


def tight_boxes(masks: Array) -> Array:
    """The tight ``xyxy`` box of every ``(N, H, W)`` bitmap mask.

    Column ``x`` counts as ``[x, x + 1)`` (mmdet's
    ``HorizontalBoxes.from_instance_masks``); empty masks give zeros.

    Returns:
        ``(N, 4)`` float32 boxes.

    Examples:
        >>> m = np.zeros((1, 4, 6), np.uint8); m[0, 1:3, 2:5] = 1
        >>> tight_boxes(m).tolist()
        [[2.0, 1.0, 5.0, 3.0]]
    """
    xp = _xp(masks)
    n, h, w = masks.shape
    binary = masks != 0
    cols, rows = binary.any(1), binary.any(2)
    if xp is torch:
        ax = torch.arange(w, device=masks.device)
        ay = torch.arange(h, device=masks.device)
        x0 = torch.where(cols, ax, w).amin(1)
        x1 = torch.where(cols, ax + 1, 0).amax(1)
        y0 = torch.where(rows, ay, h).amin(1)
        y1 = torch.where(rows, ay + 1, 0).amax(1)
        out = torch.stack([x0, y0, x1, y1], 1).to(torch.float32)
        return torch.where(cols.any(1)[:, None], out, torch.zeros_like(out))
    ax, ay = np.arange(w), np.arange(h)
    x0 = np.where(cols, ax, w).min(1, initial=w)
    x1 = np.where(cols, ax + 1, 0).max(1, initial=0)
    y0 = np.where(rows, ay, h).min(1, initial=h)
    y1 = np.where(rows, ay + 1, 0).max(1, initial=0)
    out = np.stack([x0, y0, x1, y1], 1).astype(np.float32)
    out[~cols.any(1)] = 0
    return out


def boxes_from_masks(boxes: Array, tight: Array) -> Array:
    """``recompute_bbox``: each box becomes the tight box of its mask where
    that mask is non-empty (``tight`` from :func:`tight_boxes`); instances
    with an empty mask keep their box.

    Returns:
        A new ``(N, 4)`` array of ``boxes``' type and dtype.
    """
    filled = (tight[:, 2] > tight[:, 0]) & (tight[:, 3] > tight[:, 1])
    if isinstance(boxes, torch.Tensor):
        return torch.where(filled[:, None], tight.to(boxes), boxes)
    out = boxes.copy()
    out[filled] = tight[filled]
    return out


def box_regions(boxes: Array, height: int, width: int) -> Array:
    """The pixels a box covers, as half-open integer index ranges.

    Pixel ``(i, j)`` covers ``[i, i + 1) x [j, j + 1)``; a box covers the
    pixels it overlaps: columns ``floor(x1) .. ceil(x2) - 1``, clipped to
    the image. Empty boxes give empty ranges.

    Returns:
        ``(N, 4)`` int64 ``(x0, y0, x1, y1)``: the region is
        ``img[y0:y1, x0:x1]``.

    Examples:
        >>> box_regions(np.array([[1.5, 2., 4., 3.2]]), 10, 10).tolist()
        [[1, 2, 4, 4]]
    """
    xp = _xp(boxes)
    lo, hi = xp.floor(boxes[:, :2]), xp.ceil(boxes[:, 2:])
    size = [width, height]
    if xp is torch:
        size = torch.tensor(size, device=boxes.device, dtype=boxes.dtype)
        lo = torch.minimum(lo.clamp(min=0), size)
        hi = torch.minimum(hi.clamp(min=0), size)
        hi = torch.maximum(hi, lo)
        return torch.cat([lo, hi], 1).to(torch.int64)
    size = np.asarray(size, np.float64)
    lo = np.minimum(np.maximum(lo, 0), size)
    hi = np.maximum(np.minimum(np.maximum(hi, 0), size), lo)
    return np.concatenate([lo, hi], 1).astype(np.int64)


def check_box_prob(box_prob: float) -> float:
    """Refuse a per-box probability outside [0, 1]."""
    if isinstance(box_prob, bool) or not isinstance(
            box_prob, (int, float)) or not 0.0 <= box_prob <= 1.0:
        raise ValueError(f'box_prob: must be a number in [0, 1] (the chance '
                         f'that a drawn box-level op augments a box), got '
                         f'{box_prob!r}')
    return float(box_prob)


def apply_box_op(
        img: np.ndarray,
        boxes: np.ndarray,
        op: str,
        param=None,
        *,
        maps: Sequence[Tuple[np.ndarray, Union[int, float]]] = (),
        box_applied: Optional[np.ndarray] = None,
        box_prob: float = BOX_OP_PROB,
        fill=(0, 0, 0),
        cutout_fill=(125, 123, 114),
        rng: Optional[np.random.Generator] = None,
        channel_order: str = 'rgb') -> Tuple[np.ndarray, List[np.ndarray]]:
    """Apply a box-level op to one image (the per-image face).

    Each picked box's region (:func:`box_regions`) is cropped, given the
    base op by :func:`~.image_ops.apply_image_op` as an image of its own,
    and pasted back, box after box in index order (a later box sees what an
    earlier, overlapping one did). For a geometric base op the label maps
    ``maps`` (instance masks ``(N, H, W)``, a semantic map ``(H, W)``) are
    moved inside each region by the same op, filled with their fill value,
    so they stay on their pixels. Boxes never move.

    Args:
        img (np.ndarray): ``HxW`` or ``HxWxC`` uint8.
        boxes (np.ndarray): ``(N, 4)`` ``xyxy`` boxes of the image.
        op (str): A box-level op of :data:`~.spaces.BOX_OPS`.
        param (float, optional): The base op's parameter (signed).
        maps (Sequence[tuple]): ``(array, fill)`` pairs of label maps moved
            with a geometric base op.
        box_applied (np.ndarray, optional): ``(N,)`` bool, which boxes the
            op augments; drawn as ``rng.random(N) < box_prob`` when None.
        box_prob (float): Chance that a box is picked. Defaults to
            :data:`BOX_OP_PROB`.
        fill, cutout_fill: Colours, as :func:`~.image_ops.apply_image_op`.
        rng (np.random.Generator, optional): Draws the boxes and Cutout
            centres (in this order).
        channel_order (str): ``'rgb'`` or ``'bgr'``.

    Returns:
        tuple: The new image and the list of moved maps (new arrays; the
        inputs are not modified).

    Examples:
        >>> img = np.zeros((8, 8), np.uint8); img[2:6, 2:6] = 100
        >>> out, _ = apply_box_op(img, np.array([[2., 2, 4, 4]]),
        ...                       'BBox_Only_Brightness', 2.0,
        ...                       box_applied=np.array([True]))
        >>> int(out[3, 3]), int(out[5, 5])  # inside the box, outside it
        (200, 100)
    """
    if op not in BOX_OPS:
        raise ValueError(f'op: {op!r} is not a box-level op; allowed: '
                         f'{list(BOX_OPS)}')
    base = BOX_OPS[op]
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    rng = np.random.default_rng() if rng is None else rng
    if box_applied is None:
        box_applied = rng.random(len(boxes)) < check_box_prob(box_prob)
    box_applied = np.asarray(box_applied, bool).reshape(-1)
    if len(box_applied) != len(boxes):
        raise ValueError(f'box_applied: {len(box_applied)} values for '
                         f'{len(boxes)} boxes')
    out = img
    moved = [np.array(a, copy=True) for a, _ in maps]
    regions = box_regions(boxes, *img.shape[:2])
    for k in np.flatnonzero(box_applied):
        x0, y0, x1, y1 = (int(v) for v in regions[k])
        if x1 <= x0 or y1 <= y0:
            continue
        if out is img:
            out = img.copy()
        out[y0:y1, x0:x1] = apply_image_op(
            np.ascontiguousarray(out[y0:y1, x0:x1]),
            base,
            param,
            fill=fill,
            cutout_fill=cutout_fill,
            rng=rng,
            channel_order=channel_order)
        if base in GEOMETRIC_OPS:
            for array, (_, value) in zip(moved, maps):
                array[..., y0:y1,
                      x0:x1] = warp_label_maps(array[..., y0:y1, x0:x1], base,
                                               param, value)
    return out, moved


def warp_label_maps(arrays: np.ndarray,
                    op: str,
                    param: float,
                    fill: Union[int, float] = 0,
                    warp: str = 'exact') -> np.ndarray:
    """Move a stack of label maps with a geometric op, pixel for pixel.

    Picks every output pixel's source with the op library's sampler
    (:func:`~.geometry.pil_sampling_coefficients`, PIL's own
    nearest-neighbour arithmetic), the one the image ops use, so a mask
    stays exactly on the pixels of its object. Works for any dtype
    (instance masks, semantic maps with an ignore index), which is why label
    maps do not go through the uint8 image ops.

    Args:
        arrays (np.ndarray): ``(H, W)`` or ``(N, H, W)`` maps.
        op (str): One of :data:`~.spaces.GEOMETRIC_OPS`.
        param (float): The op's (signed) parameter.
        fill (int | float): Value of output pixels whose source lies
            outside the input (0 for masks, 255 - the ignore index - for
            segmentation maps).
        warp (str): The mode the image was warped in: ``'exact'`` (PIL's
            sampler) or ``'fast'`` (OpenCV's, see :mod:`.fast_warp`); the
            maps take the same source pixels as the image.

    Returns:
        np.ndarray: The moved maps, same shape and dtype.

    Examples:
        >>> warp_label_maps(np.array([[1, 2, 3]]), 'TranslateX', -1 / 3,
        ...                 fill=9)
        array([[9, 1, 2]])
    """
    if check_warp(warp) == 'fast':
        return warp_maps_fast(arrays, op, param, fill)
    single = arrays.ndim == 2
    stack = arrays[None] if single else arrays
    height, width = stack.shape[-2:]
    coefficients = pil_sampling_coefficients(
        pil_affine_data(op, param, height, width))
    ys, xs = np.mgrid[0:height, 0:width]
    src_x, src_y = source_indices(coefficients,
                                  xs.ravel().astype(np.int64),
                                  ys.ravel().astype(np.int64))
    inside = (src_x >= 0) & (src_x < width) & (src_y >= 0) & (src_y < height)
    out = np.full((stack.shape[0], height * width), fill, dtype=stack.dtype)
    out[:, inside] = stack[:, src_y[inside], src_x[inside]]
    out = out.reshape(stack.shape)
    return out[0] if single else out
