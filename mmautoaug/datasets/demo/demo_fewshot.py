# Copyright (c) mmautoaug contributors. All rights reserved.
"""A few-shot CIFAR-10-format set where augmentation matters.

The digits demo set (:mod:`.demo_cifar`) is learned to 99% without any
augmentation, so no policy can be told apart on it. This set keeps the
CIFAR-10 layout and the digits but makes the test harder than the training:
20 training images per class, drawn upright, centred, at one size and in one
colour scheme (dark blue ink on warm paper), and 100 test images per class
drawn from other handwriting samples, rotated up to about +/-23 degrees,
sheared, scaled from 18 to 27 px, placed anywhere, with their colours
desaturated or saturated, at lower contrast, darker or brighter. What a
classifier has not seen in training it must get from augmentation:
geometric and colour ops help; ops that destroy the digit (or rotate a 6
into a 9) hurt.
"""
import math
from typing import Dict, Tuple

import numpy as np

from mmautoaug.registry import DATASETS
from .demo_cifar import NUM_TRAIN_BATCHES, DemoCIFAR10, write_cifar_layout
from .glyphs import DIGIT_NAMES, gradient_field, load_digit_glyphs

#: Seed of the build; changing it changes the reference checksums.
FEWSHOT_SEED = 20201010
#: Training and test images per class.
TRAIN_PER_CLASS = 20
TEST_PER_CLASS = 100


def sample_glyph(glyph: np.ndarray, gx: np.ndarray,
                 gy: np.ndarray) -> np.ndarray:
    """Bilinear coverage of an 8x8 glyph at continuous glyph coordinates
    (pixel centres at integers), 0 outside; element-wise numpy only.

    Examples:
        >>> g = np.zeros((8, 8)); g[3, 4] = 1.0
        >>> float(sample_glyph(g, np.array(4.5), np.array(3.0)))
        0.5
    """
    padded = np.zeros((glyph.shape[0] + 2, glyph.shape[1] + 2))
    padded[1:-1, 1:-1] = glyph
    x = np.clip(gx + 1.0, 0.0, padded.shape[1] - 1.0)
    y = np.clip(gy + 1.0, 0.0, padded.shape[0] - 1.0)
    x0 = np.minimum(np.floor(x).astype(np.int64), padded.shape[1] - 2)
    y0 = np.minimum(np.floor(y).astype(np.int64), padded.shape[0] - 2)
    wx, wy = x - x0, y - y0
    top = padded[y0, x0] * (1 - wx) + padded[y0, x0 + 1] * wx
    bottom = padded[y0 + 1, x0] * (1 - wx) + padded[y0 + 1, x0 + 1] * wx
    return top * (1 - wy) + bottom * wy


def draw_glyph(glyph: np.ndarray, size: float, cx: float, cy: float,
               t: float = 0.0, shear: float = 0.0,
               shape: Tuple[int, int] = (32, 32)) -> np.ndarray:
    """Coverage of ``glyph`` drawn ``size`` px tall centred at ``(cx, cy)``,
    rotated by ``2 * atan(t)`` and sheared by ``shear``.

    The rotation is given by ``t = tan(angle / 2)``, so that its cosine and
    sine, ``(1 - t^2) / (1 + t^2)`` and ``2t / (1 + t^2)``, are exact
    arithmetic: the build gives the same bytes on every machine.
    """
    h, w = shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    dx, dy = xs + 0.5 - cx, ys + 0.5 - cy
    cos, sin = (1 - t * t) / (1 + t * t), 2 * t / (1 + t * t)
    u = cos * dx + sin * dy
    v = -sin * dx + cos * dy
    u = u - shear * v
    scale = 8.0 / size
    return np.clip(sample_glyph(glyph, u * scale + 3.5, v * scale + 3.5), 0,
                   1)


def _paper_and_ink(rng: np.random.Generator):
    """The training colour scheme: dark blue ink on warm paper."""
    paper = np.array([rng.integers(205, 256), rng.integers(190, 236),
                      rng.integers(150, 196)], dtype=np.float64)
    ink = np.array([rng.integers(0, 50), rng.integers(0, 50),
                    rng.integers(70, 141)], dtype=np.float64)
    return paper, ink


def _compose(rng, coverage, paper, ink, ramp):
    field = gradient_field(rng, paper, 32, 32, amplitude=ramp)
    alpha = coverage[..., None]
    return field * (1 - alpha) + ink[None, None] * alpha


def _finish(rng, image, noise_levels):
    noise = rng.integers(-noise_levels, noise_levels + 1, size=(32, 32, 3))
    return np.clip(np.rint(image + noise), 0, 255).astype(np.uint8)


def render_train(rng: np.random.Generator, glyph: np.ndarray) -> np.ndarray:
    """A training image: upright, centred (+/-1 px), 21-23 px tall, dark
    blue ink on warm paper."""
    size = float(rng.integers(21, 24))
    cx, cy = (16.0 + float(rng.integers(-1, 2)) for _ in range(2))
    coverage = draw_glyph(glyph, size, cx, cy)
    paper, ink = _paper_and_ink(rng)
    return _finish(rng, _compose(rng, coverage, paper, ink, 12), 6)


def render_test(rng: np.random.Generator, glyph: np.ndarray) -> np.ndarray:
    """A test image: rotated (``|t| <= 0.2``, about +/-23 deg), sheared
    (+/-0.15), 18-27 px tall, anywhere it fits; the training colours with
    their saturation (x 0 to 1.3), contrast (x 0.35 to 1) and brightness
    (x 0.6 to 1.15) changed, i.e. what Color, Contrast and Brightness ops
    do (no hue change, which no op of the library makes)."""
    size = float(rng.integers(18, 28))
    t = float(rng.integers(-20, 21)) / 100
    shear = float(rng.integers(-15, 16)) / 100
    half = size / 2
    cx = float(rng.integers(int(half), int(32 - half) + 1))
    cy = float(rng.integers(int(half), int(32 - half) + 1))
    coverage = draw_glyph(glyph, size, cx, cy, t, shear)
    paper, ink = _paper_and_ink(rng)
    image = _compose(rng, coverage, paper, ink, 24)
    saturation = float(rng.integers(0, 131)) / 100
    contrast = float(rng.integers(35, 101)) / 100
    brightness = float(rng.integers(60, 116)) / 100
    # PIL's grey weights, in exact float arithmetic
    grey = (image[..., 0] * 299 + image[..., 1] * 587 +
            image[..., 2] * 114)[..., None] / 1000
    image = grey + saturation * (image - grey)
    mean = math.fsum(grey.ravel()) / grey.size  # exact: same on every machine
    image = mean + contrast * (image - mean)
    return _finish(rng, image * brightness, 8)


def render_fewshot(seed: int = FEWSHOT_SEED
                   ) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Render the training and test images.

    Training and test images come from disjoint handwriting samples of
    scikit-learn's digits.

    Returns:
        tuple: ``(train_images, train_labels, test_images, test_labels)``,
        uint8 ``(N, 32, 32, 3)`` RGB and int64 labels, classes interleaved.
    """
    glyphs, labels = load_digit_glyphs()
    rng = np.random.default_rng(seed)
    train_idx, test_idx = [], []
    for c in range(len(DIGIT_NAMES)):
        members = rng.permutation(np.flatnonzero(labels == c))
        train_idx.append(members[:TRAIN_PER_CLASS])
        test_idx.append(members[TRAIN_PER_CLASS:TRAIN_PER_CLASS +
                                TEST_PER_CLASS])
    train_idx = rng.permutation(np.concatenate(train_idx))
    test_idx = rng.permutation(np.concatenate(test_idx))
    train = np.stack([render_train(rng, glyphs[i]) for i in train_idx])
    test = np.stack([render_test(rng, glyphs[i]) for i in test_idx])
    return train, labels[train_idx], test, labels[test_idx]


def write_fewshot(out_dir: str, seed: int = FEWSHOT_SEED) -> None:
    """Write the set in the CIFAR-10 python layout into ``out_dir``
    (``cifar-10-batches-py/data_batch_1..5, test_batch, batches.meta``)."""
    train, train_labels, test, test_labels = render_fewshot(seed)
    write_cifar_layout(out_dir, np.concatenate([train, test]),
                       np.concatenate([train_labels, test_labels]),
                       np.arange(len(train), len(train) + len(test)),
                       np.arange(len(train)))


def build_fewshot(data_root: str = 'data/demo_fewshot',
                  force: bool = False) -> bool:
    """Build the set into ``data_root`` unless it is there (safe when
    several processes call it at once).

    Returns:
        bool: Whether this call wrote a new build.
    """
    from .atomic import build_dir_atomically
    return build_dir_atomically(data_root, write_fewshot, force=force)


#: Checksums of the reference build (:data:`FEWSHOT_SEED`).
FEWSHOT_MD5: Dict[str, str] = {
    'data_batch_1': 'ec50baac5ecc6719abd978dffe0967bf',
    'data_batch_2': '915032ba97f14b38172bdb63eb5381de',
    'data_batch_3': '6e22da01e6988783734e2535223f0aee',
    'data_batch_4': '6a4dcd53dbc32c7a7fb943cd1dca6fc1',
    'data_batch_5': 'f7aead89cf9657685e63ed4bb2d471d5',
    'test_batch': '4f37592099042345f699521184d8fb63',
    'batches.meta': '3caa56e5773088279f87ca9136d7fcdb',
}


@DATASETS.register_module()
class DemoFewShotCIFAR10(DemoCIFAR10):
    """The few-shot demo set, loaded by mmpretrain's CIFAR-10 code.

    200 training images (20 per class) and 1000 test images of the 10
    digits, 32x32 RGB, in the exact CIFAR-10 python layout (see the module
    docstring for how the test set differs from the training set). Built on
    first use into ``data_root``; the integrity check compares every file
    with the reference build's md5, as mmpretrain's CIFAR10 does with the
    published files.

    Args:
        data_root (str): Directory of the set. Defaults to
            ``'data/demo_fewshot'``.
        split (str): ``'train'`` or ``'test'``.
        **kwargs: Other arguments of :class:`DemoCIFAR10`.

    Examples:
        >>> import os, tempfile
        >>> root = os.path.join(tempfile.mkdtemp(), 'demo_fewshot')
        >>> train = DemoFewShotCIFAR10(data_root=root, split='train')
        >>> len(train), len(DemoFewShotCIFAR10(data_root=root, split='test'))
        (200, 1000)
    """

    reference_md5 = FEWSHOT_MD5
    builder = staticmethod(build_fewshot)
    train_list = [[f'data_batch_{b}', FEWSHOT_MD5[f'data_batch_{b}']]
                  for b in range(1, NUM_TRAIN_BATCHES + 1)]
    test_list = [['test_batch', FEWSHOT_MD5['test_batch']]]
    meta = {
        'filename': 'batches.meta',
        'key': 'label_names',
        'md5': FEWSHOT_MD5['batches.meta'],
    }

    def __init__(self, data_root: str = 'data/demo_fewshot', **kwargs):
        super().__init__(data_root=data_root, **kwargs)
