# Copyright (c) mmautoaug contributors. All rights reserved.
"""Grey-level arithmetic shared by the per-image and batched faces.

Each function here is PIL's definition of a colour op's building block,
written once on arrays that may be numpy or torch (any device), so that
the per-image face (numpy, one image) and the batched face (torch, many
images) compute the same numbers:

- :func:`luma`: PIL's ``convert('L')`` (ITU-R 601-2 weights in 16-bit fixed
  point, ``L = (19595 R + 38470 G + 7471 B + 2**15) >> 16``);
- :func:`blend`: ``Image.blend`` as ``ImageEnhance`` uses it (float32
  ``deg + f * (img - deg)``, clipped to [0, 255], truncated);
- :func:`smooth_interior`: ``ImageFilter.SMOOTH`` (kernel 1 around, 5 in the
  centre, divided by 13; the 1-pixel border is copied unchanged);
- :func:`equalize_lut` / :func:`autocontrast_lut`: ``ImageOps.equalize`` /
  ``ImageOps.autocontrast`` lookup tables from per-channel statistics;
- :func:`rounded_mean`: ``ImageEnhance.Contrast``'s rounded grey mean;
- :func:`cutout_bounds`: Fast AutoAugment's ``CutoutAbs`` square;
- :func:`clipped_cutout_bounds`: the Cutout of DeVries & Taylor (2017) as the
  DARTS/AutoAugment/DADA training code applies it after the policy (centre
  anywhere, square clipped at every border);
- :func:`fill_levels`: a fill colour as levels of an image's channels.
"""
import math

import numpy as np
import torch

#: PIL's fixed-point luma weights for R, G, B (sum 65536).
LUMA_WEIGHTS = (19595, 38470, 7471)


def _xp(x):
    return torch if isinstance(x, torch.Tensor) else np


def _arange256(like):
    if isinstance(like, torch.Tensor):
        return torch.arange(256, device=like.device, dtype=torch.int64)
    return np.arange(256, dtype=np.int64)


def luma(red, green, blue):
    """PIL's grey level of integer ``red, green, blue`` arrays (int64)."""
    r, g, b = LUMA_WEIGHTS
    return (red * r + green * g + blue * b + 32768) >> 16


def fill_levels(value, channels: int, order: str, name: str) -> np.ndarray:
    """A fill colour as one uint8 level per channel of the image.

    Args:
        value (int | tuple[int]): A level, or an (R, G, B) colour (a grey
            image takes the colour's :func:`luma`).
        channels (int): 1 or 3.
        order (str): ``'rgb'`` or ``'bgr'``, the image's channel order.
        name (str): The argument's name, for the error message.
    """
    rgb = np.atleast_1d(np.asarray(value))
    if rgb.ndim != 1 or len(rgb) not in (1, 3) or not np.issubdtype(
            rgb.dtype, np.number) or rgb.min() < 0 or rgb.max() > 255:
        raise ValueError(f'{name}: {value!r}; allowed: a level in [0, 255] '
                         f'or an (R, G, B) tuple of them')
    rgb = rgb.astype(np.int64)
    if len(rgb) == 1:
        return np.repeat(rgb, channels).astype(np.uint8)
    if channels == 1:  # a grey image takes the colour's grey level
        return luma(*rgb)[None].astype(np.uint8)
    return (rgb[::-1] if order == 'bgr' else rgb).astype(np.uint8)


def rounded_mean(total, count):
    """PIL's ``int(mean + 0.5)`` of ``total / count`` in exact integers.

    Args:
        total: int64 sums of grey levels (numpy or torch, or an int).
        count (int): number of pixels.
    """
    return (2 * total + count) // (2 * count)


def blend(degenerate, image, factor):
    """``Image.blend(degenerate, image, factor)`` on float32 grey levels.

    Args:
        degenerate: float32 array, the image at ``factor = 0``.
        image: float32 array, the image at ``factor = 1``.
        factor: float32 scalar or array broadcastable to ``image``.

    Returns:
        float32 array of integer levels in [0, 255].
    """
    # (image - degenerate) * factor + degenerate, two fresh arrays and the
    # rest in place (the same float32 operations, so the same bits)
    xp = _xp(image)
    out = xp.multiply(image - degenerate, factor)
    out += degenerate
    if xp is torch:
        return out.clamp_(0, 255).floor_()
    np.clip(out, 0, 255, out=out)
    return np.floor(out, out=out)


def smooth_interior(neighbour_sum, centre):
    """Round PIL's SMOOTH filter: ``(sum of 3x3 + 4 * centre) / 13``.

    Args:
        neighbour_sum: int32 or int64 sum of the 3x3 window of each
            interior pixel.
        centre: the interior pixels (integers).

    Returns:
        The smoothed interior levels (same kind as the inputs), rounded
        half up as PIL's ``clip8(x + 0.5)`` (exact: a multiple of 1/13
        is never a tie).
    """
    total = neighbour_sum + 4 * centre
    # (2 * total + 13) // 26 as a multiply and a shift: 40330 = ceil(2**20
    # / 26) and 40330 * 26 - 2**20 = 4, so the quotient is exact for
    # numerators below 2**20 / 4 (ours are at most 2 * 13 * 255 + 13); an
    # integer division costs about 5x more in torch
    return ((2 * total + 13) * 40330) >> 20


def equalize_lut(hist):
    """``ImageOps.equalize``'s lookup table from histograms.

    Args:
        hist: int64 array ``(..., 256)``, one histogram per channel.

    Returns:
        int64 array ``(..., 256)``: the new level of every old level.
    """
    xp = _xp(hist)
    levels = _arange256(hist)
    present = hist > 0
    # highest level that occurs, and its count (PIL's ``histo[-1]``)
    last = xp.amax(present * levels, -1)
    if xp is torch:
        last_count = torch.gather(hist, -1, last[..., None])[..., 0]
    else:
        last_count = np.take_along_axis(hist, last[..., None], -1)[..., 0]
    step = (hist.sum(-1) - last_count) // 255
    # PIL keeps the channel when one level or none occurs (then the step
    # is 0 as well) or when the step is 0
    identity = step == 0
    step = xp.where(identity, step * 0 + 1, step)[..., None]
    before = hist.cumsum(-1) - hist  # pixels strictly below each level
    lut = xp.clip((step // 2 + before) // step, 0, 255)
    return xp.where(identity[..., None], levels + lut * 0, lut)


def autocontrast_lut(low, high):
    """``ImageOps.autocontrast`` (cutoff 0)'s lookup table.

    Args:
        low: int64 array ``(...)``: lowest level present per channel.
        high: int64 array ``(...)``: highest level present per channel.

    Returns:
        int64 array ``(..., 256)``.
    """
    xp = _xp(low)
    levels = _arange256(low)
    identity = high <= low
    span = xp.where(identity, high * 0 + 1, high - low)
    if xp is np:
        scale = 255.0 / span.astype(np.float64)
    else:  # a true division (``255.0 / t`` is ``t.reciprocal() * 255``)
        span = span.to(torch.float64)
        scale = torch.full_like(span, 255.0) / span
    offset = -low * scale
    # PIL: int(ix * scale + offset), double precision, then clipped
    value = levels * scale[..., None] + offset[..., None]
    lut = xp.clip(xp.trunc(value), 0, 255)
    lut = lut.astype(np.int64) if xp is np else lut.to(torch.int64)
    return xp.where(identity[..., None], levels + lut * 0, lut)


def cutout_bounds(centre_x, centre_y, side, height: int, width: int):
    """Fast AutoAugment's ``CutoutAbs`` square as half-open index ranges.

    ``x0 = int(max(0, cx - side / 2))`` and PIL's ``rectangle`` fills
    columns ``x0 .. int(min(W, x0 + side))`` inclusive (the same for rows),
    so the square is ``int(side) + 1`` pixels wide away from the edges.
    ``side <= 0`` paints nothing.

    Args:
        centre_x, centre_y: centres drawn uniformly in ``[0, W)``,
            ``[0, H)`` (floats or float arrays).
        side: side in pixels (``param * width``).
        height (int), width (int): image size.

    Returns:
        tuple: ``(x0, y0, x1, y1)`` integers (or int64 arrays), the painted
        block is ``[y0:y1, x0:x1]``.
    """
    xp = _xp(side)
    if xp is np and np.ndim(side) == 0:
        if side <= 0:
            return 0, 0, 0, 0
        x0 = int(max(0.0, centre_x - side / 2.0))
        y0 = int(max(0.0, centre_y - side / 2.0))
        x1 = min(width, int(min(width, x0 + side)) + 1)
        y1 = min(height, int(min(height, y0 + side)) + 1)
        return x0, y0, x1, y1

    def trunc(v):
        v = xp.trunc(v)
        return v.to(torch.int64) if xp is torch else v.astype(np.int64)

    x0 = trunc(xp.clip(centre_x - side / 2.0, 0, math.inf))
    y0 = trunc(xp.clip(centre_y - side / 2.0, 0, math.inf))
    x1 = xp.clip(trunc(xp.clip(x0 + side, None, width)) + 1, None, width)
    y1 = xp.clip(trunc(xp.clip(y0 + side, None, height)) + 1, None, height)
    empty = side <= 0
    x1 = xp.where(empty, x0, x1)
    y1 = xp.where(empty, y0, y1)
    return x0, y0, x1, y1


def clipped_cutout_bounds(centre_x, centre_y, length, height: int,
                          width: int):
    """The paper Cutout's square as half-open index ranges.

    Cutout (DeVries & Taylor, 2017) as the training code of DARTS, of
    AutoAugment's CIFAR models and of DADA's and Adversarial AutoAugment's
    retraining applies it after the policy: an integer centre uniform over
    the image, ``y0 = clip(cy - length // 2, 0, H)``,
    ``y1 = clip(cy + length // 2, 0, H)`` (the same for columns), so the
    square is ``2 * (length // 2)`` pixels wide away from the borders and
    clipped, never shifted, at every border. Its expected area on a
    ``32 x 32`` image with ``length = 16`` is 196 pixels.

    Args:
        centre_x, centre_y: integer centres in ``[0, W)``, ``[0, H)`` (ints
            or integer arrays / tensors).
        length: side in pixels (an int, or integers per sample).
        height (int), width (int): image size.

    Returns:
        tuple: ``(x0, y0, x1, y1)``, the painted block is ``[y0:y1, x0:x1]``.

    Examples:
        >>> clipped_cutout_bounds(2, 30, 16, 32, 32)
        (0, 22, 10, 32)
    """
    xp = _xp(centre_x)
    half = length // 2
    if xp is np and np.ndim(centre_x) == 0 and np.ndim(half) == 0:
        return (int(min(max(centre_x - half, 0), width)),
                int(min(max(centre_y - half, 0), height)),
                int(min(max(centre_x + half, 0), width)),
                int(min(max(centre_y + half, 0), height)))
    return (xp.clip(centre_x - half, 0, width),
            xp.clip(centre_y - half, 0, height),
            xp.clip(centre_x + half, 0, width),
            xp.clip(centre_y + half, 0, height))
