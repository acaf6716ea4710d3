# Copyright (c) mmautoaug contributors. All rights reserved.
"""Estimate the GPU memory of an AdvAA detection step, measured on a CPU.

An :class:`~mmautoaug.search.AdvAADetector` step runs the detector on
``copies_per_step x N`` images at a time (``N`` per GPU) and accumulates
the gradients chunk after chunk, so its peak memory is the detector's
training memory at ``copies_per_step x N`` images, plus the raw batch. This
script builds the stock mmdet detector (R-50-FPN, real weights shapes) and
measures, on the CPU, the activations autograd keeps for the backward pass
of its ``loss`` (every tensor saved by a forward op, counted once per
storage, ``torch.autograd.graph.saved_tensors_hooks``) at a few small
image sizes; they grow with the pixel count, so it fits
``bytes = fixed + per_pixel * pixels`` (one image; ``fixed`` is about the
weights, which convolutions save once for the whole batch) and checks that
a second image costs ``per_pixel * pixels`` more. The estimate at
``images`` images of ``H x W`` (padded to 32) is

    parameters + gradients + SGD momentum (3 x 4 bytes per parameter)
    + saved activations per image (per_pixel * H * W) x images
    + the raw batch and one chunk of augmented, normalised copies
      (float32, 2 x 3 x H x W x 4 bytes per image)
    + 20% for the backward pass's transients, the allocator's fragmentation
      and cuDNN workspaces,

for float32 and, halving activations and inputs, mixed precision. It is an
estimate (a GPU picks its own convolution algorithms and workspaces; the
CUDA context, about 0.5 GB, comes on top).

Examples:
    python tools/benchmark/det_search_memory.py --detector retinanet
"""
import argparse
import math

import torch
from _common import STOCK_DETECTORS, stock_detector_config

GIB = 1024**3


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--detector', choices=sorted(STOCK_DETECTORS), default='retinanet')
    parser.add_argument(
        '--sizes',
        type=int,
        nargs='+',
        default=[192, 320, 448],
        help='image heights measured (width 5/3 of it)')
    parser.add_argument(
        '--target',
        type=int,
        nargs=2,
        default=[800, 1333],
        metavar=('H', 'W'),
        help='estimate at H x W')
    parser.add_argument('--gpu-gib', type=float, default=80.0)
    parser.add_argument(
        '--per-gpu',
        type=int,
        default=2,
        help='N, images per GPU of the stock config')
    parser.add_argument('--threads', type=int, default=1)
    return parser.parse_args(argv)


def build(name):
    from mmengine.registry import DefaultScope

    from mmautoaug.registry import MODELS
    cfg = stock_detector_config(name)
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(cfg)
    return model.train()


def samples(num, height, width, masks):
    """Data samples with a few boxes (and masks) in an ``H x W`` image."""
    import numpy as np
    from mmdet.structures import DetDataSample
    from mmdet.structures.mask import BitmapMasks
    from mmengine.structures import InstanceData
    out = []
    g = torch.Generator().manual_seed(0)
    for _ in range(num):
        s = DetDataSample(
            metainfo=dict(
                img_shape=(height, width),
                pad_shape=(height, width),
                batch_input_shape=(height, width),
                scale_factor=(1.0, 1.0)))
        xy = torch.rand(
            6, 2, generator=g) * torch.tensor([width * 0.6, height * 0.6])
        wh = 16 + torch.rand(
            6, 2, generator=g) * torch.tensor([width * 0.35, height * 0.35])
        boxes = torch.cat([xy, xy + wh], 1)
        s.gt_instances = InstanceData(
            bboxes=boxes, labels=torch.randint(0, 80, (6, ), generator=g))
        if masks:
            m = np.zeros((6, height, width), np.uint8)
            for k, (x1, y1, x2, y2) in enumerate(boxes.int().tolist()):
                m[k, y1:y2, x1:x2] = 1
            s.gt_instances.masks = BitmapMasks(m, height, width)
        out.append(s)
    return out


def saved_bytes(model, num, height, width, masks) -> int:
    storages = {}

    def pack(t):
        storage = t.untyped_storage()
        storages[storage.data_ptr()] = storage.nbytes()
        return t

    x = torch.rand(num, 3, height, width)
    data_samples = samples(num, height, width, masks)
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        losses = model.loss(x, data_samples)
    loss = sum(v.sum() if isinstance(v, torch.Tensor) else sum(v)
               for k, v in losses.items() if 'loss' in k)
    loss.backward()
    model.zero_grad()
    return sum(storages.values())


def fit(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum(
        (x - mx)**2 for x in xs)
    return my - b * mx, b


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    model = build(args.detector)
    masks = args.detector == 'mask_rcnn'
    params = sum(p.numel() for p in model.parameters())
    rows, pixels, saved = [], [], []
    for h in args.sizes:
        h = 32 * math.ceil(h / 32)
        w = 32 * math.ceil(h * 5 / 3 / 32)
        one = saved_bytes(model, 1, h, w, masks)
        pixels.append(h * w)
        saved.append(one)
        rows.append((h, w, one))
    h, w = rows[-1][:2]
    two = saved_bytes(model, 2, h, w, masks)
    fixed, per_pixel = fit(pixels, saved)
    th, tw = (32 * math.ceil(v / 32) for v in args.target)
    per_image = per_pixel * th * tw
    print(f'{args.detector} R-50-FPN: {params / 1e6:.1f}M parameters; '
          'saved activations of one training forward (CPU, float32):')
    print('| image (padded) | saved activations | per megapixel |')
    print('|---|---|---|')
    for h, w, b in rows:
        print(f'| {h}x{w} | {b / GIB:.3f} GiB | '
              f'{b / GIB / (h * w / 1e6):.2f} GiB |')
    second = two - rows[-1][2]
    print(f'| 2 x {h}x{w} | {two / GIB:.3f} GiB (the second image: '
          f'{second / GIB:.3f} GiB) | |')
    print(f'\nfit: {fixed / GIB:.3f} GiB (weights: {4 * params / GIB:.3f} '
          f'GiB) + {per_pixel * 1e6 / GIB:.3f} GiB per megapixel -> '
          f'{per_image / GIB:.2f} GiB per {th}x{tw} image (the second image '
          f'measured: {second / GIB:.3f} GiB, fit: '
          f'{per_pixel * h * w / GIB:.3f} GiB)')
    state = 3 * 4 * params
    print(f'\nestimated GPU memory of an AdvAA step at {th}x{tw}, per GPU '
          f'(N={args.per_gpu} images, M copies processed copies_per_step at '
          f'a time; {args.gpu_gib:g} GB budget):')
    print('| images per pass (copies_per_step x N) | float32 | AMP | fits '
          'float32 / AMP |')
    print('|---|---|---|---|')
    image_bytes = 3 * th * tw * 4
    stock = (per_image + image_bytes) * args.per_gpu
    print(f'| the stock mmdet step ({args.per_gpu} images, no copies; a '
          f'check against measured GPU numbers) | '
          f'{1.2 * (state + stock) / GIB:.1f} GiB | '
          f'{1.2 * (state + stock / 2) / GIB:.1f} GiB | |')
    for copies in (1, 2, 4, 8, 16):
        images = copies * args.per_gpu
        inputs = 2 * image_bytes * (images + args.per_gpu)
        f32 = 1.2 * (state + per_image * images + inputs)
        amp = 1.2 * (state + (per_image * images + inputs) / 2)
        budget = args.gpu_gib * 1e9
        print(f'| {copies} x {args.per_gpu} = {images} | {f32 / GIB:.1f} GiB '
              f'| {amp / GIB:.1f} GiB | {"yes" if f32 < budget else "no"} / '
              f'{"yes" if amp < budget else "no"} |')


if __name__ == '__main__':
    main()
