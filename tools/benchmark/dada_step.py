# Copyright (c) mmautoaug contributors. All rights reserved.
"""Cost of one DADA search step against one plain training step.

A DADA step (unrolled, the paper's) does: the training forward/backward on
the augmented batch (whose gradient also serves the network's real step),
a forward/backward of the validation batch at the virtual weights, and two
forward/backwards for the finite-difference Hessian-vector product: about 4
passes plus the on-device augmentation and the RELAX/control-variate work
(small). The first-order step does the training pass, the real step and a
forward of the validation batch. This script times, on the same classifier
and the same batches:

- plain: ``ImageClassifier.train_step`` (SGD) on the ``N`` images;
- DADA unrolled: ``DADASearchModel.train_step`` (train + val batch of N);
- DADA unrolled with ``hvp='double_backward'`` (the exact product);
- DADA first-order: the same with ``first_order=True``;
- augmentation alone: the sample + on-device ops of one step;

and prints them side by side with the ratio to the plain step. As in the
search configs, the DADA steps paint Cutout (``--cutout`` px) after the
policy and every network step clips its gradient at norm ``--clip`` (the
plain step too).

Examples:
    python tools/benchmark/dada_step.py                      # CPU, WRN-16-2
    python tools/benchmark/dada_step.py --device cuda --depth 40 --widen 2 \
        --batch 128
"""
import argparse
import statistics
import time

import torch
from _common import PeakMemory, summary

#: Peak memory of each timed row, in order (one extra run each).
PEAKS = []


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--depth', type=int, default=16, help='Wide-ResNet depth')
    parser.add_argument(
        '--widen', type=int, default=2, help='Wide-ResNet widen factor')
    parser.add_argument('--batch', type=int, default=32, help='N')
    parser.add_argument('--size', type=int, default=32, help='image side')
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument(
        '--cutout',
        type=int,
        default=16,
        help='Cutout side after the policy (0: none)')
    parser.add_argument(
        '--clip',
        type=float,
        default=5.0,
        help='gradient norm clipping of the network steps (0: none)')
    parser.add_argument(
        '--threads',
        type=int,
        default=None,
        help='torch CPU threads (default: torch\'s)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--clock',
        choices=('wall', 'cpu'),
        default='wall',
        help='wall: elapsed time; cpu: this process\'s CPU time (steadier '
        'on a shared machine; CPU devices only)')
    return parser.parse_args(argv)


def build(args):
    from mmengine.optim import OptimWrapper
    from mmpretrain.structures import DataSample

    from mmautoaug.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS
    from mmautoaug.utils import register_all_modules
    register_all_modules()
    torch.manual_seed(args.seed)
    norm = dict(mean=[125.3, 123.0, 113.9], std=[63.0, 62.1, 66.7])
    classifier = dict(
        type='mmpretrain.ImageClassifier',
        backbone=dict(
            type='WideResNet', depth=args.depth, widen_factor=args.widen),
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(
            type='mmpretrain.LinearClsHead',
            num_classes=10,
            in_channels=64 * args.widen,
            loss=dict(type='mmpretrain.CrossEntropyLoss')))
    plain = MODELS.build(
        dict(
            classifier,
            data_preprocessor=dict(
                type='mmpretrain.ClsDataPreprocessor', **norm)))
    sgd = dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=2e-4)
    clip = dict(clip_grad=dict(max_norm=args.clip)) if args.clip else {}
    models = {}
    variants = (('unrolled', False, 'finite_difference'),
                ('double_backward', False, 'double_backward'),
                ('first_order', True, 'finite_difference'))
    for name, first_order, hvp in variants:
        model = MODELS.build(
            dict(
                type='DADASearchModel',
                classifier=classifier,
                first_order=first_order,
                hvp=hvp,
                cutout=args.cutout or None,
                seed=args.seed,
                data_preprocessor=dict(
                    type='AugmentDataPreprocessor',
                    defer_normalize=True,
                    **norm)))
        model.classifier.load_state_dict(plain.state_dict(), strict=False)
        optim = OPTIM_WRAPPER_CONSTRUCTORS.build(
            dict(
                type='SubmoduleOptimWrapperConstructor',
                optim_wrapper_cfg=dict(
                    classifier=dict(
                        type='OptimWrapper', optimizer=sgd, **clip),
                    policy=dict(
                        type='OptimWrapper',
                        optimizer=dict(
                            type='Adam', lr=0.005, betas=(0.5, 0.999))))))(
                                model.to(args.device))
        models[name] = (model.train(), optim)
    plain.to(args.device).train()
    plain_optim = OptimWrapper(
        torch.optim.SGD(plain.parameters(), **{
            k: v
            for k, v in sgd.items() if k != 'type'
        }), **clip)

    def batch(seed):
        g = torch.Generator().manual_seed(seed)
        return dict(
            inputs=[
                torch.randint(
                    0,
                    256, (3, args.size, args.size),
                    dtype=torch.uint8,
                    generator=g) for _ in range(args.batch)
            ],
            data_samples=[
                DataSample().set_gt_label(i % 10) for i in range(args.batch)
            ])

    return plain, plain_optim, models, batch


def timed(fn, args):

    def sync():
        if args.device.startswith('cuda'):
            torch.cuda.synchronize()

    fn()  # warm-up
    times = []
    for _ in range(args.repeats):
        sync()
        clock = time.process_time if args.clock == 'cpu' else \
            time.perf_counter
        start = clock()
        fn()
        sync()
        times.append(clock() - start)
    with PeakMemory(args.device) as peak:  # one more run, for its memory
        fn()
    PEAKS.append(peak)
    return statistics.median(times)


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    plain, plain_optim, models, batch = build(args)
    train, val = batch(args.seed), batch(args.seed + 1)
    pair = dict(train=train, val=val)
    rows = [('plain step',
             timed(lambda: plain.train_step(train, plain_optim), args))]
    for name, label in (('unrolled', 'DADA step (unrolled)'),
                        ('double_backward', 'DADA step (double backward)'),
                        ('first_order', 'DADA step (first-order)')):
        model, optim = models[name]
        rows.append((label, timed(lambda: model.train_step(pair, optim),
                                  args)))
    model, _ = models['unrolled']

    def augment_only():
        with torch.no_grad():
            data = model.data_preprocessor(train, True)
            shared, local = model._generators(data['inputs'].device)
            sample = model.policy.sample(1, shared)
            model._paint_cutout(
                model._augment(data['inputs'], sample, local), local)

    rows.append(('augmentation alone', timed(augment_only, args)))
    base = rows[0][1]
    print(f'device={args.device} WRN-{args.depth}-{args.widen} '
          f'batch={args.batch} image={args.size} cutout={args.cutout} '
          f'clip={args.clip} threads='
          f'{torch.get_num_threads()} repeats={args.repeats} (median, '
          f'{args.clock} clock)')
    print(f'| {"step":<26} | {"ms":>9} | {"x plain":>7} | peak memory |')
    print(f'|{"-" * 28}|{"-" * 11}|{"-" * 9}|{"-" * 13}|')
    for (name, sec), peak in zip(rows, PEAKS):
        print(f'| {name:<26} | {sec * 1e3:9.1f} | {sec / base:7.2f} | '
              f'{peak.cells()} |')
    summary('DADA unrolled step / plain step', rows[1][1] / base, '<= 5')


if __name__ == '__main__':
    main()
