# Copyright (c) mmautoaug contributors. All rights reserved.
"""Show a policy: a readable table and a grid of a photo under each
sub-policy, several random draws each.

Examples::

    python tools/policy/show.py autoaugment_cifar10
    python tools/policy/show.py work_dirs/dada/policy.json \\
        --image demo.jpg --out grid.png --draws 6 --seed 1
"""
import argparse
import os
import os.path as osp
import sys
from typing import List, Optional

import numpy as np


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Print a policy as a table and draw a PNG grid of an '
        'image under each of its sub-policies.')
    parser.add_argument('policy', help='policy JSON file or zoo name')
    parser.add_argument('--image', help='image file (default: the '
                        'astronaut photo bundled with scikit-image)')
    parser.add_argument('--out', default='policy_grid.png',
                        help='PNG to write (default: %(default)s)')
    parser.add_argument('--draws', type=int, default=4,
                        help='random draws per sub-policy (default: 4)')
    parser.add_argument('--size', type=int, default=160,
                        help='resize the image so its longer side has this '
                        'many pixels (0 keeps it; default: %(default)s)')
    parser.add_argument('--rows', type=int, default=25,
                        help='draw at most this many sub-policies, the most '
                        'probable first (default: %(default)s)')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    parser.add_argument('--no-grid', action='store_true',
                        help='print the table only')
    return parser.parse_args(argv)


def policy_table(policy) -> str:
    """The policy as text: one line per op, then what the magnitudes mean."""
    from mmautoaug.policy import describe_op, describe_range
    probs = policy.probabilities()
    meta = policy.meta
    lines = [
        f"policy: {meta.get('name', '')}  space: {policy.space_name}  "
        f'sub-policies: {len(policy)}  weights: '
        f"{'uniform' if policy.weights is None else 'given'}"
    ]
    for key in ('method', 'dataset', 'model', 'date', 'source'):
        if meta.get(key):
            lines.append(f'{key}: {meta[key]}')
    lines.append('')
    lines.append(f"{'#':>3}  {'weight':>6}  {'op':<13} {'prob':>5}  "
                 f"{'magn.':>6}  parameter")
    for i, sub in enumerate(policy.sub_policies):
        for j, op in enumerate(sub):
            head = (f'{i:>3}  {probs[i]:>6.3f}' if j == 0 else ' ' * 11)
            lines.append(f'{head}  {op.op:<13} {op.prob:>5.2f}  '
                         f'{op.magnitude:>6.3f}  '
                         f'{describe_op(policy.space, op)}')
    used = sorted({op.op for sub in policy.sub_policies for op in sub},
                  key=policy.space.index)
    lines.append('')
    lines.append(f'magnitude m -> parameter in the {policy.space_name!r} '
                 'space:')
    for op in used:
        lines.append(f'  {op:<13} {describe_range(policy.space, op)}')
    return '\n'.join(lines)


#: The largest --size: bigger images only slow the grid down (each cell is
#: drawn about 190 px wide) and can exhaust memory.
MAX_SIZE = 4096


def load_image(path: Optional[str], size: int) -> np.ndarray:
    """An RGB uint8 image: ``path``, or scikit-image's bundled astronaut."""
    if path is None:
        from skimage import data
        img = data.astronaut()
    else:
        if not osp.isfile(path):
            raise FileNotFoundError(f'--image: {path!r} does not exist')
        from PIL import Image, UnidentifiedImageError
        try:
            img = np.asarray(Image.open(path).convert('RGB'))
        except UnidentifiedImageError:
            raise OSError(f'--image: {path!r} is not an image file PIL can '
                          'read (PNG, JPEG, ...)') from None
    if size and max(img.shape[:2]) != size:
        import mmcv
        scale = size / max(img.shape[:2])
        new = (max(1, round(img.shape[1] * scale)),
               max(1, round(img.shape[0] * scale)))
        img = mmcv.imresize(img, new, interpolation='area')
    return np.ascontiguousarray(img)


def rows_to_show(policy, rows: int) -> List[int]:
    """Indices of the ``rows`` most probable sub-policies, in order."""
    order = np.argsort(-policy.probabilities(), kind='stable')
    return sorted(order[:rows].tolist())


def draw_grid(policy, img: np.ndarray, draws: int, seed: int, out: str,
              rows: int = 25) -> str:
    """Write a PNG: one row per sub-policy (the ``rows`` most probable,
    in the policy's order), the input then ``draws`` augmented copies, each
    titled with the ops that were applied."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    from mmautoaug.augment.image_ops import apply_image_op
    rng = np.random.default_rng(seed)
    space = policy.space
    pair = np.ascontiguousarray(img[:, ::-1])  # SamplePairing's partner
    shown = rows_to_show(policy, rows)
    cols = draws + 1
    fig, axes = plt.subplots(len(shown), cols,
                             figsize=(1.9 * cols, 2.0 * len(shown)),
                             squeeze=False)
    for row, i in enumerate(shown):
        sub = policy.sub_policies[i]
        axes[row, 0].imshow(img)
        axes[row, 0].set_title(
            f'#{i}: ' + ' + '.join(f'{op.op} p{op.prob:.2g}' for op in sub),
            fontsize=6, loc='left')
        for k in range(1, cols):
            out_img = img
            applied = []
            for op, param in policy.sample_ops(rng, sub_policy=i,
                                               image_size=img.shape[:2]):
                # each op sampled and filled as its space has it (the aws
                # space's bicubic shears and black Rotate)
                out_img = apply_image_op(
                    out_img, op, param, fill=space.fill_for(op),
                    interpolation=space.interpolation_for(op),
                    cutout_fill=space.cutout_fill, rng=rng, pair=pair)
                applied.append(op if param is None else f'{op} {param:.3g}')
            axes[row, k].imshow(out_img)
            axes[row, k].set_title('\n'.join(applied) or '(no op drawn)',
                                   fontsize=6)
        for ax in axes[row]:
            ax.set_xticks([])
            ax.set_yticks([])
    fig.tight_layout()
    folder = osp.dirname(osp.abspath(out))
    os.makedirs(folder, exist_ok=True)
    if not osp.splitext(out)[1]:
        out += '.png'  # what matplotlib writes; say so
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    if args.draws < 1 or args.rows < 1:
        print('error: --draws and --rows must be at least 1',
              file=sys.stderr)
        return 2
    if args.size < 0:
        print(f'error: --size: {args.size} is negative; allowed: 0 (keep the '
              "image's size) or the longer side in pixels", file=sys.stderr)
        return 2
    if args.size > MAX_SIZE:
        print(f'error: --size: {args.size} is too large; allowed: 0 (keep '
              f"the image's size) or 1..{MAX_SIZE} (a grid cell is drawn "
              'about 190 px wide)', file=sys.stderr)
        return 2
    if args.seed < 0:
        print(f'error: --seed: {args.seed} is negative; allowed: an integer '
              '>= 0', file=sys.stderr)
        return 2
    if not args.no_grid and osp.isdir(args.out):
        print(f'error: --out: {args.out!r} is a directory; give a PNG file '
              'path', file=sys.stderr)
        return 2
    from mmautoaug.policy import PolicyError, load_policy
    try:
        policy = load_policy(args.policy)
    except (PolicyError, FileNotFoundError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    print(policy_table(policy))
    if not args.no_grid:
        try:
            img = load_image(args.image, args.size)
        except (FileNotFoundError, OSError) as e:
            print(f'error: {e}', file=sys.stderr)
            return 2
        try:
            path = draw_grid(policy, img, args.draws, args.seed, args.out,
                             args.rows)
        except OSError as e:
            print(f'error: --out: cannot write {args.out!r} ({e.strerror})',
                  file=sys.stderr)
            return 2
        rows = min(args.rows, len(policy))
        print(f'\nwrote {path} ({rows} of {len(policy)} sub-policies x '
              f'{args.draws} draws)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
