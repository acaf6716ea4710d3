# Copyright (c) mmautoaug contributors. All rights reserved.
"""Images per second of a policy: our batched and per-image faces against
mmpretrain's ``AutoAugment`` and torchvision's ``v2.AutoAugment``.

Every row applies AutoAugment's ImageNet policy (our zoo's
``autoaugment_imagenet``; mmpretrain's ``policies='imagenet'``;
torchvision's ``AutoAugmentPolicy.IMAGENET``) to uint8 images, one sub-policy
drawn per image, and the ratio column compares each row with mmpretrain's
per-image transform at the same size.

Example::

    python tools/benchmark/augment_throughput.py --iters 5
    python tools/benchmark/augment_throughput.py --device cuda --iters 50
"""
import argparse
import time

import numpy as np
import torch


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument(
        '--device',
        default='cpu',
        help='device of the '
        'batched rows (per-image rows run on the CPU)')
    parser.add_argument(
        '--iters',
        type=int,
        default=10,
        help='timed batches per row (after one warm-up)')
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
        help='torch CPU threads (default: torch\'s choice)')
    return parser.parse_args()


def _timed(fn, iters, device='cpu'):
    fn()  # warm-up (allocations, cuDNN/kernels, caches)
    _sync(device)
    start = time.perf_counter()
    for _ in range(iters):
        fn()
    _sync(device)
    return time.perf_counter() - start


def _sync(device):
    if torch.device(device).type == 'cuda':
        torch.cuda.synchronize()


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


def ours_per_image(policy, images):
    from mmautoaug.datasets.transforms.policy_augment import PolicyAugment
    transform = PolicyAugment(policy=policy, seed=0)
    return lambda: [transform(dict(img=img)) for img in images]


def mmpretrain_per_image(images):
    from mmpretrain.datasets.transforms import AutoAugment
    transform = AutoAugment(policies='imagenet')
    return lambda: [transform(dict(img=img.copy())) for img in images]


def torchvision_per_image(images):
    from torchvision.transforms import v2
    transform = v2.AutoAugment(v2.AutoAugmentPolicy.IMAGENET)
    tensors = [torch.from_numpy(img).permute(2, 0, 1) for img in images]
    return lambda: [transform(t) for t in tensors]


def torchvision_batch(images, device):
    from torchvision.transforms import v2
    transform = v2.AutoAugment(v2.AutoAugmentPolicy.IMAGENET)
    x = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous().to(device)
    return lambda: transform(x)


def main():
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    from mmautoaug.policy import load_policy
    policy = load_policy(args.policy)
    rng = np.random.default_rng(0)
    sizes = [
        tuple(int(v) for v in s.split(':')) for s in args.sizes.split(',')
    ]
    rows = [
        ('ours, batched (one call per batch)', args.device),
        ('ours, per-image (PolicyAugment)', 'cpu'),
        ('mmpretrain AutoAugment, per-image', 'cpu'),
        ('torchvision v2.AutoAugment, per-image', 'cpu'),
        ('torchvision v2.AutoAugment, whole batch*', args.device),
    ]
    rates = {}
    for size, batch in sizes:
        images = rng.integers(0, 256, (batch, size, size, 3), dtype=np.uint8)
        fns = [
            ours_batched(policy, images, args.device),
            ours_per_image(policy, images),
            mmpretrain_per_image(images),
            torchvision_per_image(images),
            torchvision_batch(images, args.device),
        ]
        for (name, device), fn in zip(rows, fns):
            seconds = _timed(fn, args.iters, device)
            rates[name, size] = batch * args.iters / seconds
    ref = rows[2][0]
    head = f'{"method":44s} {"device":7s}' + ''.join(
        f' {f"{s}x{s} (N={b}) img/s":>22s} {"x mmpre":>8s}' for s, b in sizes)
    print(f'policy: {args.policy}; {args.iters} timed batches per cell; '
          f'torch threads: {torch.get_num_threads()}')
    print(head)
    print('-' * len(head))
    for name, device in rows:
        cells = ''.join(f' {rates[name, s]:22.0f} '
                        f'{rates[name, s] / rates[ref, s]:8.2f}'
                        for s, _ in sizes)
        print(f'{name:44s} {device:7s}{cells}')
    print('* applies ONE randomly drawn sub-policy to the whole batch (not '
          'per image); shown for scale only.')


if __name__ == '__main__':
    main()
