# Copyright (c) mmautoaug contributors. All rights reserved.
"""Write the annotation file of a reduced ImageNet (a seeded class subset).

The policy-search papers search on a reduced ImageNet; DADA uses 120
classes and about 6,000 images. This picks ``--classes`` classes at random
(seeded) from an mmpretrain annotation file (``relative/path label`` per
line, e.g. ``data/imagenet/meta/train.txt``), keeps ``--per-class`` images
of each, relabels them 0..C-1 in the original label order, and writes the
same format, read by ``mmpretrain.CustomDataset(ann_file=...)``.

Examples:
    python tools/misc/reduced_imagenet_ann.py data/imagenet/meta/train.txt \
        --classes 120 --per-class 50 --out data/imagenet/meta/train_r120.txt
"""
import argparse
import collections
import os
import os.path as osp

import numpy as np


def reduce_annotations(lines, num_classes, per_class, seed=0):
    """Pick ``num_classes`` labels and ``per_class`` samples of each.

    Args:
        lines (list[str]): ``path label`` lines.
        num_classes (int): Classes kept.
        per_class (int): Samples kept per class (all if fewer).
        seed (int): Seed of both choices.

    Returns:
        list[str]: ``path new_label`` lines, sorted by new label then path.

    Examples:
        >>> lines = [f'c{k}/{i}.JPEG {k}' for k in range(3) for i in range(4)]
        >>> out = reduce_annotations(lines, 2, 1, seed=0)
        >>> len(out), sorted({line.split()[1] for line in out})
        (2, ['0', '1'])
    """
    by_label = collections.defaultdict(list)
    for n, line in enumerate(lines):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 2:
            raise ValueError(f'line {n + 1}: expected "path label", got '
                             f'{line!r}')
        by_label[int(parts[1])].append(parts[0])
    labels = sorted(by_label)
    if not 0 < num_classes <= len(labels):
        raise ValueError(f'--classes must be in [1, {len(labels)}], got '
                         f'{num_classes}')
    rng = np.random.default_rng(seed)
    kept = sorted(rng.choice(labels, num_classes, replace=False).tolist())
    out = []
    for new, label in enumerate(kept):
        paths = sorted(by_label[label])
        take = rng.permutation(len(paths))[:per_class]
        out += [f'{paths[i]} {new}' for i in sorted(take)]
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('ann_file')
    parser.add_argument('--classes', type=int, default=120)
    parser.add_argument('--per-class', type=int, default=50)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', required=True)
    args = parser.parse_args(argv)
    with open(args.ann_file, encoding='utf-8') as f:
        lines = f.read().splitlines()
    out = reduce_annotations(lines, args.classes, args.per_class, args.seed)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w', encoding='utf-8') as f:
        f.write('\n'.join(out) + '\n')
    print(f'wrote {len(out)} images of {args.classes} classes to {args.out}')


if __name__ == '__main__':
    main()
