# Copyright (c) mmautoaug contributors. All rights reserved.
"""(Re)build the embedded demo data sets.

Writes ``<out>/demo_cifar`` (CIFAR-10 python-pickle layout, from
scikit-learn's digits), ``<out>/demo_fewshot`` (the few-shot set of the
demo, same layout) and ``<out>/demo_coco`` (COCO layout, shapes with polygon
masks). The data sets also build themselves on first use; this tool
is for building ahead of time or repairing a damaged copy.

Example:
    python tools/misc/build_demo_data.py --out data --force
"""
import argparse
import os.path as osp
import sys


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Build the embedded demo data sets of mmautoaug.')
    parser.add_argument(
        '--out', default='data',
        help='directory that receives demo_cifar/, demo_fewshot/ and '
        'demo_coco/ (default: data)')
    parser.add_argument(
        '--force', action='store_true',
        help='rebuild even if the data sets are already there')
    parser.add_argument(
        '--only', choices=['cifar', 'fewshot', 'coco'], default=None,
        help='build only one of the sets')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from mmautoaug.datasets.demo import (build_demo_cifar, build_demo_coco,
                                         build_fewshot)
    builders = {'cifar': build_demo_cifar, 'fewshot': build_fewshot,
                'coco': build_demo_coco}
    for name, build in builders.items():
        if args.only not in (None, name):
            continue
        target = osp.join(args.out, f'demo_{name}')
        built = build(target, force=args.force)
        state = 'built' if built else 'already there (--force rebuilds it)'
        print(f'{target}: {state}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
