# Copyright (c) mmautoaug contributors. All rights reserved.
"""A small COCO-format detection / instance segmentation set.

Coloured shapes with exact polygon outlines, painted on crops of the photos
that ship with scikit-learn (``china.jpg``, ``flower.jpg``), written as COCO
images + ``annotations/instances_{train,val}.json``.
"""
import json
import math
import os
import os.path as osp
from typing import Dict, List, Tuple

import numpy as np
from mmdet.datasets import CocoDataset

from mmautoaug.registry import DATASETS
from .atomic import build_dir_atomically
from .glyphs import composite

#: Category names of the demo set, in label order (COCO ids are 1-based).
SHAPE_NAMES = ('square', 'hexagon', 'circle', 'cross')
#: Images per split.
DEMO_COCO_SPLITS = {'train': 48, 'val': 16}
DEMO_COCO_SEED = 20191030
_SIZES = {'width': (96, 112, 128), 'height': (80, 96, 112)}
# vivid fill colours, jittered per object
_COLOURS = np.array([(230, 40, 40), (40, 200, 60), (40, 90, 230),
                     (240, 220, 40), (230, 60, 220), (40, 220, 230),
                     (250, 140, 20), (250, 250, 250)])


def _chamfer(corners: np.ndarray, cut: float) -> np.ndarray:
    """Cut every corner of a polygon by ``cut`` (a fraction of each edge)."""
    out = []
    for k, corner in enumerate(corners):
        prev, nxt = corners[k - 1], corners[(k + 1) % len(corners)]
        out.append(corner + cut * (prev - corner))
        out.append(corner + cut * (nxt - corner))
    return np.array(out)


def shape_polygon(category: str, cx: float, cy: float, radius: float,
                  angle: float) -> np.ndarray:
    """Vertices of a shape, (K, 2) float (x, y), rounded to 0.01 px.

    Every convex corner is at least 120 degrees (the square's and the
    cross's corners are bevelled), so the rasterised mask reaches within
    1 px of the polygon's extreme vertices whatever the rotation: masks and
    boxes agree within 1 px.

    Args:
        category (str): One of :data:`SHAPE_NAMES`.
        cx (float): Centre x.
        cy (float): Centre y.
        radius (float): Distance of the farthest points from the centre
            (before bevelling).
        angle (float): Rotation in radians (counter-clockwise on screen).

    Returns:
        np.ndarray: The polygon.

    Examples:
        >>> shape_polygon('hexagon', 0, 0, 2, 0)[:2].tolist()
        [[1.73, -1.0], [0.0, -2.0]]
    """
    if category == 'cross':
        # a plus sign with arms of half-width radius / 3 (12 corners); the
        # outer corners are bevelled, the inner (concave) ones stay sharp
        a = radius / 3
        r = math.sqrt(radius**2 - a**2)
        local = []
        for k in range(4):  # the arm along +x, rotated by k * 90 degrees
            arm = [(r, -a), (r, a)]
            end = _chamfer(np.array([(a, -a)] + arm + [(a, a)]), 0.2)[2:6]
            for x, y in [tuple(p) for p in end] + [(a, a)]:
                for _ in range(k):
                    x, y = -y, x
                local.append((x, y))
        local = np.array(local)
    elif category == 'square':
        theta = math.pi / 4 + math.pi / 2 * np.arange(4)
        square = radius * np.stack([np.cos(theta), np.sin(theta)], axis=1)
        local = _chamfer(square, 0.15)
    elif category in ('hexagon', 'circle'):
        count = 6 if category == 'hexagon' else 32  # a 32-gon is exact
        theta = 2 * math.pi * np.arange(count) / count + math.pi / count
        local = radius * np.stack([np.cos(theta), np.sin(theta)], axis=1)
    else:
        raise ValueError(f'shape_polygon: category must be one of '
                         f'{SHAPE_NAMES}, got {category!r}.')
    cos, sin = math.cos(angle), math.sin(angle)
    x = cx + cos * local[:, 0] - sin * local[:, 1]
    y = cy - (sin * local[:, 0] + cos * local[:, 1])  # image y points down
    return np.round(np.stack([x, y], axis=1), 2) + 0.0


def rasterize_polygon(polygon: np.ndarray, height: int,
                      width: int) -> np.ndarray:
    """Pixels whose centre lies inside ``polygon`` (even-odd rule).

    Args:
        polygon (np.ndarray): (K, 2) vertices (x, y) in pixel coordinates,
            where pixel (i, j) covers ``[j, j+1) x [i, i+1)``.
        height (int): Mask height.
        width (int): Mask width.

    Returns:
        np.ndarray: (height, width) bool mask.

    Examples:
        >>> square = np.array([[1, 1], [3, 1], [3, 3], [1, 3]], float)
        >>> rasterize_polygon(square, 4, 4).astype(int).tolist()
        [[0, 0, 0, 0], [0, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 0]]
    """
    ys, xs = np.mgrid[0:height, 0:width]
    px, py = xs + 0.5, ys + 0.5
    inside = np.zeros((height, width), dtype=bool)
    x0, y0 = polygon[:, 0], polygon[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    for ax, ay, bx, by in zip(x0, y0, x1, y1):
        if ay == by:
            continue  # horizontal edges never cross a horizontal ray
        crosses = (ay > py) != (by > py)
        x_cross = ax + (py - ay) * (bx - ax) / (by - ay)
        inside ^= crosses & (px < x_cross)
    return inside


def _background(rng: np.random.Generator, photos: List[np.ndarray],
                height: int, width: int) -> np.ndarray:
    photo = photos[int(rng.integers(len(photos)))]
    scale = int(rng.integers(1, 4))  # block-average 1x, 2x or 3x
    crop_h, crop_w = height * scale, width * scale
    top = int(rng.integers(0, photo.shape[0] - crop_h + 1))
    left = int(rng.integers(0, photo.shape[1] - crop_w + 1))
    crop = photo[top:top + crop_h, left:left + crop_w].astype(np.int64)
    crop = crop.reshape(height, scale, width, scale, 3).sum(axis=(1, 3))
    # dimmed so that the painted shapes stand out
    return crop / (scale * scale) * 0.6 + 30


def _place(rng: np.random.Generator, height: int, width: int,
           taken: List[Tuple[float, float, float, float]]):
    for _ in range(100):
        category = SHAPE_NAMES[int(rng.integers(len(SHAPE_NAMES)))]
        radius = float(rng.integers(8, min(22, min(height, width) // 3) + 1))
        cx = float(rng.uniform(radius + 2, width - radius - 2))
        cy = float(rng.uniform(radius + 2, height - radius - 2))
        angle = float(rng.uniform(0, 2 * math.pi))
        polygon = shape_polygon(category, cx, cy, radius, angle)
        box = (*polygon.min(0), *polygon.max(0))
        if all(box[2] + 2 < t[0] or t[2] + 2 < box[0] or box[3] + 2 < t[1]
               or t[3] + 2 < box[1] for t in taken):
            return category, polygon, box
    return None


def render_demo_coco_image(rng: np.random.Generator,
                           photos: List[np.ndarray]):
    """Render one image and its objects.

    Returns:
        tuple: ``(image, objects)``: (H, W, 3) uint8 RGB image and a list of
        ``(category, polygon (K, 2), mask (H, W) bool)``.
    """
    width = int(rng.choice(_SIZES['width']))
    height = int(rng.choice(_SIZES['height']))
    image = _background(rng, photos, height, width)
    objects, taken = [], []
    for _ in range(int(rng.integers(1, 5))):
        placed = _place(rng, height, width, taken)
        if placed is None:
            continue
        category, polygon, box = placed
        taken.append(box)
        mask = rasterize_polygon(polygon, height, width)
        colour = _COLOURS[int(rng.integers(len(_COLOURS)))]
        colour = np.clip(colour + rng.integers(-25, 26, size=3), 0, 255)
        # paint with exact coverage 0/1, so the mask is the object
        image = image * (1 - mask[..., None]) + colour * mask[..., None]
        objects.append((category, polygon, mask))
    noise = rng.integers(-6, 7, size=(height, width, 3))
    return composite(image, 0, np.zeros((height, width)), noise), objects


def _sample_photos() -> List[np.ndarray]:
    try:
        from sklearn.datasets import load_sample_image
    except ImportError as e:  # pragma: no cover - depends on the install
        raise ImportError(
            'The demo COCO set paints on scikit-learn\'s bundled photos but '
            'scikit-learn is not installed; run `pip install '
            'scikit-learn`.') from e
    return [load_sample_image(name) for name in ('china.jpg', 'flower.jpg')]


def write_demo_coco(out_dir: str, seed: int = DEMO_COCO_SEED) -> None:
    """Write the demo set in COCO layout into ``out_dir``.

    ``out_dir/{train,val}/NNNNNN.png`` and
    ``out_dir/annotations/instances_{train,val}.json`` with ``bbox``
    (x, y, w, h of the polygon), ``area`` (of the polygon's mask, as COCO
    computes it), ``iscrowd`` 0, ``category_id`` and polygon
    ``segmentation``.

    Args:
        out_dir (str): Directory to write into (created if missing).
        seed (int): Seed of the build. Defaults to :data:`DEMO_COCO_SEED`.
    """
    from PIL import Image
    from pycocotools import mask as mask_utils

    rng = np.random.default_rng(seed)
    photos = _sample_photos()
    categories = [
        dict(id=i + 1, name=name, supercategory='shape')
        for i, name in enumerate(SHAPE_NAMES)
    ]
    os.makedirs(osp.join(out_dir, 'annotations'), exist_ok=True)
    for split, count in DEMO_COCO_SPLITS.items():
        os.makedirs(osp.join(out_dir, split), exist_ok=True)
        images, annotations = [], []
        for image_id in range(1, count + 1):
            image, objects = render_demo_coco_image(rng, photos)
            height, width = image.shape[:2]
            file_name = f'{image_id:06d}.png'
            Image.fromarray(image).save(
                osp.join(out_dir, split, file_name), format='PNG')
            images.append(
                dict(id=image_id, file_name=file_name, height=height,
                     width=width))
            for category, polygon, _ in objects:
                segmentation = [[float(v) for v in polygon.reshape(-1)]]
                rle = mask_utils.frPyObjects(segmentation, height, width)
                x0, y0 = polygon.min(0)
                x1, y1 = polygon.max(0)
                annotations.append(
                    dict(
                        id=len(annotations) + 1,
                        image_id=image_id,
                        category_id=SHAPE_NAMES.index(category) + 1,
                        bbox=[round(float(v), 2)
                              for v in (x0, y0, x1 - x0, y1 - y0)],
                        area=float(mask_utils.area(rle).sum()),
                        iscrowd=0,
                        segmentation=segmentation))
        coco = dict(
            info=dict(description='mmautoaug demo shapes (COCO layout), '
                      'painted on scikit-learn sample photos',
                      version='1.0'),
            licenses=[],
            images=images,
            annotations=annotations,
            categories=categories)
        path = osp.join(out_dir, 'annotations', f'instances_{split}.json')
        with open(path, 'w', encoding='utf-8') as f:
            json.dump(coco, f)


def build_demo_coco(data_root: str = 'data/demo_coco',
                    force: bool = False) -> bool:
    """Build the demo COCO set into ``data_root`` unless it is there.

    Safe when several processes call it at once (see
    :func:`build_dir_atomically`).

    Args:
        data_root (str): Target directory. Defaults to ``'data/demo_coco'``.
        force (bool): Rebuild even if the directory holds files.

    Returns:
        bool: Whether this call wrote a new build.
    """
    return build_dir_atomically(data_root, write_demo_coco, force=force)


@DATASETS.register_module()
class DemoCocoDataset(CocoDataset):
    """The embedded demo detection set, loaded by mmdet's CocoDataset.

    48 training and 16 validation images (80-112 x 96-128 px) with 1-4
    non-overlapping shapes each (:data:`SHAPE_NAMES`), built on first use
    into ``data_root`` by :func:`build_demo_coco`, then loaded by the
    unmodified :class:`mmdet.datasets.CocoDataset` code; only the class
    names differ.

    Args:
        data_root (str): Directory of the set. Defaults to
            ``'data/demo_coco'``.
        ann_file (str): Annotation file relative to ``data_root``.
            Defaults to ``'annotations/instances_train.json'``.
        data_prefix (dict): Image folder relative to ``data_root``.
            Defaults to ``dict(img='train/')``.
        **kwargs: Other arguments of :class:`CocoDataset`.

    Examples:
        >>> import os, tempfile
        >>> from mmautoaug.datasets import DemoCocoDataset
        >>> root = os.path.join(tempfile.mkdtemp(), 'demo_coco')
        >>> len(DemoCocoDataset(data_root=root))
        48
    """

    METAINFO: Dict[str, tuple] = {
        'classes': SHAPE_NAMES,
        'palette': [(220, 20, 60), (0, 128, 0), (0, 0, 230),
                    (250, 170, 30)],
    }

    def __init__(self,
                 data_root: str = 'data/demo_coco',
                 ann_file: str = 'annotations/instances_train.json',
                 data_prefix: dict = dict(img='train/'),
                 **kwargs) -> None:
        if not data_root:
            raise ValueError('DemoCocoDataset: data_root must name the '
                             'directory of the demo set, e.g. '
                             '"data/demo_coco".')
        build_demo_coco(data_root)
        super().__init__(
            data_root=data_root,
            ann_file=ann_file,
            data_prefix=data_prefix,
            **kwargs)


__all__ = [
    'DemoCocoDataset', 'build_demo_coco', 'write_demo_coco', 'SHAPE_NAMES',
    'shape_polygon', 'rasterize_polygon'
]
