# Copyright (c) mmautoaug contributors. All rights reserved.
"""Move detection annotations with a 3x3 matrix of the op library.

The matrices come from :func:`mmautoaug.augment.geometry.op_matrix`: they map
INPUT continuous pixel coordinates to OUTPUT coordinates, the frame of mmdet's
``xyxy`` boxes and polygons. Label maps (bitmap masks, semantic maps) are
resampled with the op library's own nearest-neighbour sampler, the one that
moves the image, so a mask stays on the pixels of its object.
"""
from typing import List, Sequence

import numpy as np

from mmautoaug.augment.box_ops import warp_label_maps
from mmautoaug.augment.geometry import transform_points

__all__ = [
    'warp_label_maps', 'clip_polygon', 'polygon_area', 'transform_polygons'
]


def clip_polygon(points: np.ndarray, width: float,
                 height: float) -> np.ndarray:
    """Clip a polygon to the image rectangle ``[0, W] x [0, H]``.

    Sutherland-Hodgman against the four borders: the part of the polygon
    inside the image keeps its exact shape (clamping the vertices instead
    would bend it).

    Args:
        points (np.ndarray): ``(K, 2)`` vertices ``(x, y)``.
        width (float): Image width.
        height (float): Image height.

    Returns:
        np.ndarray: ``(M, 2)`` vertices of the clipped polygon; ``M = 0``
        when nothing of it is inside the image.

    Examples:
        >>> square = np.array([[-2., -2], [2, -2], [2, 2], [-2, 2]])
        >>> clip_polygon(square, 10, 10).tolist()
        [[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]]
    """
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if len(points) and (points >= 0).all() and (
            points[:, 0] <= width).all() and (points[:, 1] <= height).all():
        return points  # inside: nothing to clip (the common case)
    # (axis, bound, keep_greater): x >= 0, x <= W, y >= 0, y <= H.
    borders = ((0, 0.0, True), (0, float(width), False), (1, 0.0, True),
               (1, float(height), False))
    poly = [np.asarray(p, dtype=np.float64) for p in points]
    for axis, bound, keep_greater in borders:
        if not poly:
            break
        kept: List[np.ndarray] = []
        for k, current in enumerate(poly):
            previous = poly[k - 1]
            cur_in = (current[axis] >= bound) if keep_greater \
                else (current[axis] <= bound)
            prev_in = (previous[axis] >= bound) if keep_greater \
                else (previous[axis] <= bound)
            if cur_in != prev_in:
                t = (bound - previous[axis]) / (current[axis] - previous[axis])
                kept.append(previous + t * (current - previous))
            if cur_in:
                kept.append(current)
        poly = kept
    return np.array(poly, dtype=np.float64).reshape(-1, 2)


def polygon_area(points: np.ndarray) -> float:
    """Area of a simple polygon given as ``(K, 2)`` vertices (shoelace).

    Examples:
        >>> polygon_area(np.array([[0., 0], [4, 0], [4, 3]]))
        6.0
    """
    if len(points) < 3:
        return 0.0
    x, y = points[:, 0], points[:, 1]
    # the closing edge apart: np.roll costs more than the sums here
    cross = np.dot(x[:-1], y[1:]) - np.dot(y[:-1], x[1:]) + (
        x[-1] * y[0] - y[-1] * x[0])
    return 0.5 * abs(float(cross))


def transform_polygons(instances: Sequence[Sequence[np.ndarray]],
                       matrix: np.ndarray, width: int,
                       height: int) -> List[List[np.ndarray]]:
    """Move mmdet polygon masks through ``matrix`` and clip them.

    Args:
        instances: mmdet ``PolygonMasks.masks``: per instance a list of flat
            ``[x0, y0, x1, y1, ...]`` arrays.
        matrix (np.ndarray): ``(3, 3)`` input -> output matrix.
        width (int): Output image width.
        height (int): Output image height.

    Returns:
        list[list[np.ndarray]]: The same layout. Parts that leave the image
        entirely are removed; an instance with no part left gets mmdet's
        placeholder for an empty polygon mask, ``[np.zeros(6)]`` (the one
        mmdet's ``LoadAnnotations`` uses), so instance counts stay aligned.

    Examples:
        >>> shift = np.array([[1., 0, -2], [0, 1, 0], [0, 0, 1]])
        >>> square = [np.array([1., 1, 3, 1, 3, 3, 1, 3])]
        >>> transform_polygons([square], shift, 8, 8)[0][0].tolist()
        [0.0, 1.0, 1.0, 1.0, 1.0, 3.0, 0.0, 3.0]
    """
    moved = []
    for parts in instances:
        new_parts = []
        for flat in parts:
            points = np.asarray(flat, dtype=np.float64).reshape(-1, 2)
            if len(points) == 0:
                continue
            clipped = clip_polygon(
                transform_points(points, matrix), width, height)
            if polygon_area(clipped) > 0:
                new_parts.append(clipped.reshape(-1))
        moved.append(new_parts if new_parts else [np.zeros(6)])
    return moved
