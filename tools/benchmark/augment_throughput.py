# Copyright (c) mmautoaug contributors. All rights reserved.
"""Images per second of a policy: our batched and per-image faces against
mmpretrain's, torchvision's and kornia's AutoAugment.

Every row applies AutoAugment's ImageNet policy (our zoo's
``autoaugment_imagenet``; mmpretrain's ``policies='imagenet'``;
torchvision's ``AutoAugmentPolicy.IMAGENET``; kornia's
``AutoAugment('imagenet')``) to uint8 images, except kornia's RandAugment
and TrivialAugment rows (other policies, for scale). The ratio column
compares each row with mmpretrain's per-image transform at the same size.

The ``draws`` column says what a row varies per image: ``per image`` rows
draw a sub-policy (and its ops' coin flips) for every image, as training
with a policy means; ``whole batch`` rows draw ONE sub-policy (kornia: one
op choice, magnitudes and coin flips may still vary per image) for the
whole batch, so the batch shares its augmentation. Where a peer has no
per-image draw in a batched call, its ``per-image calls`` row gets it by
calling it on one image at a time. kornia is optional
(``requirements/optional.txt``): its rows are skipped, with a note, when it
is not installed.

Example::

    python tools/benchmark/augment_throughput.py --iters 5 --threads 1
    python tools/benchmark/augment_throughput.py --device cuda --iters 50 \\
        --sizes 32:1024,224:256
"""
import argparse
import statistics
import time

import numpy as np
import torch
from _common import set_threads, summary, sync

#: Images a call of a per-image row loops over: its rate does not depend on
#: the batch, and a few hundred images time it well.
PER_IMAGE_CAP = 256


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument(
        '--device',
        default='cpu',
        help='device of the batched rows (per-image rows run on the CPU)')
    parser.add_argument(
        '--iters',
        type=int,
        default=10,
        help='timed calls of each batched row, in turns with the other rows '
        '(per-image rows: a quarter, at least 3), after one warm-up')
    parser.add_argument(
        '--policy',
        default='autoaugment_imagenet',
        help='our policy (zoo name or file)')
    parser.add_argument(
        '--sizes',
        default='32:256,224:64',
        help='comma-separated size:batch pairs')
    parser.add_argument(
        '--threads',
        type=int,
        default=None,
        help='torch and OpenCV CPU threads (default: their choice; 1 is '
        'steadier on a shared machine)')
    parser.add_argument(
        '--no-peers',
        action='store_true',
        help='only ours and mmpretrain (the reference)')
    return parser.parse_args(argv)


def _timed_in_turns(fns, counts, devices):
    """Median seconds per call of each function, timed in turns (one call
    each, round after round, ``counts[i]`` calls of function ``i``) so that
    a change of machine load hits every row alike."""
    for fn, device in zip(fns, devices):
        fn()  # warm-up (allocations, kernels, caches)
        sync(device)
    times = [[] for _ in fns]
    for turn in range(max(counts)):
        for fn, device, count, spent in zip(fns, devices, counts, times):
            if turn >= count:
                continue
            sync(device)
            start = time.perf_counter()
            fn()
            sync(device)
            spent.append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def ours_batched(policy, images, device):
    from mmautoaug.augment import apply_sub_policies
    op_index, prob, magnitude, weights = (
        torch.as_tensor(a, device=device) for a in policy.to_arrays())
    x = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous().to(device)
    gen = torch.Generator(device).manual_seed(0)

    def run():
        sub = torch.multinomial(
            weights.float(), len(x), replacement=True, generator=gen)
        return apply_sub_policies(
            x,
            policy.space,
            op_index[sub],
            prob[sub],
            magnitude[sub],
            generator=gen)

    return run


def ours_per_image(policy, images, device):
    from mmautoaug.datasets.transforms.policy_augment import PolicyAugment
    transform = PolicyAugment(policy=policy, seed=0)
    return lambda: [transform(dict(img=img)) for img in images]


def mmpretrain_per_image(policy, images, device):
    from mmpretrain.datasets.transforms import AutoAugment
    transform = AutoAugment(policies='imagenet')
    return lambda: [transform(dict(img=img.copy())) for img in images]


def torchvision_per_image(policy, images, device):
    from torchvision.transforms import v2
    transform = v2.AutoAugment(v2.AutoAugmentPolicy.IMAGENET)
    tensors = [torch.from_numpy(img).permute(2, 0, 1) for img in images]
    return lambda: [transform(t) for t in tensors]


def torchvision_batch(policy, images, device):
    from torchvision.transforms import v2
    transform = v2.AutoAugment(v2.AutoAugmentPolicy.IMAGENET)
    x = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous().to(device)
    return lambda: transform(x)


def _kornia(name):
    from kornia.augmentation import auto
    return dict(
        autoaugment=lambda: auto.AutoAugment('imagenet'),
        randaugment=lambda: auto.RandAugment(n=2, m=10),
        trivialaugment=lambda: auto.TrivialAugment())[name]()


def kornia_batch(name):
    """kornia takes float images in [0, 1]; the conversion is timed, as
    our rows take the uint8 batch."""

    def build(policy, images, device):
        transform = _kornia(name).to(device)
        x = torch.from_numpy(images).permute(0, 3, 1,
                                              2).contiguous().to(device)
        return lambda: transform(x.float() / 255)

    return build


def kornia_per_image(policy, images, device):
    transform = _kornia('autoaugment').to(device)
    x = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous().to(device)
    return lambda: [transform(x[i:i + 1].float() / 255) for i in range(len(x))]


def rows(args):
    """``(name, device, draws, builder)`` of every row to time."""
    dev = args.device
    table = [
        ('ours, batched (one call per batch)', dev, 'per image',
         ours_batched),
        ('ours, per-image (PolicyAugment)', 'cpu', 'per image',
         ours_per_image),
        ('mmpretrain AutoAugment, per-image', 'cpu', 'per image',
         mmpretrain_per_image),
    ]
    if args.no_peers:
        return table
    table += [
        ('torchvision v2.AutoAugment, per-image', 'cpu', 'per image',
         torchvision_per_image),
        ('torchvision v2.AutoAugment, batch', dev, 'whole batch',
         torchvision_batch),
    ]
    try:
        import kornia  # noqa: F401
    except ImportError:
        print('note: kornia is not installed (pip install -r '
              'requirements/optional.txt): its rows are skipped')
        return table
    return table + [
        ('kornia AutoAugment, per-image calls', dev, 'per image',
         kornia_per_image),
        ('kornia AutoAugment, batch', dev, 'whole batch',
         kornia_batch('autoaugment')),
        ('kornia RandAugment n=2 m=10, batch +', dev, 'whole batch',
         kornia_batch('randaugment')),
        ('kornia TrivialAugment, batch +', dev, 'whole batch',
         kornia_batch('trivialaugment')),
    ]


def main(argv=None):
    args = parse_args(argv)
    set_threads(args.threads)
    from mmautoaug.policy import load_policy
    policy = load_policy(args.policy)
    rng = np.random.default_rng(0)
    sizes = [
        tuple(int(v) for v in s.split(':')) for s in args.sizes.split(',')
    ]
    table = rows(args)
    rates = {}
    for size, batch in sizes:
        images = rng.integers(0, 256, (batch, size, size, 3), dtype=np.uint8)
        fns, counts, devices, numbers = [], [], [], []
        for name, device, draws, build in table:
            # one call of a per-image row loops over the images: its rate
            # does not depend on the batch, so it takes at most
            # PER_IMAGE_CAP images and a quarter of the calls
            one_call = name.startswith('ours, batched') or draws != 'per image'
            sub = images if one_call else images[:PER_IMAGE_CAP]
            fns.append(build(policy, sub, device))
            counts.append(args.iters if one_call else max(3, args.iters // 4))
            devices.append(device)
            numbers.append(len(sub))
        seconds = _timed_in_turns(fns, counts, devices)
        for (name, *_), n, sec in zip(table, numbers, seconds):
            rates[name, size] = n / sec
    ref = table[2][0]
    head = f'{"method":38s} {"device":7s} {"draws":11s}' + ''.join(
        f' {f"{s}x{s} (N={b}) img/s":>22s} {"x mmpre":>8s}' for s, b in sizes)
    print(f'policy: {args.policy}; median of {args.iters} timed calls per '
          f'batched cell (per-image: {max(3, args.iters // 4)} calls of at '
          f'most {PER_IMAGE_CAP} images); torch threads: '
          f'{torch.get_num_threads()}')
    print(head)
    print('-' * len(head))
    for name, device, draws, _ in table:
        cells = ''.join(f' {rates[name, s]:22.0f} '
                        f'{rates[name, s] / rates[ref, s]:8.2f}'
                        for s, _ in sizes)
        print(f'{name:38s} {device:7s} {draws:11s}{cells}')
    print('whole batch: ONE sub-policy (op choice) per call for the whole '
          'batch, not per image; + another policy than the others, for '
          'scale only.')
    ours = table[0][0]
    for size, _ in sizes:
        ratio = rates[ours, size] / rates[ref, size]
        if torch.device(args.device).type == 'cuda':
            summary(f'batched policy on {args.device} vs mmpretrain per-image '
                    f'CPU, {size}x{size}', ratio, '>= 50')
        elif size <= 32:
            summary(f'batched policy (CPU) vs mmpretrain per-image, '
                    f'{size}x{size}', ratio, '>= 5')
        else:
            ratio = rates[ours, size] / rates[table[1][0], size]
            summary(f'batched policy vs our per-image face (CPU), '
                    f'{size}x{size}', ratio, '>= 1')


if __name__ == '__main__':
    main()
