# Copyright (c) mmautoaug contributors. All rights reserved.
"""How clean are the boxes ``DetPolicyAugment`` leaves? Ghosts and tightness.

Samples are images with irregular (star-shaped, 8-24 vertices) polygon
objects, half of them near a border, the way COCO objects are cut by the
frame. Two measurements, side by side in one run:

1. **Ghost instances** under a strong Translate -> Rotate sub-policy: an
   instance is a ghost when it is kept although nothing of its object is
   left in the image (its polygon, moved and clipped op after op exactly as
   the image is, is empty). Rows: the rule that dropped degenerate boxes
   once, after the last op (what the transform did before), and the
   transform as it is (after each geometric op: degenerate boxes, and
   masks that had pixels and have none).
2. **Box tightness** after Rotate: mean IoU of each box with the true box
   of its object's pixels (the instance's bitmap, resampled with the
   image's own sampler): the moved corners of the box, boxes recomputed
   from polygon masks, boxes recomputed from bitmap masks.

Example::

    python tools/benchmark/det_box_quality.py --samples 400
"""
import argparse
import copy
from typing import Dict, List

import numpy as np

#: The strong sub-policies of the ghost measurement (fastaa space):
#: +/-0.225 x size translation, then a +/-30 degree rotation.
GHOST_POLICY = [[('TranslateX', 1.0, 0.75), ('Rotate', 1.0, 1.0)],
                [('TranslateY', 1.0, 0.75), ('Rotate', 1.0, 1.0)]]
#: Rotate by +/-30 degrees (fastaa space), for the tightness measurement.
ROTATE_POLICY = [[('Rotate', 1.0, 1.0)]]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--samples', type=int, default=400)
    parser.add_argument('--size', default='320x240', help='WxH')
    parser.add_argument('--objects', type=int, default=6,
                        help='objects per image')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args(argv)


def random_polygon(rng: np.random.Generator, width: int,
                   height: int) -> np.ndarray:
    """A star-shaped polygon (flat ``[x0, y0, ...]``); half of them are
    centred within a third of their radius of a border."""
    radius = rng.uniform(8, 0.25 * min(width, height))
    if rng.random() < 0.5:  # near one of the four borders
        off = rng.uniform(-radius / 3, radius / 3)
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        cx, cy = [(off, y), (width - off, y), (x, off),
                  (x, height - off)][int(rng.integers(4))]
    else:
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
    k = int(rng.integers(8, 25))
    angles = np.sort(rng.uniform(0, 2 * np.pi, k))
    radii = radius * rng.uniform(0.45, 1.0, k)
    points = np.stack(
        [cx + radii * np.cos(angles), cy + radii * np.sin(angles)], 1)
    return points.reshape(-1)


def make_sample(rng: np.random.Generator, width: int, height: int,
                objects: int) -> dict:
    """An image with ``objects`` polygons (each clipped to the image),
    painted in distinct grey levels, with boxes, labels and polygon
    masks."""
    from mmdet.structures.bbox import HorizontalBoxes
    from mmdet.structures.mask import PolygonMasks

    from mmautoaug.detection.annotations import (clip_polygon,
                                                 polygon_area)
    polygons = []
    while len(polygons) < objects:
        flat = random_polygon(rng, width, height)
        clipped = clip_polygon(flat.reshape(-1, 2), width, height)
        if polygon_area(clipped) >= 16:  # a visible object
            polygons.append([clipped.reshape(-1)])
    masks = PolygonMasks(polygons, height, width)
    img = np.full((height, width, 3), 40, np.uint8)
    for k, bitmap in enumerate(masks.to_ndarray()):
        img[bitmap.astype(bool)] = 80 + 25 * k
    return dict(
        img=img,
        img_shape=(height, width),
        gt_bboxes=HorizontalBoxes.from_instance_masks(masks),
        gt_bboxes_labels=np.arange(objects, dtype=np.int64),
        gt_ignore_flags=np.zeros(objects, bool),
        gt_masks=masks)


def _empty_masks(masks) -> np.ndarray:
    from mmautoaug.detection.transforms import _mask_has_pixels
    return ~_mask_has_pixels(masks)


def measure_ghosts(samples: List[dict], seed: int) -> Dict[str, tuple]:
    """``{rule: (kept instances, ghosts)}`` over the samples."""
    from mmautoaug.detection import DetPolicyAugment
    from mmautoaug.policy import Policy
    policy = Policy('fastaa', GHOST_POLICY)
    counts = {'drop once, after the last op': [0, 0],
              'DetPolicyAugment (after each op)': [0, 0]}
    for i, sample in enumerate(samples):
        # the old rule: every instance moved, degenerate boxes dropped at
        # the end (the random stream does not depend on the annotations,
        # so both rows see the same ops and parameters)
        old = DetPolicyAugment(policy, keep_degenerate=True,
                               seed=seed + i)(copy.deepcopy(sample))
        boxes = old['gt_bboxes'].numpy()
        kept = (boxes[:, 2] - boxes[:, 0] >= 1) & (boxes[:, 3] - boxes[:, 1]
                                                   >= 1)
        counts['drop once, after the last op'][0] += int(kept.sum())
        counts['drop once, after the last op'][1] += int(
            (kept & _empty_masks(old['gt_masks'])).sum())
        new = DetPolicyAugment(policy, seed=seed + i)(copy.deepcopy(sample))
        counts['DetPolicyAugment (after each op)'][0] += len(new['gt_bboxes'])
        counts['DetPolicyAugment (after each op)'][1] += int(
            _empty_masks(new['gt_masks']).sum())
    return {k: tuple(v) for k, v in counts.items()}


def _iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    lt = np.maximum(a[:, :2], b[:, :2])
    rb = np.minimum(a[:, 2:], b[:, 2:])
    inter = np.clip(rb - lt, 0, None).prod(1)
    area = lambda x: (x[:, 2:] - x[:, :2]).prod(1)  # noqa: E731
    return inter / (area(a) + area(b) - inter)


def measure_tightness(samples: List[dict], seed: int) -> Dict[str, float]:
    """Mean IoU with the true pixel box, per way of making the box."""
    from mmdet.structures.mask import BitmapMasks

    from mmautoaug.detection import DetPolicyAugment
    from mmautoaug.policy import Policy
    policy = Policy('fastaa', ROTATE_POLICY)
    ious: Dict[str, list] = {
        'moved corners': [],
        'recomputed from polygons': [],
        'recomputed from bitmaps': []
    }
    for i, sample in enumerate(samples):
        bitmap = copy.deepcopy(sample)
        bitmap['gt_masks'] = BitmapMasks(
            sample['gt_masks'].to_ndarray().astype(np.uint8),
            *sample['img_shape'])
        runs = {
            'moved corners': (sample, False),
            'recomputed from polygons': (sample, True),
            'recomputed from bitmaps': (bitmap, True)
        }
        outs = {
            name: DetPolicyAugment(
                policy, keep_degenerate=True, recompute_bbox=recompute,
                seed=seed + i)(copy.deepcopy(s))
            for name, (s, recompute) in runs.items()
        }
        truth_masks = outs['recomputed from bitmaps']['gt_masks'].masks
        visible = truth_masks.reshape(len(truth_masks), -1).any(1)
        truth = np.array([_pixel_box(m) for m in truth_masks[visible]])
        for name, out in outs.items():
            if len(truth):
                ious[name].extend(
                    _iou(out['gt_bboxes'].numpy()[visible], truth))
    return {k: float(np.mean(v)) for k, v in ious.items()}


def _pixel_box(mask: np.ndarray) -> List[float]:
    ys, xs = np.nonzero(mask)
    return [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]


def make_samples(num: int, width: int, height: int, objects: int,
                 seed: int) -> List[dict]:
    rng = np.random.default_rng(seed)
    return [make_sample(rng, width, height, objects) for _ in range(num)]


def main(argv=None) -> dict:
    args = parse_args(argv)
    width, height = (int(v) for v in args.size.split('x'))
    samples = make_samples(args.samples, width, height, args.objects,
                           args.seed)
    ghosts = measure_ghosts(samples, args.seed)
    print(f'Ghost instances, {args.samples} images of {width}x{height} with '
          f'{args.objects} polygons each (half near a border), fastaa '
          'Translate(+/-0.225) -> Rotate(+/-30 deg):')
    print(f"{'rule':<36} {'kept':>6} {'ghosts':>7} {'rate':>7}")
    for rule, (kept, ghost) in ghosts.items():
        print(f'{rule:<36} {kept:>6} {ghost:>7} '
              f'{ghost / max(kept, 1):>7.1%}')
    tight = measure_tightness(samples, args.seed)
    print('\nBox tightness after Rotate(+/-30 deg): mean IoU with the true '
          'box of the object\'s pixels')
    base = tight['moved corners']
    print(f"{'box':<28} {'IoU':>6} {'vs corners':>11}")
    for name, iou in tight.items():
        print(f'{name:<28} {iou:>6.3f} {iou / base:>10.2f}x')
    return dict(ghosts=ghosts, tightness=tight)


if __name__ == '__main__':
    main()
