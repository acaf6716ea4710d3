# Copyright (c) mmautoaug contributors. All rights reserved.
"""Estimate the GPU memory of one Adversarial AutoAugment step, on a CPU.

An AdvAA step trains the classifier on ``M x N`` images (``N`` per GPU),
so its memory is the classifier's training memory at batch ``M x N``. This
script measures, on the CPU, for the classifier of an AdvAA config at a few
small batches:

- the activations autograd keeps for the backward pass: every tensor saved
  by a forward op, counted once per storage (``saved_tensors_hooks``);
  this is the part that grows with the batch and dominates on a GPU;
- the peak resident memory of a whole training step in a fresh process
  (``ru_maxrss``), a cross-check that includes the backward pass's
  transients and the CPU allocator's slack;

fits ``bytes = fixed + per_image * batch`` and prints the estimate at the
config's ``M x N`` images per GPU:

    parameters + gradients + SGD momentum (3 x 4 bytes per parameter)
    + saved activations per image x M x N
    + the M x N augmented input batch (float32) and its normalised copy
    + 10% for the allocator's fragmentation and cuDNN workspaces,

for float32 and, halving the activations and inputs, for mixed precision
(``--amp``). It is an estimate: a GPU may pick convolution algorithms
with other workspaces, and the CUDA context (about 0.5 GB) comes on top.

Examples:
    python tools/benchmark/advaa_memory.py \
        configs/advaa/advaa_resnet50_8xb32_in1k.py --batches 1 2 4
"""
import argparse
import json
import os
import subprocess
import sys

import torch

GIB = 1024**3


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='an AdvAA config')
    parser.add_argument('--batches', type=int, nargs='+', default=[1, 2, 4],
                        help='batches measured on the CPU')
    parser.add_argument('--size', type=int, default=None,
                        help='input side (default: from the train pipeline)')
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--measure', type=int, default=None,
                        help=argparse.SUPPRESS)  # one batch, in a child
    return parser.parse_args(argv)


def input_size(cfg) -> int:
    """The side of the training crops of ``cfg``'s train pipeline."""
    for t in cfg.train_dataloader.dataset.get('pipeline', []):
        for key in ('crop_size', 'scale'):
            value = t.get(key)
            if isinstance(value, int):
                return value
            if isinstance(value, (tuple, list)) and isinstance(value[0], int):
                return value[0]
    return 32


def build_classifier(cfg):
    from mmautoaug.registry import MODELS
    from mmautoaug.utils import register_all_modules
    register_all_modules()
    classifier = dict(cfg.model.classifier)
    classifier.setdefault('data_preprocessor',
                          dict(type='mmpretrain.ClsDataPreprocessor'))
    return MODELS.build(classifier)


def measure(cfg, batch: int, size: int) -> dict:
    """Saved-activation bytes and the peak RSS of one training step."""
    import resource
    model = build_classifier(cfg).train()
    num_classes = cfg.model.classifier.head.num_classes
    optim = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.rand(batch, 3, size, size)
    target = torch.randint(0, num_classes, (batch, ))
    storages = {}

    def pack(t):
        storage = t.untyped_storage()
        storages[storage.data_ptr()] = storage.nbytes()
        return t

    def step(record: bool):
        optim.zero_grad()
        if record:
            with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
                feats = model.extract_feat(x)
                score = model.head(feats)
        else:
            feats = model.extract_feat(x)
            score = model.head(feats)
        loss = torch.nn.functional.cross_entropy(score, target)
        loss.backward()
        optim.step()

    step(record=False)  # momentum buffers, allocator warm-up
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    step(record=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    params = sum(p.numel() for p in model.parameters())
    return dict(batch=batch, saved=sum(storages.values()), peak_rss=peak,
                rss_before=base, params=params)


def fit(xs, ys):
    """Least-squares ``y = a + b x``."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx)**2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return my - b * mx, b


def main(argv=None):
    args = parse_args(argv)
    from mmengine.config import Config
    cfg = Config.fromfile(args.config)
    size = args.size or input_size(cfg)
    torch.set_num_threads(args.threads)
    if args.measure is not None:
        print(json.dumps(measure(cfg, args.measure, size)))
        return
    if len(set(args.batches)) < 2:
        raise SystemExit('--batches: give at least two different batches')
    rows = []
    for batch in args.batches:
        # a fresh process per batch, so the peak RSS is this batch's
        out = subprocess.run(
            [sys.executable, __file__, args.config, '--measure', str(batch),
             '--size', str(size), '--threads', str(args.threads)],
            check=True, capture_output=True, text=True,
            env=dict(os.environ, OMP_NUM_THREADS=str(args.threads)))
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    hook = [h for h in cfg.custom_hooks if h['type'] == 'AdvAAHook'][0]
    m = hook.get('num_policies', 8)
    n = cfg.train_dataloader.batch_size
    params = rows[0]['params']
    batches = [r['batch'] for r in rows]
    _, saved_per_image = fit(batches, [r['saved'] for r in rows])
    _, rss_per_image = fit(batches, [r['peak_rss'] for r in rows])
    images = m * n
    weights = 3 * 4 * params  # parameters, gradients, momentum
    inputs = 2 * 4 * 3 * size * size * images  # augmented + normalised

    def estimate(per_image, amp):
        scale = 0.5 if amp else 1.0
        return 1.1 * (weights + scale * (per_image * images + inputs))

    print(f'AdvAA step memory: {args.config}')
    print(f'classifier {params / 1e6:.1f}M parameters, {size}x{size} '
          f'inputs, M={m} x N={n} = {images} images per GPU per step; '
          f'measured on the CPU, threads={args.threads}')
    print(f'| {"batch":>5s} | {"saved activations (MiB)":>24s} | '
          f'{"peak RSS of a step (MiB)":>25s} |')
    print(f'|{"-" * 6}:|{"-" * 25}:|{"-" * 26}:|')
    for r in rows:
        print(f'| {r["batch"]:5d} | {r["saved"] / 2**20:24.1f} | '
              f'{r["peak_rss"] / 2**20:25.1f} |')
    print(f'\nper image: saved activations {saved_per_image / 2**20:.1f} '
          f'MiB, peak RSS {rss_per_image / 2**20:.1f} MiB (slopes of the '
          'fits)')
    print(f'parameters + gradients + momentum: {weights / GIB:.2f} GiB; '
          f'inputs at {images} images: {inputs / GIB:.2f} GiB')
    for name, per_image in (('saved activations', saved_per_image),
                            ('peak RSS slope', rss_per_image)):
        fp32 = estimate(per_image, False) / GIB
        amp = estimate(per_image, True) / GIB
        print(f'estimate from the {name}: {fp32:.1f} GiB float32, '
              f'{amp:.1f} GiB mixed precision (+ about 0.5 GiB CUDA '
              'context)')


if __name__ == '__main__':
    main()
