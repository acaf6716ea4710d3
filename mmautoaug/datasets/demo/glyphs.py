# Copyright (c) mmautoaug contributors. All rights reserved.
"""Pixels of the demo data sets, from images that ship with scikit-learn.

Everything here is deterministic for a given seed and uses only exact
element-wise numpy arithmetic (no BLAS, no transcendental functions), so a
build gives the same bytes on every machine.
"""
from typing import Tuple

import numpy as np

#: Class names of the digits, in label order.
DIGIT_NAMES = ('zero', 'one', 'two', 'three', 'four', 'five', 'six',
               'seven', 'eight', 'nine')


def load_digit_glyphs() -> Tuple[np.ndarray, np.ndarray]:
    """Load scikit-learn's bundled handwritten digits (UCI, 1797 images).

    Returns:
        tuple[np.ndarray, np.ndarray]: ``(glyphs, labels)``: glyphs of shape
        (1797, 8, 8), float64 ink coverage in [0, 1]; labels (1797,) int64.

    Examples:
        >>> glyphs, labels = load_digit_glyphs()
        >>> glyphs.shape, int(labels.max())
        ((1797, 8, 8), 9)
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as e:  # pragma: no cover - depends on the install
        raise ImportError(
            'The demo data sets are made from scikit-learn\'s bundled digits '
            'but scikit-learn is not installed; run '
            '`pip install scikit-learn`.') from e
    digits = load_digits()
    glyphs = digits.images.astype(np.float64) / 16.0
    return glyphs, digits.target.astype(np.int64)


def resize_bilinear(image: np.ndarray, height: int,
                    width: int) -> np.ndarray:
    """Resize a 2-D float image with bilinear interpolation.

    Pixel centres are aligned (``align_corners=False``) and borders are
    clamped, like OpenCV's ``INTER_LINEAR``, but computed with element-wise
    numpy only so the result is bit-exact everywhere.

    Args:
        image (np.ndarray): (H, W) float image.
        height (int): Output height.
        width (int): Output width.

    Returns:
        np.ndarray: (height, width) float64 image.

    Examples:
        >>> resize_bilinear(np.eye(2), 4, 4).round(2)[0].tolist()
        [1.0, 0.75, 0.25, 0.0]
    """
    image = np.asarray(image, dtype=np.float64)

    def _axis(src: int, dst: int):
        pos = (np.arange(dst) + 0.5) * (src / dst) - 0.5
        pos = np.clip(pos, 0, src - 1)
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, src - 1)
        return lo, hi, pos - lo

    r0, r1, wr = _axis(image.shape[0], height)
    c0, c1, wc = _axis(image.shape[1], width)
    rows = image[r0] * (1 - wr)[:, None] + image[r1] * wr[:, None]
    return rows[:, c0] * (1 - wc)[None] + rows[:, c1] * wc[None]


def contrasting_colours(rng: np.random.Generator
                        ) -> Tuple[np.ndarray, np.ndarray]:
    """Draw a light background and a dark foreground colour.

    Like ink on coloured paper: every background channel is in [150, 255]
    and every foreground channel in [0, 90], so hues vary freely (colour
    augmentations matter) while each channel keeps the same polarity, which
    keeps the demo learnable in a few epochs.

    Args:
        rng (np.random.Generator): Source of randomness.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``(background, foreground)``, int64
        arrays of 3 values in [0, 255].

    Examples:
        >>> bg, fg = contrasting_colours(np.random.default_rng(0))
        >>> bool((bg >= 150).all() and (fg <= 90).all())
        True
    """
    background = rng.integers(150, 256, size=3)
    foreground = rng.integers(0, 91, size=3)
    return background, foreground


def gradient_field(rng: np.random.Generator, colour: np.ndarray, height: int,
                   width: int, amplitude: int = 24) -> np.ndarray:
    """A flat colour with a random linear colour ramp across the image.

    Args:
        rng (np.random.Generator): Source of randomness.
        colour (np.ndarray): Base RGB colour.
        height (int): Image height.
        width (int): Image width.
        amplitude (int): Largest change of a channel across the image.
            Defaults to 24.

    Returns:
        np.ndarray: (height, width, 3) float64 image.
    """
    slope = rng.integers(-amplitude, amplitude + 1, size=3)
    direction = int(rng.integers(0, 3))  # horizontal, vertical, diagonal
    ys, xs = np.mgrid[0:height, 0:width]
    if direction == 0:
        ramp = xs / max(width - 1, 1)
    elif direction == 1:
        ramp = ys / max(height - 1, 1)
    else:
        ramp = (xs + ys) / max(width + height - 2, 1)
    return colour[None, None, :] + ramp[..., None] * slope[None, None, :]


def composite(background: np.ndarray, colour: np.ndarray, alpha: np.ndarray,
              noise: np.ndarray) -> np.ndarray:
    """Paint ``colour`` over ``background`` with coverage ``alpha``.

    Args:
        background (np.ndarray): (H, W, 3) float image.
        colour (np.ndarray): RGB colour, or an (H, W, 3) image.
        alpha (np.ndarray): (H, W) coverage in [0, 1].
        noise (np.ndarray): (H, W, 3) integer noise added to every pixel.

    Returns:
        np.ndarray: (H, W, 3) uint8 image.
    """
    alpha = alpha[..., None]
    image = background * (1 - alpha) + np.asarray(colour) * alpha + noise
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)
