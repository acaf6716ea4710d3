# Copyright (c) mmautoaug contributors. All rights reserved.
"""Convert the official SVHN .mat files to class folders.

Reads ``train_32x32.mat``, ``test_32x32.mat`` and (optionally)
``extra_32x32.mat`` from http://ufldl.stanford.edu/housenumbers/ and writes
the layout of ``configs/_base_/datasets/svhn.py``::

    <out>/train/<digit>/<index>.png     (train, plus extra with --extra)
    <out>/test/<digit>/<index>.png

SVHN stores the digit 0 as label 10; it is written to the folder ``0``.

Example:
    python tools/dataset_converters/svhn.py ~/Downloads/svhn --out data/svhn
"""
import argparse
import os
import os.path as osp
import sys

import numpy as np


def convert_split(mat_path: str, out_dir: str, prefix: str) -> int:
    """Write the images of one .mat file into ``out_dir/<digit>/``.

    Args:
        mat_path (str): Path of an SVHN ``*_32x32.mat`` file.
        out_dir (str): Split folder to write into.
        prefix (str): File name prefix (keeps train and extra apart).

    Returns:
        int: Number of images written.
    """
    from PIL import Image
    from scipy.io import loadmat
    mat = loadmat(mat_path)
    images = np.transpose(mat['X'], (3, 0, 1, 2))  # (32, 32, 3, N) -> NHWC
    labels = mat['y'].reshape(-1) % 10  # label 10 is the digit 0
    for digit in range(10):
        os.makedirs(osp.join(out_dir, str(digit)), exist_ok=True)
    for i, (image, label) in enumerate(zip(images, labels)):
        Image.fromarray(image).save(
            osp.join(out_dir, str(int(label)), f'{prefix}{i:06d}.png'))
    return len(images)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description='Convert SVHN .mat files to class folders.')
    parser.add_argument('mat_dir', help='folder with the *_32x32.mat files')
    parser.add_argument('--out', default='data/svhn', help='output folder')
    parser.add_argument('--extra', action='store_true',
                        help='add extra_32x32.mat to the training split')
    args = parser.parse_args(argv)
    jobs = [('train_32x32.mat', 'train', 'train_'),
            ('test_32x32.mat', 'test', 'test_')]
    if args.extra:
        jobs.append(('extra_32x32.mat', 'train', 'extra_'))
    for mat_name, split, prefix in jobs:
        path = osp.join(args.mat_dir, mat_name)
        if not osp.isfile(path):
            print(f'error: {path} not found; download it from '
                  'http://ufldl.stanford.edu/housenumbers/', file=sys.stderr)
            return 1
        count = convert_split(path, osp.join(args.out, split), prefix)
        print(f'{mat_name}: {count} images -> {osp.join(args.out, split)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
