# Copyright (c) mmautoaug contributors. All rights reserved.
"""Cost of one Adversarial AutoAugment training step against a plain one.

An AdvAA step trains on ``M`` augmented copies of the batch, so it costs
about ``M`` plain steps; what it may add on top is the on-device
augmentation of the ``M * N`` images (the batched op library) and the
per-copy loss bookkeeping. This script times, on the same batch and the
same classifier:

- a plain step: ``ImageClassifier.train_step`` on the ``N`` images;
- the AdvAA step: ``AdvAAClassifier.train_step`` (M policies + Cutout,
  one forward/backward over the ``M * N`` images);
- its two parts alone: the augmentation of ``M * N`` images, and a plain
  step on ``M * N`` un-augmented images;

and prints them side by side with the ratio to the plain step (ideal about
``M``; the target is at most ``1.1 * M``), and the AdvAA step against the
plain step on the ``M * N`` images (target: at most 1, the classifier's own
cost on them bounds the AdvAA step).

Examples:
    python tools/benchmark/advaa_step.py                    # CPU, WRN-28-2
    python tools/benchmark/advaa_step.py --device cuda --depth 28 \
        --widen 10 --batch 128
"""
import argparse
import statistics
import time

import torch
from _common import PeakMemory, summary


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--depth', type=int, default=28,
                        help='Wide-ResNet depth')
    parser.add_argument('--widen', type=int, default=2,
                        help='Wide-ResNet widen factor')
    parser.add_argument('--batch', type=int, default=32, help='N')
    parser.add_argument('--num-policies', type=int, default=8, help='M')
    parser.add_argument('--size', type=int, default=32, help='image side')
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--threads', type=int, default=None,
                        help='torch CPU threads (default: torch\'s)')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args(argv)


def build(args):
    from mmengine.optim import OptimWrapper
    from mmpretrain.structures import DataSample

    from mmautoaug.models import AdvAAPolicyGenerator
    from mmautoaug.registry import MODELS
    from mmautoaug.utils import register_all_modules
    register_all_modules()
    torch.manual_seed(args.seed)
    norm = dict(mean=[125.3, 123.0, 113.9], std=[63.0, 62.1, 66.7])
    classifier = dict(
        type='mmpretrain.ImageClassifier',
        backbone=dict(type='WideResNet', depth=args.depth,
                      widen_factor=args.widen),
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(type='mmpretrain.LinearClsHead', num_classes=10,
                  in_channels=64 * args.widen,
                  loss=dict(type='mmpretrain.CrossEntropyLoss')))
    plain = MODELS.build(
        dict(classifier,
             data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor',
                                    **norm)))
    advaa = MODELS.build(
        dict(type='AdvAAClassifier', classifier=classifier,
             augmentor=dict(type='PolicyBatchAugment', cutout=16,
                            seed=args.seed),
             data_preprocessor=dict(type='AugmentDataPreprocessor',
                                    defer_normalize=True, **norm)))
    advaa.classifier.load_state_dict(plain.state_dict(), strict=False)
    gen = AdvAAPolicyGenerator()
    actions = gen(args.num_policies,
                  generator=torch.Generator().manual_seed(args.seed)).actions
    advaa.set_policy_arrays(*gen.to_arrays(actions))
    plain.to(args.device).train()
    advaa.to(args.device).train()

    def optim(model):
        return OptimWrapper(
            torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9))

    def batch(n):
        g = torch.Generator().manual_seed(args.seed)
        return dict(
            inputs=[torch.randint(0, 256, (3, args.size, args.size),
                                  dtype=torch.uint8, generator=g)
                    for _ in range(n)],
            data_samples=[DataSample().set_gt_label(i % 10)
                          for i in range(n)])

    return plain, advaa, optim(plain), optim(advaa), batch


def timed(fns, args):
    """Median seconds of each function, timed round-robin so that a change
    of machine load hits all of them alike."""
    def sync():
        if args.device.startswith('cuda'):
            torch.cuda.synchronize()

    for fn in fns:
        fn()  # warm-up
    times = [[] for _ in fns]
    for _ in range(args.repeats):
        for fn, out in zip(fns, times):
            sync()
            start = time.perf_counter()
            fn()
            sync()
            out.append(time.perf_counter() - start)
    peaks = []
    for fn in fns:  # one more run each, for its peak memory
        with PeakMemory(args.device) as peak:
            fn()
        peaks.append(peak)
    return [statistics.median(t) for t in times], peaks


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    plain, advaa, plain_optim, advaa_optim, batch = build(args)
    m, n = args.num_policies, args.batch
    small, large = batch(n), batch(m * n)
    x = advaa.data_preprocessor(small, True)['inputs']

    names = ['plain step, N images', 'AdvAA step, M x N images',
             '  augmentation of M x N images', '  plain step, M x N images']
    seconds, peaks = timed([
        lambda: plain.train_step(small, plain_optim),
        lambda: advaa.train_step(small, advaa_optim),
        lambda: advaa.augmentor(x),
        lambda: plain.train_step(large, plain_optim),
    ], args)
    base = seconds[0]
    print(f'AdvAA step vs plain step: WRN-{args.depth}-{args.widen}, '
          f'N={n}, M={m}, {args.size}x{args.size}, device={args.device}, '
          f'threads={torch.get_num_threads()}, median of {args.repeats}')
    print(f'| {"what":34s} | {"seconds":>8s} | {"x plain":>8s} | '
          f'peak memory |')
    print(f'|{"-" * 36}|{"-" * 9}:|{"-" * 9}:|{"-" * 13}|')
    for name, t, peak in zip(names, seconds, peaks):
        print(f'| {name:34s} | {t:8.4f} | {t / base:8.2f} | '
              f'{peak.cells()} |')
    ratio = seconds[1] / base
    print(f'\nAdvAA / plain step: {ratio:.2f} (ideal ~{m}, target <= '
          f'{1.1 * m:.1f}: {"within" if ratio <= 1.1 * m else "OVER"}); '
          f'the classifier alone on M x N images costs '
          f'{seconds[3] / base:.2f}, so AdvAA adds '
          f'{seconds[1] / seconds[3]:.2f}x over training on M x N images')
    summary(f'AdvAA step / (M={m} x plain step)', ratio / m, '<= 1.1')
    # the classifier's own cost on the M x N images bounds an AdvAA step:
    # the augmentation and the per-policy bookkeeping may not add to it
    summary(f'AdvAA step / plain step on M x N={m * n} images',
            seconds[1] / seconds[3], '<= 1.0')


if __name__ == '__main__':
    main()
