# Copyright (c) mmautoaug contributors. All rights reserved.
"""Adversarial AutoAugment on a detector: what its step costs, side by side.

Two tables, one run, on the same synthetic batch (``N`` images of ``H x W``
with boxes, and bitmap masks for Mask R-CNN) and the same stock mmdet
detector (R-50-FPN, random weights):

1. the step: one :class:`~mmautoaug.search.AdvAADetector` step on ``M``
   copies (``copies_per_step`` at a time; augmentation on the device
   included) against ``M`` plain mmdet training steps of the detector on the
   batch (its own ``train_step``: what training on the copies one by one
   would cost, without augmenting them);
2. the augmentation: the batched detection face making the ``M x N``
   copies (:class:`~mmautoaug.models.DetPolicyBatchAugment`, on the device)
   against :class:`~mmautoaug.detection.DetPolicyAugment` applying the same
   policies image by image (numpy, one process), boxes and masks included.

Each time is the median of ``--repeats`` runs after a warm-up, the two
sides of a table run in turns (so that the load of a shared machine hits
both alike); one more run of each side measures its peak memory (CPU RSS,
and CUDA max allocated on a GPU: what sizes ``M`` and
``copies_per_step``). The key ratios end as ``SUMMARY`` lines for
``device_check.sh``.

Examples:
    python tools/benchmark/advaa_det_step.py                  # CPU, 320 px
    python tools/benchmark/advaa_det_step.py --device cuda --size 800 1333
"""
import argparse
import copy
import statistics
import time

import numpy as np
import torch
from _common import (STOCK_DETECTORS, PeakMemory, set_threads,
                     stock_detector_config, summary, sync)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--detector', choices=sorted(STOCK_DETECTORS), default='retinanet')
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--size', type=int, nargs=2, default=[192, 320], metavar=('H', 'W'))
    parser.add_argument('--batch', type=int, default=2, help='N per GPU')
    parser.add_argument('--copies', type=int, default=8, help='M')
    parser.add_argument('--copies-per-step', type=int, default=None)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--threads', type=int, default=None)
    return parser.parse_args(argv)


def make_batch(num, height, width, masks, seed=0):
    """Images of noise and rectangles, their boxes (and masks), as mmdet's
    data loader gives them (uint8 BGR tensors + DetDataSample)."""
    from mmdet.structures import DetDataSample
    from mmdet.structures.mask import BitmapMasks
    from mmengine.structures import InstanceData
    rng = np.random.default_rng(seed)
    inputs, samples = [], []
    for i in range(num):
        h, w = height - 16 * i, width - 24 * i  # different sizes: padding
        img = rng.integers(0, 256, (3, h, w), dtype=np.uint8)
        boxes, bitmaps = [], np.zeros((6, h, w), np.uint8)
        for k in range(6):
            x1, y1 = rng.integers(0, w * 2 // 3), rng.integers(0, h * 2 // 3)
            x2 = min(w, x1 + rng.integers(12, w // 3))
            y2 = min(h, y1 + rng.integers(12, h // 3))
            img[:, y1:y2, x1:x2] = rng.integers(0, 256, (3, 1, 1))
            bitmaps[k, y1:y2, x1:x2] = 1
            boxes.append([x1, y1, x2, y2])
        s = DetDataSample(
            metainfo=dict(
                img_shape=(h, w), ori_shape=(h, w), scale_factor=(1.0, 1.0)))
        s.gt_instances = InstanceData(
            bboxes=torch.tensor(boxes, dtype=torch.float32),
            labels=torch.from_numpy(rng.integers(0, 80, 6)))
        if masks:
            s.gt_instances.masks = BitmapMasks(bitmaps, h, w)
        s.ignored_instances = InstanceData(
            bboxes=torch.zeros(0, 4), labels=torch.zeros(0, dtype=torch.long))
        inputs.append(torch.from_numpy(img))
        samples.append(s)
    return dict(inputs=inputs, data_samples=samples)


def timed(fns, device, repeats):
    """Median seconds of each function, run in turns (so that a change of
    the machine's load hits both alike), after one warm-up each; then the
    peak memory of one more run of each."""
    times = [[] for _ in fns]
    for turn in range(repeats + 1):
        for fn, out in zip(fns, times):
            sync(device)
            start = time.perf_counter()
            fn()
            sync(device)
            if turn:  # the first turn warms up
                out.append(time.perf_counter() - start)
    peaks = []
    for fn in fns:
        with PeakMemory(device) as peak:
            fn()
        peaks.append(peak)
    return [statistics.median(t) for t in times], peaks


def main(argv=None):
    args = parse_args(argv)
    set_threads(args.threads)
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import DefaultScope

    from mmautoaug.detection import DetPolicyAugment
    from mmautoaug.models import AdvAAPolicyGenerator
    from mmautoaug.models.policy_models.advaa import union_policy
    from mmautoaug.registry import MODELS
    from mmautoaug.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    masks = args.detector == 'mask_rcnn'
    detector = stock_detector_config(args.detector)
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmdet'):
        plain = MODELS.build(copy.deepcopy(detector)).to(args.device)
        model = MODELS.build(
            dict(
                type='mmautoaug.AdvAADetector',
                detector=detector,
                augmentor=dict(
                    type='mmautoaug.DetPolicyBatchAugment',
                    seed=0,
                    recompute_bbox=masks),
                copies_per_step=args.copies_per_step)).to(args.device)
    model.detector.load_state_dict(plain.state_dict())
    plain.train(), model.train()
    gen = AdvAAPolicyGenerator(space='detection')
    actions = gen(args.copies, generator=torch.Generator().manual_seed(0))
    arrays = gen.to_arrays(actions.actions)
    model.set_policy_arrays(*arrays)
    optim = dict(optimizer=dict(type='SGD', lr=1e-4, momentum=0.9))
    ow_plain = build_optim_wrapper(plain, optim)
    ow_model = build_optim_wrapper(model, optim)
    data = make_batch(args.batch, *args.size, masks)

    def plain_steps():
        for _ in range(args.copies):
            plain.train_step(data, ow_plain)

    (t_advaa, t_plain), (m_advaa, m_plain) = timed(
        [lambda: model.train_step(data, ow_model), plain_steps], args.device,
        args.repeats)
    chunk = args.copies_per_step or args.copies
    print(f'{args.detector} R-50-FPN, {args.device}, N={args.batch} images '
          f'of {args.size[0]}x{args.size[1]}, M={args.copies} copies '
          f'({chunk} per pass), threads={torch.get_num_threads()}, median '
          f'of {args.repeats}')
    print('| step | seconds | ratio | peak memory |')
    print('|---|---|---|---|')
    print(f'| AdvAA step on M copies (augmentation included) | {t_advaa:.3f} '
          f'| {t_advaa / t_plain:.2f} | {m_advaa.cells()} |')
    print(f'| M plain mmdet training steps | {t_plain:.3f} | 1.00 | '
          f'{m_plain.cells()} |')

    # the augmentation alone: batched face vs per image
    pre = model.data_preprocessor(data, True)
    policy = union_policy('detection', *arrays)
    per_image = DetPolicyAugment(
        policy, seed=0, recompute_bbox=masks, skip_ops=[], channel_order='bgr')
    from mmdet.structures.bbox import HorizontalBoxes
    results = []
    for img, s in zip(data['inputs'], data['data_samples']):
        r = dict(
            img=np.ascontiguousarray(img.permute(1, 2, 0).numpy()),
            img_shape=s.img_shape,
            gt_bboxes=HorizontalBoxes(s.gt_instances.bboxes.numpy()),
            gt_bboxes_labels=s.gt_instances.labels.numpy())
        if masks:
            r['gt_masks'] = s.gt_instances.masks
        results.append(r)

    def batched():
        model.augmentor(pre['inputs'], pre['data_samples'])

    def one_by_one():
        for _ in range(args.copies):
            for r in results:
                per_image(dict(r))

    (t_batched, t_images), (m_batched, m_images) = timed(
        [batched, one_by_one], args.device, args.repeats)
    total = args.copies * args.batch
    print(f'\naugmenting the M x N = {total} copies (boxes'
          f'{" and masks" if masks else ""} included)')
    print('| augmentation | seconds | per image (ms) | ratio | peak memory |')
    print('|---|---|---|---|---|')
    print(f'| batched detection face ({args.device}) | {t_batched:.3f} | '
          f'{1e3 * t_batched / total:.1f} | {t_batched / t_images:.2f} | '
          f'{m_batched.cells()} |')
    print(f'| DetPolicyAugment, image by image (numpy, CPU) | '
          f'{t_images:.3f} | {1e3 * t_images / total:.1f} | 1.00 | '
          f'{m_images.cells()} |')
    # the target of the classification AdvAA step (issue #13): the copies
    # cost at most 10% over training on them one by one
    summary(f'{args.detector} AdvAA step / (M={args.copies} plain steps)',
            t_advaa / t_plain, '<= 1.1')
    summary(f'{args.detector} DetPolicyAugment per image / batched face '
            f'({args.device})', t_images / t_batched)


if __name__ == '__main__':
    main()
