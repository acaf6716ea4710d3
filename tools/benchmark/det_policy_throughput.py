# Copyright (c) mmautoaug contributors. All rights reserved.
"""Detection samples per second: ``DetPolicyAugment`` against mmdet.

Each sample is a COCO-sized image (default 1333x800, the size after the
stock ``Resize``) with ``--instances`` random boxes and, per row, no masks,
polygon masks or bitmap masks. Two tables, side by side in one run:

1. **Per geometric op** (``--ops``): ours, one op with probability 1, in
   both warp modes (``exact``: PIL's sampler pixel for pixel; ``fast``:
   OpenCV's ``warpAffine``, the default of ``DetPolicyAugment``) against
   mmdet's own ``ShearX`` / ``Rotate`` / ``TranslateX`` at the same
   magnitude, with its default bilinear interpolation and with
   ``interpolation='nearest'`` (ours is nearest in both modes).
2. **A whole policy** (``--policy``): ours in both modes against mmdet's
   ``AutoAugment`` running the same policy (written by the policy room's
   ``to_mmdet`` converter).

Times are medians per sample (the transform alone, after a warm-up, on
fresh copies, the transforms of a row timed in turns); the ratio columns
are mmdet's time over ours (above 1: ours is faster).

Example::

    python tools/benchmark/det_policy_throughput.py --iters 10
    python tools/benchmark/det_policy_throughput.py --threads 1 --clock cpu
    python tools/benchmark/det_policy_throughput.py --ops Rotate --iters 3
"""
import argparse
import copy
import math
import statistics
import time
import warnings

import numpy as np
from _common import set_threads

#: Our op -> (mmdet transform, our parameter -> mmdet's min_mag = max_mag).
#: mmdet's shears take degrees (the factor is their tangent), its rotation
#: degrees, its translations a fraction of the side, as ours.
MMDET_OPS = {
    'ShearX': ('ShearX', lambda p: math.degrees(math.atan(p))),
    'ShearY': ('ShearY', lambda p: math.degrees(math.atan(p))),
    'Rotate': ('Rotate', float),
    'TranslateX': ('TranslateX', float),
    'TranslateY': ('TranslateY', float),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument(
        '--policy',
        default='autoaugment_imagenet',
        help='zoo name or policy file of the whole-policy table')
    parser.add_argument(
        '--ops',
        default='ShearX,Rotate,TranslateX',
        help='comma-separated geometric ops of the per-op table ("" skips '
        'it)')
    parser.add_argument(
        '--magnitude',
        type=float,
        default=2 / 3,
        help='normalised magnitude of the per-op table (fastaa space: '
        'ShearX 0.2, Rotate 20 deg, TranslateX 0.3 of the width)')
    parser.add_argument(
        '--iters',
        type=int,
        default=10,
        help='timed samples per cell (after one warm-up)')
    parser.add_argument('--size', default='1333x800', help='WxH')
    parser.add_argument('--instances', type=int, default=15)
    parser.add_argument(
        '--threads',
        type=int,
        default=None,
        help='torch/OpenCV CPU threads (default: theirs)')
    parser.add_argument(
        '--clock',
        choices=('wall', 'cpu'),
        default='wall',
        help='wall: elapsed time; cpu: this process\'s CPU time (steadier '
        'on a shared machine; use with --threads 1)')
    return parser.parse_args(argv)


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


def seconds_per_sample(transforms, sample, iters, clock='wall'):
    """Median seconds per sample of each transform, timed in turns (one
    sample each, round after round) so that a change of machine load hits
    all of them alike."""
    timer = time.process_time if clock == 'cpu' else time.perf_counter
    for transform in transforms:
        transform(copy.deepcopy(sample))  # warm-up
    times = [[] for _ in transforms]
    for _ in range(iters):
        for transform, spent in zip(transforms, times):
            fresh = copy.deepcopy(sample)
            start = timer()
            transform(fresh)
            spent.append(timer() - start)
    return [statistics.median(t) for t in times]


def mmdet_op(op, param, interpolation):
    from mmcv.transforms import Compose
    from mmengine.registry import DefaultScope
    name, to_mag = MMDET_OPS[op]
    mag = to_mag(param)
    cfg = dict(
        type=name,
        prob=1.0,
        min_mag=mag,
        max_mag=mag,
        reversal_prob=0.5,
        interpolation=interpolation)
    with DefaultScope.overwrite_default_scope('mmdet'):
        return Compose([cfg])


def per_op_table(args, width, height, rng):
    from mmautoaug.augment import FASTAA
    from mmautoaug.detection import DetPolicyAugment
    from mmautoaug.policy import Policy
    ops = [op for op in args.ops.split(',') if op]
    if not ops:
        return
    print(f'Per op: {width}x{height}, {args.instances} instances, '
          f'{args.iters} samples per cell, magnitude {args.magnitude:.3f} '
          f'(fastaa space), ms per sample\n')
    head = (f'| {"op":<10} | {"masks":<7} | {"mmdet bilinear":>14} | '
            f'{"mmdet nearest":>13} | {"ours exact":>10} | '
            f'{"ours fast":>9} | {"fast vs mmdet":>13} | '
            f'{"fast vs mmdet nearest":>21} |')
    print(head)
    print('|' + '|'.join('-' * (len(c)) for c in head.split('|')[1:-1]) +
          '|')
    for op in ops:
        if op not in MMDET_OPS:
            raise SystemExit(f'--ops: {op!r} is not a geometric op; '
                             f'allowed: {list(MMDET_OPS)}')
        param = float(FASTAA.range(op).param(args.magnitude))
        policy = Policy('fastaa', [[(op, 1.0, args.magnitude)]])
        for masks in ('none', 'polygon', 'bitmap'):
            sample = make_sample(width, height, args.instances, masks, rng)
            transforms = dict(
                bilinear=mmdet_op(op, param, 'bilinear'),
                nearest=mmdet_op(op, param, 'nearest'),
                exact=DetPolicyAugment(policy, seed=0, warp='exact'),
                fast=DetPolicyAugment(policy, seed=0, warp='fast'))
            t = dict(
                zip(
                    transforms,
                    seconds_per_sample(
                        list(transforms.values()), sample, args.iters,
                        args.clock)))
            print(f'| {op:<10} | {masks:<7} | {t["bilinear"] * 1e3:14.1f} | '
                  f'{t["nearest"] * 1e3:13.1f} | {t["exact"] * 1e3:10.1f} | '
                  f'{t["fast"] * 1e3:9.1f} | '
                  f'{t["bilinear"] / t["fast"]:12.2f}x | '
                  f'{t["nearest"] / t["fast"]:20.2f}x |')
    print()


def policy_table(args, width, height, rng):
    from mmcv.transforms import Compose
    from mmengine.registry import DefaultScope

    from mmautoaug.detection import DetPolicyAugment, policy_transform
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # rounding notes of the converter
        mmdet_cfg = policy_transform(args.policy, backend='mmdet')
        ours = {
            warp: DetPolicyAugment(args.policy, seed=0, warp=warp)
            for warp in ('exact', 'fast')
        }
    with DefaultScope.overwrite_default_scope('mmdet'):
        theirs = Compose([mmdet_cfg])
    print(f'Whole policy {args.policy}: {width}x{height}, {args.instances} '
          f'instances, {args.iters} samples per cell, samples per second\n')
    print(f'| {"masks":<7} | {"mmdet AutoAugment":>17} | {"ours exact":>10} '
          f'| {"ours fast":>9} | {"exact vs mmdet":>14} | '
          f'{"fast vs mmdet":>13} |')
    print(f'|{"-" * 9}|{"-" * 19}|{"-" * 12}|{"-" * 11}|{"-" * 16}|'
          f'{"-" * 15}|')
    for masks in ('none', 'polygon', 'bitmap'):
        sample = make_sample(width, height, args.instances, masks, rng)
        t_mmdet, *t_ours = seconds_per_sample([theirs, *ours.values()],
                                              sample, args.iters, args.clock)
        t = dict(zip(ours, t_ours))
        print(f'| {masks:<7} | {1 / t_mmdet:15.1f}/s | '
              f'{1 / t["exact"]:8.1f}/s | {1 / t["fast"]:7.1f}/s | '
              f'{t_mmdet / t["exact"]:13.2f}x | '
              f'{t_mmdet / t["fast"]:12.2f}x |')


def main(argv=None):
    args = parse_args(argv)
    set_threads(args.threads)
    from mmautoaug.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    import mmdet.datasets.transforms  # noqa: F401 (mmdet's registry)
    width, height = (int(v) for v in args.size.split('x'))
    np.random.seed(0)  # mmdet's transforms draw from numpy's generator
    rng = np.random.default_rng(0)
    per_op_table(args, width, height, rng)
    if args.policy:
        policy_table(args, width, height, rng)


if __name__ == '__main__':
    main()
