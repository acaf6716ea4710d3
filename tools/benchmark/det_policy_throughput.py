# Copyright (c) mmautoaug contributors. All rights reserved.
"""Samples per second of a policy on detection samples: our
``DetPolicyAugment`` against mmdet's ``AutoAugment`` running the same policy
(written by the policy room's ``to_mmdet`` converter).

Each sample is a COCO-sized image (default 1333x800, the size after the stock
``Resize``) with random boxes and, per row, no masks, bitmap masks or
polygon masks. Both transforms draw a sub-policy per sample and move boxes and
masks with the image. The ratio column is our time per sample over mmdet's
(below 1: ours is faster).

Example::

    python tools/benchmark/det_policy_throughput.py --iters 10
"""
import argparse
import time
import warnings

import numpy as np


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument(
        '--policy',
        default='autoaugment_imagenet',
        help='zoo name or policy file')
    parser.add_argument(
        '--iters',
        type=int,
        default=10,
        help='timed samples per row (after one warm-up)')
    parser.add_argument('--size', default='1333x800', help='WxH')
    parser.add_argument('--instances', type=int, default=20)
    return parser.parse_args()


def make_sample(width, height, instances, masks, rng):
    from mmdet.structures.bbox import HorizontalBoxes
    from mmdet.structures.mask import BitmapMasks, PolygonMasks
    xy = rng.uniform(0, 0.8, (instances, 2)) * (width, height)
    wh = rng.uniform(0.05, 0.2, (instances, 2)) * (width, height)
    boxes = np.concatenate([xy, xy + wh], 1).astype(np.float32)
    sample = dict(
        img=rng.integers(0, 256, (height, width, 3), dtype=np.uint8),
        img_shape=(height, width),
        gt_bboxes=HorizontalBoxes(boxes),
        gt_bboxes_labels=np.zeros(instances, np.int64),
        gt_ignore_flags=np.zeros(instances, bool))
    corners = [[np.array([x1, y1, x2, y1, x2, y2, x1, y2])]
               for x1, y1, x2, y2 in boxes]
    if masks == 'polygon':
        sample['gt_masks'] = PolygonMasks(corners, height, width)
    elif masks == 'bitmap':
        # uint8, as LoadAnnotations makes them (mmdet's ops refuse bool)
        sample['gt_masks'] = BitmapMasks(
            PolygonMasks(corners, height, width).to_ndarray().astype(np.uint8),
            height, width)
    return sample


def seconds_per_sample(transform, sample, iters):
    import copy
    transform(copy.deepcopy(sample))  # warm-up
    total = 0.0
    for _ in range(iters):
        fresh = copy.deepcopy(sample)
        start = time.perf_counter()
        transform(fresh)
        total += time.perf_counter() - start
    return total / iters


def main():
    args = parse_args()
    from mmcv.transforms import Compose
    from mmengine.registry import DefaultScope

    from mmautoaug.detection import DetPolicyAugment, policy_transform
    from mmautoaug.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    width, height = (int(v) for v in args.size.split('x'))
    ours = DetPolicyAugment(args.policy, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # rounding notes of the converter
        mmdet_cfg = policy_transform(args.policy, backend='mmdet')
    with DefaultScope.overwrite_default_scope('mmdet'):
        theirs = Compose([mmdet_cfg])
    np.random.seed(0)
    rng = np.random.default_rng(0)
    print(f'policy {args.policy}, {width}x{height}, {args.instances} '
          f'instances, {args.iters} samples per row\n')
    print(f'{"masks":<10}{"mmdet AutoAugment":>20}{"DetPolicyAugment":>20}'
          f'{"ratio":>8}')
    for masks in ('none', 'polygon', 'bitmap'):
        sample = make_sample(width, height, args.instances, masks, rng)
        t_mmdet = seconds_per_sample(theirs, sample, args.iters)
        t_ours = seconds_per_sample(ours, sample, args.iters)
        print(f'{masks:<10}{1 / t_mmdet:>14.1f} /s  {1 / t_ours:>14.1f} /s  '
              f'{t_ours / t_mmdet:>6.2f}')


if __name__ == '__main__':
    main()
