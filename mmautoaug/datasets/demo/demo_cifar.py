# Copyright (c) mmautoaug contributors. All rights reserved.
"""A CIFAR-10-format classification set made from scikit-learn's digits."""
import hashlib
import os
import os.path as osp
from typing import Dict, Optional, Tuple

import numpy as np
from mmpretrain.datasets import CIFAR10

from mmautoaug.registry import DATASETS
from .atomic import build_dir_atomically
from .glyphs import (DIGIT_NAMES, composite, contrasting_colours,
                     gradient_field, load_digit_glyphs, resize_bilinear)
from .py2_pickle import dumps_py2

#: Seed of the demo build; changing it changes the reference checksums.
DEMO_CIFAR_SEED = 20200401
#: Images in the test batch; the other 1500 of the 1797 digits are split
#: into 5 training batches of 300, as CIFAR-10 splits 50000 into 5.
NUM_TEST = 297
NUM_TRAIN_BATCHES = 5
BASE_FOLDER = 'cifar-10-batches-py'


def render_demo_cifar(seed: int = DEMO_CIFAR_SEED
                      ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Render every digit as a 32x32 colour image.

    Each 8x8 digit is upscaled (bilinear) to a random size in [18, 28]
    pixels, placed at a random position, painted in a random dark colour
    over a random light background carrying a random colour ramp, and given
    +-8 levels of uniform noise: colour, position and scale vary, so colour
    and geometric augmentations have something to do.

    Args:
        seed (int): Seed of the build. Defaults to :data:`DEMO_CIFAR_SEED`.

    Returns:
        tuple: ``(images, labels, order)``: (1797, 32, 32, 3) uint8 RGB
        images, (1797,) int64 labels, and a permutation of the indices (the
        first :data:`NUM_TEST` form the test batch).
    """
    glyphs, labels = load_digit_glyphs()
    rng = np.random.default_rng(seed)
    images = np.empty((len(glyphs), 32, 32, 3), dtype=np.uint8)
    for i, glyph in enumerate(glyphs):
        size = int(rng.integers(18, 29))
        top, left = (int(v) for v in rng.integers(0, 32 - size + 1, size=2))
        background, foreground = contrasting_colours(rng)
        field = gradient_field(rng, background, 32, 32)
        alpha = np.zeros((32, 32))
        alpha[top:top + size, left:left + size] = np.clip(
            resize_bilinear(glyph, size, size), 0, 1)
        noise = rng.integers(-8, 9, size=(32, 32, 3))
        images[i] = composite(field, foreground, alpha, noise)
    order = rng.permutation(len(glyphs))
    return images, labels, order


def _batch(images: np.ndarray, labels: np.ndarray, indices: np.ndarray,
           batch_label: str) -> bytes:
    # CIFAR rows: 1024 red, then 1024 green, then 1024 blue values, each
    # plane row-major
    data = images[indices].transpose(0, 3, 1, 2).reshape(len(indices), 3072)
    filenames = [
        f'{DIGIT_NAMES[labels[i]]}_s_{int(i):06d}.png' for i in indices
    ]
    return dumps_py2({
        b'batch_label': batch_label.encode('ascii'),
        b'labels': [int(labels[i]) for i in indices],
        b'data': np.ascontiguousarray(data),
        b'filenames': [name.encode('ascii') for name in filenames],
    })


def write_demo_cifar(out_dir: str, seed: int = DEMO_CIFAR_SEED) -> None:
    """Write the demo set in the CIFAR-10 python layout into ``out_dir``.

    Creates ``out_dir/cifar-10-batches-py/`` with ``data_batch_1`` ..
    ``data_batch_5``, ``test_batch`` and ``batches.meta``, pickled exactly as
    the Python 2 files of CIFAR-10 (see :mod:`.py2_pickle`).

    Args:
        out_dir (str): Directory to write into (created if missing).
        seed (int): Seed of the build. Defaults to :data:`DEMO_CIFAR_SEED`.
    """
    images, labels, order = render_demo_cifar(seed)
    write_cifar_layout(out_dir, images, labels, order[:NUM_TEST],
                       order[NUM_TEST:])


def write_cifar_layout(out_dir: str, images: np.ndarray, labels: np.ndarray,
                       test_indices: np.ndarray,
                       train_indices: np.ndarray) -> None:
    """Write images in the CIFAR-10 python layout, as mmpretrain's
    ``CIFAR10`` reads it: ``out_dir/cifar-10-batches-py/`` with
    ``data_batch_1`` .. ``data_batch_5`` (``train_indices`` in that order,
    split in :data:`NUM_TRAIN_BATCHES` parts), ``test_batch`` and
    ``batches.meta``, pickled as the Python 2 files of CIFAR-10.

    Args:
        out_dir (str): Directory to write into (created if missing).
        images (np.ndarray): ``(N, 32, 32, 3)`` uint8 RGB images.
        labels (np.ndarray): ``(N, )`` labels (indices of
            :data:`DIGIT_NAMES`).
        test_indices, train_indices (np.ndarray): Rows of ``images`` in the
            test batch and, in order, in the training batches.
    """
    folder = osp.join(out_dir, BASE_FOLDER)
    os.makedirs(folder, exist_ok=True)
    files = {'test_batch': _batch(images, labels, test_indices,
                                  'testing batch 1 of 1')}
    train = np.array_split(train_indices, NUM_TRAIN_BATCHES)
    for b, indices in enumerate(train, start=1):
        files[f'data_batch_{b}'] = _batch(
            images, labels, indices,
            f'training batch {b} of {NUM_TRAIN_BATCHES}')
    files['batches.meta'] = dumps_py2({
        b'num_cases_per_batch': len(train[0]),
        b'label_names': [name.encode('ascii') for name in DIGIT_NAMES],
        b'num_vis': 3072,
    })
    for name, content in files.items():
        with open(osp.join(folder, name), 'wb') as f:
            f.write(content)


def build_demo_cifar(data_root: str = 'data/demo_cifar',
                     force: bool = False) -> bool:
    """Build the demo CIFAR set into ``data_root`` unless it is there.

    Safe when several processes call it at once (see
    :func:`build_dir_atomically`).

    Args:
        data_root (str): Target directory, relative to the working directory
            or absolute. Defaults to ``'data/demo_cifar'``.
        force (bool): Rebuild even if the directory holds files.

    Returns:
        bool: Whether this call wrote a new build.

    Examples:
        >>> import os, tempfile
        >>> root = os.path.join(tempfile.mkdtemp(), 'demo_cifar')
        >>> build_demo_cifar(root)
        True
        >>> sorted(os.listdir(os.path.join(root, 'cifar-10-batches-py')))[:2]
        ['batches.meta', 'data_batch_1']
    """
    return build_dir_atomically(data_root, write_demo_cifar, force=force)


def file_md5(path: str) -> str:
    """MD5 hex digest of a file."""
    with open(path, 'rb') as f:
        return hashlib.md5(f.read()).hexdigest()


# Checksums of the reference demo build (DEMO_CIFAR_SEED): the integrity check
# of mmpretrain's CIFAR10 compares the files against these, exactly as it
# compares the real CIFAR-10 files against the published ones.
DEMO_CIFAR_MD5: Dict[str, str] = {
    'data_batch_1': '5452a89052549f2266581230777c587f',
    'data_batch_2': 'f1801fd61ca72bf7bc4c36512b832d36',
    'data_batch_3': 'f510cd76fde659799df4c843ceb56454',
    'data_batch_4': '2e2eced240ccc5cd68e672d6df478a2e',
    'data_batch_5': 'ff089a9f40b0d724f98eea848da5ea25',
    'test_batch': '3ff4d85c821c33cece3f9f5fbbf10c82',
    'batches.meta': '1aab40e3d8b7d45bc6c6ce6d4b962431',
}


@DATASETS.register_module()
class DemoCIFAR10(CIFAR10):
    """The embedded demo set, loaded by mmpretrain's :class:`CIFAR10`.

    1797 handwritten digits from scikit-learn, coloured and placed at random
    in 32x32 images (:func:`render_demo_cifar`), in the exact CIFAR-10 python
    layout: 1500 training images in 5 batches and 297 test images; 10
    classes, ``'zero'`` to ``'nine'``. The files are built on first use into
    ``data_root`` (nothing is downloaded), then loaded by the unmodified
    :class:`mmpretrain.datasets.CIFAR10` code.

    Only the class attributes that name the files' checksums and the class
    names differ from :class:`CIFAR10`: its integrity check verifies the
    md5 of every file against the reference demo build instead of the
    published CIFAR-10 files, so it stays as strict as for the real set.

    Args:
        data_root (str): Directory of the set (it holds
            ``cifar-10-batches-py/``). Defaults to ``'data/demo_cifar'``.
        split (str): ``'train'`` or ``'test'``. Defaults to ``'train'``.
        download (bool): Must be False: the demo set is built locally.
        **kwargs: Other arguments of :class:`CIFAR10`.

    Examples:
        >>> import os, tempfile
        >>> from mmautoaug.datasets import DemoCIFAR10
        >>> root = os.path.join(tempfile.mkdtemp(), 'demo_cifar')
        >>> train = DemoCIFAR10(data_root=root, split='train')
        >>> len(train), train[0]['img'].shape
        (1500, (32, 32, 3))
    """

    base_folder = BASE_FOLDER
    url = 'tools/misc/build_demo_data.py'  # named in CIFAR10's messages
    #: The reference build's md5 per file, and what builds it (subclasses,
    #: e.g. the few-shot demo set, change these two).
    reference_md5 = DEMO_CIFAR_MD5
    builder = staticmethod(build_demo_cifar)
    train_list = [[f'data_batch_{b}', DEMO_CIFAR_MD5[f'data_batch_{b}']]
                  for b in range(1, NUM_TRAIN_BATCHES + 1)]
    test_list = [['test_batch', DEMO_CIFAR_MD5['test_batch']]]
    meta = {
        'filename': 'batches.meta',
        'key': 'label_names',
        'md5': DEMO_CIFAR_MD5['batches.meta'],
    }
    METAINFO = {'classes': DIGIT_NAMES}

    def __init__(self,
                 data_root: str = 'data/demo_cifar',
                 split: str = 'train',
                 metainfo: Optional[dict] = None,
                 download: bool = False,
                 data_prefix: str = '',
                 test_mode: bool = False,
                 **kwargs) -> None:
        if download:
            raise ValueError(
                'DemoCIFAR10: download must be False; the demo set is built '
                'locally from scikit-learn\'s digits, there is nothing to '
                'download.')
        if not data_root and not data_prefix:
            raise ValueError('DemoCIFAR10: data_root must name the directory '
                             'of the demo set, e.g. "data/demo_cifar".')
        root = osp.join(data_root, data_prefix) if data_prefix else data_root
        fresh = self.builder(root)
        self._check_demo_files(root, fresh)
        super().__init__(
            data_root=data_root,
            split=split,
            metainfo=metainfo,
            download=False,
            data_prefix=data_prefix,
            test_mode=test_mode,
            **kwargs)

    @classmethod
    def _check_demo_files(cls, root: str, fresh: bool) -> None:
        """Fail with one clear sentence when the files are not the demo's."""
        for name, md5 in cls.reference_md5.items():
            path = osp.join(root, cls.base_folder, name)
            if osp.isfile(path) and file_md5(path) == md5:
                continue
            if fresh:
                raise RuntimeError(
                    f'{cls.__name__}: the demo set just built in {root} does '
                    f'not reproduce the reference file {name} (md5 {md5}); '
                    'the numpy or scikit-learn of this environment renders '
                    'it differently, please report it with their versions.')
            state = 'is missing' if not osp.isfile(path) else 'differs'
            raise RuntimeError(
                f'{cls.__name__}: {path} {state} from the demo build (md5 '
                f'{md5}); delete {root} so that it is built again on next '
                'use, or run `python tools/misc/build_demo_data.py --force`.')


__all__ = [
    'DemoCIFAR10', 'build_demo_cifar', 'write_demo_cifar',
    'render_demo_cifar', 'DEMO_CIFAR_MD5'
]
