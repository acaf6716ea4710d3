# Copyright (c) mmautoaug contributors. All rights reserved.
"""Per-image face of the op library: numpy ``HxW`` / ``HxWxC`` uint8.

Every op replays PIL exactly as Fast AutoAugment's and AutoAugment's
released code called it (see :mod:`.geometry` and :mod:`.levels` for the
shared arithmetic); the parameter units are :mod:`.spaces`'s. Images with
1 or 3 channels are supported; 4-channel (RGBA) images are refused with a
clear error: drop or re-attach the alpha channel yourself, since what an op
should do to alpha (e.g. Equalize) is not defined by the authors' code.
"""
import math
from typing import Optional, Sequence, Union

import cv2
import numpy as np
from mmcv.image import iminvert, posterize, solarize

from . import levels
from .fast_warp import check_warp, warp_fast
from .geometry import (check_op, pil_affine_data, pil_sampling_coefficients,
                       source_indices)
from .resample import (check_interpolation, filtered_levels,
                       generic_coordinates)
from .spaces import GEOMETRIC_OPS, OP_PARAMS

Fill = Union[int, Sequence[int]]
#: Rows are warped in blocks of about this many pixels to bound memory.
_BLOCK_PIXELS = 1 << 20
#: ``cv2.remap`` takes images smaller than this on each side.
_REMAP_LIMIT = 32767


def apply_image_op(img: np.ndarray,
                   op: str,
                   param=None,
                   *,
                   fill: Fill = (0, 0, 0),
                   cutout_fill: Fill = (125, 123, 114),
                   rng: Optional[np.random.Generator] = None,
                   pair: Optional[np.ndarray] = None,
                   channel_order: str = 'rgb',
                   interpolation: str = 'nearest',
                   warp: str = 'exact') -> np.ndarray:
    """Apply one op to one image.

    Args:
        img (np.ndarray): ``HxW`` (grey) or ``HxWxC`` uint8, ``C`` in
            {1, 3}.
        op (str): An op of :data:`~.spaces.OP_PARAMS`.
        param (float, optional): The op's parameter, already signed (see
            :mod:`.spaces`); ignored by ops that take none.
        fill (int | tuple[int]): Colour (R, G, B) of pixels geometric ops
            bring in from outside the image.
        cutout_fill (int | tuple[int]): Colour (R, G, B) of the Cutout and
            ClippedCutout squares.
        rng (np.random.Generator, optional): Draws Cutout's centre; a fresh
            unseeded generator when None.
        pair (np.ndarray, optional): The second image of SamplePairing, same
            shape as ``img``.
        channel_order (str): ``'rgb'`` or ``'bgr'`` (mmcv-loaded images):
            which channel is red for the grey level of Color/Contrast and
            for the fill colours.
        interpolation (str): Geometric ops: PIL's resampling filter,
            ``'nearest'`` (16.16 fixed point, as ``Image.NEAREST``),
            ``'bilinear'`` or ``'bicubic'`` (``Image.BILINEAR`` /
            ``Image.BICUBIC``, see :mod:`.resample`). Defaults to
            ``'nearest'``.
        warp (str): Geometric ops: ``'exact'`` replays PIL's sampler pixel
            for pixel (published policies); ``'fast'`` warps with OpenCV's
            ``warpAffine`` (:mod:`.fast_warp`: the same matrix, 3-5x
            faster on COCO-sized images; nearest: about 0.1% of the pixels take
            a neighbouring source pixel, at ties; bilinear / bicubic take
            OpenCV's own kernels). Defaults to ``'exact'``.

    Returns:
        np.ndarray: The new image, same shape and dtype (may be ``img``
        itself when the op leaves it unchanged; ``img`` is never modified).

    Examples:
        >>> img = np.full((4, 4, 3), 100, np.uint8)
        >>> apply_image_op(img, 'Brightness', 1.5)[0, 0]
        array([150, 150, 150], dtype=uint8)
        >>> apply_image_op(img, 'TranslateX', 0.5)[0, :, 0]
        array([100, 100,   0,   0], dtype=uint8)
        >>> ramp = np.tile(np.arange(0, 80, 10, dtype=np.uint8), (4, 1))
        >>> apply_image_op(ramp, 'TranslateX', 0.0625,
        ...                interpolation='bilinear')[0]  # half a pixel
        array([ 5, 15, 25, 35, 45, 55, 65,  0], dtype=uint8)
    """
    check_op(op)
    check_interpolation(interpolation)
    check_warp(warp)
    _check_image(img, 'img')
    if channel_order not in ('rgb', 'bgr'):
        raise ValueError(f"channel_order: {channel_order!r}; allowed: "
                         f"'rgb', 'bgr'")
    if OP_PARAMS[op]:
        if param is None or not math.isfinite(float(param)):
            raise ValueError(f'param: {op} needs a finite parameter, got '
                             f'{param!r}')
    image = img[..., None] if img.ndim == 2 else img
    colours = dict(fill=fill, cutout_fill=cutout_fill)
    colours = {
        k: levels.fill_levels(v, image.shape[2], channel_order, k)
        for k, v in colours.items()
    }
    if op in GEOMETRIC_OPS and warp == 'fast':
        out = warp_fast(image, op, float(param), colours['fill'],
                        interpolation)
    elif op in GEOMETRIC_OPS and interpolation != 'nearest':
        out = _warp_filtered(image, op, float(param), colours['fill'],
                             interpolation)
    elif op in GEOMETRIC_OPS:
        out = _warp(image, op, float(param), colours['fill'])
    elif op == 'Cutout':
        out = _cutout(image, float(param), colours['cutout_fill'], rng)
    elif op == 'ClippedCutout':
        out = _clipped_cutout(image, float(param), colours['cutout_fill'],
                              rng)
    elif op == 'SamplePairing':
        if pair is None:
            raise ValueError('pair: SamplePairing needs the image to mix in')
        _check_image(pair, 'pair')
        if pair.shape != img.shape:
            raise ValueError(f'pair: shape {pair.shape} differs from img '
                             f'shape {img.shape}')
        pair = pair[..., None] if pair.ndim == 2 else pair
        out = _blend(image, pair, float(param))
    else:
        out = _COLOUR_OPS[op](image, param, channel_order)
    return out[..., 0] if img.ndim == 2 else out


def _check_image(img, name: str) -> None:
    if not isinstance(img, np.ndarray):
        raise TypeError(f'{name}: expected a numpy.ndarray HxW or HxWxC '
                        f'uint8, got {type(img).__name__}')
    if img.dtype != np.uint8:
        raise TypeError(f'{name}: dtype {img.dtype} is not supported; '
                        f'allowed: uint8 (levels 0..255)')
    if img.ndim not in (2, 3) or (img.ndim == 3
                                  and img.shape[2] not in (1, 3)):
        hint = ' (RGBA? drop alpha with img[..., :3])' if (
            img.ndim == 3 and img.shape[2] == 4) else ''
        raise ValueError(f'{name}: shape {img.shape}{hint} is not supported; '
                         f'allowed: HxW, HxWx1 or HxWx3')
    if img.shape[0] == 0 or img.shape[1] == 0:
        raise ValueError(f'{name}: empty image of shape {img.shape}')


def _warp(img: np.ndarray, op: str, param: float,
          fill: np.ndarray) -> np.ndarray:
    """PIL's nearest-neighbour affine transform, pixel for pixel.

    PIL's integer sampler picks each source pixel; OpenCV's ``remap`` then
    only copies pixels (the maps hold exact integers, so its own rounding
    never matters) and writes ``fill`` where the source is outside.
    """
    h, w = img.shape[:2]
    coef = pil_sampling_coefficients(pil_affine_data(op, param, h, w))
    out = np.empty_like(img)
    xs = np.arange(w, dtype=np.int64)[None, :]
    block = max(1, _BLOCK_PIXELS // w)
    border = tuple(float(v) for v in fill)
    framed = None
    if max(h, w) >= _REMAP_LIMIT:  # a frame of fill colour around the image
        framed = np.empty((h + 2, w + 2, img.shape[2]), img.dtype)
        framed[...] = fill
        framed[1:-1, 1:-1] = img
    for top in range(0, h, block):
        ys = np.arange(top, min(h, top + block), dtype=np.int64)[:, None]
        xin, yin = source_indices(coef, xs, ys)
        # -1 and the size are outside, as any further index
        xin, yin = np.clip(xin, -1, w), np.clip(yin, -1, h)
        if framed is None:
            rows = cv2.remap(
                img,
                xin.astype(np.float32),
                yin.astype(np.float32),
                cv2.INTER_NEAREST,
                borderMode=cv2.BORDER_CONSTANT,
                borderValue=border)
        else:
            rows = framed[yin + 1, xin + 1]
        out[top:top + len(ys)] = rows.reshape(len(ys), w, img.shape[2])
    return out


def _warp_filtered(img: np.ndarray, op: str, param: float, fill: np.ndarray,
                   interpolation: str) -> np.ndarray:
    """PIL's bilinear / bicubic affine transform (:mod:`.resample`), in
    blocks of rows (the taps are float64 arrays the size of the block)."""
    h, w = img.shape[:2]
    data = pil_affine_data(op, param, h, w)
    out = np.empty_like(img)
    xs = np.arange(w, dtype=np.float64)[None, :]
    block = max(1, (_BLOCK_PIXELS // 16) // w)

    def gather(rows, cols):
        return img[rows, cols].astype(np.float64)

    for top in range(0, h, block):
        ys = np.arange(top, min(h, top + block), dtype=np.float64)[:, None]
        xx, yy = generic_coordinates(data, xs, ys)
        levels_, inside = filtered_levels(gather, xx, yy, h, w,
                                          interpolation,
                                          lambda t: t[..., None])
        out[top:top + len(ys)] = np.where(inside[..., None], levels_, fill)
    return out


def _cutout(img: np.ndarray, side: float, colour: np.ndarray,
            rng: Optional[np.random.Generator]) -> np.ndarray:
    if side < 0:
        raise ValueError(f'param: Cutout side {side} must be >= 0')
    if side == 0:
        return img
    rng = np.random.default_rng() if rng is None else rng
    h, w = img.shape[:2]
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    x0, y0, x1, y1 = levels.cutout_bounds(cx, cy, side * w, h, w)
    out = img.copy()
    out[y0:y1, x0:x1] = colour
    return out


def _clipped_cutout(img: np.ndarray, length: float, colour: np.ndarray,
                    rng: Optional[np.random.Generator]) -> np.ndarray:
    if length < 0:
        raise ValueError(f'param: ClippedCutout side {length} must be >= 0 '
                         f'(pixels)')
    rng = np.random.default_rng() if rng is None else rng
    h, w = img.shape[:2]
    # integer centre uniform over the image; drawn (x, then y) as uniforms so
    # that the batched face, which draws the same way, can be replayed
    cx, cy = int(rng.uniform(0, w)), int(rng.uniform(0, h))
    x0, y0, x1, y1 = levels.clipped_cutout_bounds(cx, cy, int(length), h, w)
    if x1 <= x0 or y1 <= y0:
        return img
    out = img.copy()
    out[y0:y1, x0:x1] = colour
    return out


def _blend(degenerate: np.ndarray, img: np.ndarray,
           factor: float) -> np.ndarray:
    out = levels.blend(
        degenerate.astype(np.float32), img.astype(np.float32),
        np.float32(factor))
    return out.astype(np.uint8)


def _grey(img: np.ndarray, order: str) -> np.ndarray:
    """PIL's ``convert('L')`` as an ``HxW`` int32 array."""
    if img.shape[2] == 1:
        return img[..., 0].astype(np.int32)
    rgb = img.astype(np.int32)  # 255 * 65536 < 2**31
    r, b = (2, 0) if order == 'bgr' else (0, 2)
    return levels.luma(rgb[..., r], rgb[..., 1], rgb[..., b])


def _apply_lut(img: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """Per-channel lookup with OpenCV: ``lut`` is ``(C, 256)`` or ``(256,)``
    levels in [0, 255]."""
    lut = np.broadcast_to(lut, (img.shape[2], 256)).astype(np.uint8)
    if img.shape[2] == 1:
        return cv2.LUT(img[..., 0], lut[0])[..., None]
    return cv2.LUT(img, np.ascontiguousarray(lut.T[None]))


def _blend_table(degenerate: float, factor: float) -> np.ndarray:
    """``blend`` of a constant image with every level: a ``(256,)`` table
    (the same float32 arithmetic as pixel by pixel)."""
    lv = np.arange(256, dtype=np.float32)
    return levels.blend(np.float32(degenerate), lv, np.float32(factor))


def _histograms(img: np.ndarray) -> np.ndarray:
    """``(C, 256)`` int64 level counts per channel."""
    if img.shape[0] * img.shape[1] < 2**24:  # exact in calcHist's float32
        hist = [
            # (256, 1) on OpenCV 4, (256,) on OpenCV 5: flatten either
            cv2.calcHist([img], [c], None, [256], [0, 256]).reshape(-1)
            for c in range(img.shape[2])
        ]
    else:
        hist = [
            np.bincount(img[..., c].ravel(), minlength=256)
            for c in range(img.shape[2])
        ]
    return np.stack(hist).astype(np.int64)


def _auto_contrast(img, param, order):
    present = _histograms(img) > 0
    low = present.argmax(1)
    high = 255 - present[:, ::-1].argmax(1)
    return _apply_lut(img, levels.autocontrast_lut(low, high))


def _equalize(img, param, order):
    return _apply_lut(img, levels.equalize_lut(_histograms(img)))


def _posterize(img, bits, order):
    if not 0 <= bits <= 8:
        raise ValueError(f'param: Posterize bits {bits} outside [0, 8]')
    return posterize(img, int(bits))


def _contrast(img, factor, order):
    grey = _grey(img, order)
    mean = int(levels.rounded_mean(int(grey.sum(dtype=np.int64)), grey.size))
    return _apply_lut(img, _blend_table(mean, factor))


def _color(img, factor, order):
    grey = _grey(img, order).astype(np.uint8)
    return _blend(np.broadcast_to(grey[..., None], img.shape), img, factor)


def _sharpness(img, factor, order):
    h, w = img.shape[:2]
    if h < 3 or w < 3:  # PIL leaves images smaller than the kernel as is
        return _blend(img, img, factor)
    # exact integer 3x3 window sums (9 * 255 fits int16)
    window = cv2.boxFilter(img, cv2.CV_16S, (3, 3), normalize=False)
    window = window.reshape(img.shape)[1:-1, 1:-1]
    smooth = img.copy()
    smooth[1:-1, 1:-1] = levels.smooth_interior(
        window.astype(np.int32), img[1:-1, 1:-1].astype(np.int32))
    return _blend(smooth, img, factor)


_COLOUR_OPS = {
    'AutoContrast': _auto_contrast,
    'Invert': lambda img, param, order: iminvert(img),
    'Equalize': _equalize,
    'Solarize': lambda img, thr, order: solarize(img, float(thr)),
    'Posterize': _posterize,
    'Contrast': _contrast,
    'Color': _color,
    'Brightness': lambda img, f, order: _apply_lut(img, _blend_table(0, f)),
    'Sharpness': _sharpness,
    'Identity': lambda img, param, order: img,
}
