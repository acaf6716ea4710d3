# Copyright (c) mmautoaug contributors. All rights reserved.
"""Batched kernels of the non-geometric ops (torch, any device).

Seven ops change every pixel through a per-sample, per-channel table of
its 256 levels (AutoContrast, Invert, Equalize, Solarize, Posterize,
Contrast, Brightness): :data:`LUT_BUILDERS` make those ``(n, C, 256)``
tables (Equalize from the level counts of :func:`histograms`), and one
:func:`apply_tables` applies all of them at once. The others
(:data:`PIXEL_KERNELS`) compute pixels directly. Both take ``x``: uint8
``(n, C, H, W)`` and ``param``: ``(n,)``, use the shared arithmetic of
:mod:`.levels`, and so agree with the per-image face (and PIL) exactly.
"""
from typing import Optional

import cv2
import numpy as np
import torch

from . import levels

#: On the CPU, planes of at least this many pixels are looked up (and
#: counted) one by one with OpenCV's ``LUT`` (``calcHist``), the per-image
#: face's kernels; smaller planes, and other devices, take one torch gather
#: over the whole batch, whose cost per pixel is higher but whose cost per
#: call does not grow with the number of planes.
_CV2_PLANE_PIXELS = 1 << 12
#: ``calcHist`` costs more per call than ``LUT`` (measured crossover near
#: 90x90 pixels on one core).
_CV2_HIST_PIXELS = 1 << 13


def _per_sample(v: torch.Tensor) -> torch.Tensor:
    return v.to(torch.float32).view(-1, 1, 1, 1)


def _levels_like(x: torch.Tensor) -> torch.Tensor:
    """The 256 levels as float32 ``(1, 1, 256)``."""
    return torch.arange(
        256, dtype=torch.float32, device=x.device).view(1, 1, 256)


def _grey(x: torch.Tensor, order: str) -> torch.Tensor:
    """PIL's ``convert('L')`` of every sample: ``(n, H, W)`` int32."""
    xi = x.to(torch.int32)  # 255 * 65536 < 2**31
    if x.shape[1] == 1:
        return xi[:, 0]
    r, b = (2, 0) if order == 'bgr' else (0, 2)
    return levels.luma(xi[:, r], xi[:, 1], xi[:, b])


def table_codes(x: torch.Tensor) -> torch.Tensor:
    """``(sample * C + channel) * 256 + level``: each pixel's entry in the
    flattened ``(n, C, 256)`` tables (int32: int64 passes cost far more
    and the codes stay below 2**31 for any batch under 2**23 samples)."""
    n, c = x.shape[:2]
    offset = torch.arange(
        0, n * c * 256, 256, device=x.device, dtype=torch.int32)
    # a cast and an in-place add of one dtype: a mixed-dtype broadcast add
    # takes torch's slow casting loop (about 4x the time on the CPU)
    codes = x.to(torch.int32)
    return codes.add_(offset.view(n, c, 1, 1))


def _cpu_planes(x: torch.Tensor, threshold: int) -> bool:
    return x.device.type == 'cpu' and x.shape[-2] * x.shape[-1] >= threshold


def apply_tables(x: torch.Tensor,
                 tables: torch.Tensor,
                 out: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Look every pixel up in its sample's and channel's table.

    Args:
        x (Tensor): uint8 ``(n, C, H, W)``.
        tables (Tensor): uint8 ``(n, C, 256)``.
        out (Tensor, optional): ``(n, C, H, W)`` to write the levels into
            (any dtype; written in place when contiguous uint8).

    Returns:
        Tensor: ``out`` (uint8 when not given), ``out[s, c] =
        tables[s, c][x[s, c]]``.

    Examples:
        >>> x = torch.tensor([[[[0, 1], [2, 255]]]], dtype=torch.uint8)
        >>> tables = (255 - torch.arange(256)).to(torch.uint8).view(1, 1, 256)
        >>> apply_tables(x, tables).flatten().tolist()
        [255, 254, 253, 0]
    """
    if out is not None and (out.dtype != torch.uint8
                            or not out.is_contiguous()):
        return out.copy_(apply_tables(x, tables))
    if x.numel() == 0:
        return torch.empty_like(x) if out is None else out
    if _cpu_planes(x, _CV2_PLANE_PIXELS):
        if out is None:
            out = torch.empty_like(x, memory_format=torch.contiguous_format)
        h, w = x.shape[-2:]
        src = x.contiguous().numpy().reshape(-1, h, w)
        dst = out.numpy().reshape(-1, h, w)
        for plane, table, target in zip(src, _numpy_tables(tables), dst):
            cv2.LUT(plane, table, dst=target)
        return out
    codes = table_codes(x.contiguous())
    found = tables.reshape(-1).index_select(0, codes.view(-1)).view(x.shape)
    return found if out is None else out.copy_(found)


def _numpy_tables(tables: torch.Tensor) -> np.ndarray:
    return tables.to(torch.uint8).contiguous().numpy().reshape(-1, 256)


def histograms(x: torch.Tensor) -> torch.Tensor:
    """``(n, C, 256)`` int64 level counts of uint8 ``(n, C, H, W)``."""
    n, c, h, w = x.shape
    if _cpu_planes(x, _CV2_HIST_PIXELS) and h * w < 2**24:
        # float32 counts are exact below 2**24 pixels
        hist = np.empty((n * c, 256), np.float32)
        for plane, row in zip(x.contiguous().numpy().reshape(-1, h, w),
                              hist):
            row[:] = cv2.calcHist([plane], [0], None, [256],
                                  [0, 256]).reshape(-1)
        return torch.from_numpy(hist).to(torch.int64).view(n, c, 256)
    hist = torch.bincount(table_codes(x).flatten(), minlength=n * c * 256)
    return hist.view(n, c, 256).to(torch.int64)


def _table(values: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """A uint8 ``(n, C, 256)`` table from broadcastable float/int levels."""
    n, c = x.shape[:2]
    return values.expand(n, c, 256).to(torch.uint8)


def auto_contrast_lut(x, param, **kw):
    # only the lowest and highest level present per channel matter: a min
    # and a max pass instead of a histogram (torch.aminmax is 20x slower
    # than the two on the CPU)
    flat = x.flatten(2)
    low, high = flat.amin(-1), flat.amax(-1)
    return levels.autocontrast_lut(low.to(torch.int64),
                                   high.to(torch.int64)).to(torch.uint8)


def equalize_lut(x, param, **kw):
    return levels.equalize_lut(histograms(x)).to(torch.uint8)


def invert_lut(x, param, **kw):
    return _table(255.0 - _levels_like(x), x)


def solarize_lut(x, param, **kw):
    lv = _levels_like(x)
    thr = param.to(torch.float64).view(-1, 1, 1)
    return _table(torch.where(lv < thr, lv, 255.0 - lv), x)


def posterize_lut(x, param, **kw):
    if bool(((param < 0) | (param > 8)).any()):
        raise ValueError(f'param: Posterize bits must lie in [0, 8], got '
                         f'{param[(param < 0) | (param > 8)].tolist()}')
    shift = (8 - param.to(torch.int64)).view(-1, 1, 1)
    lv = _levels_like(x).to(torch.int64)
    return _table((lv >> shift) << shift, x)


def contrast_lut(x, param, order='rgb', **kw):
    grey = _grey(x, order).flatten(1)
    mean = levels.rounded_mean(grey.sum(1, dtype=torch.int64), grey.shape[1])
    degenerate = mean.to(torch.float32).view(-1, 1, 1)
    factor = param.to(torch.float32).view(-1, 1, 1)
    return _table(levels.blend(degenerate, _levels_like(x), factor), x)


def brightness_lut(x, param, **kw):
    factor = param.to(torch.float32).view(-1, 1, 1)
    lv = _levels_like(x)
    return _table(levels.blend(torch.zeros_like(lv), lv, factor), x)


def color(x, param, order='rgb', **kw):
    degenerate = _grey(x, order).to(torch.float32)[:, None].expand(x.shape)
    return levels.blend(degenerate, x.to(torch.float32), _per_sample(param))


def sharpness(x, param, **kw):
    n, c, h, w = x.shape
    degenerate = x
    if h >= 3 and w >= 3:  # PIL leaves images smaller than 3x3 as they are
        # 3x3 window sums as separable integer sums (13 * 255 < 2**15)
        xi = x.to(torch.int16)
        rows = xi[:, :, :-2] + xi[:, :, 1:-1] + xi[:, :, 2:]
        window = rows[..., :-2] + rows[..., 1:-1] + rows[..., 2:]
        degenerate = x.clone()
        degenerate[:, :, 1:-1, 1:-1] = levels.smooth_interior(
            window.to(torch.int32), xi[:, :, 1:-1, 1:-1]).to(torch.uint8)
    return levels.blend(
        degenerate.to(torch.float32), x.to(torch.float32), _per_sample(param))


def cutout(x, param, cutout_fill=None, generator=None, **kw):
    if bool((param < 0).any()):
        raise ValueError(f'param: Cutout side must be >= 0, got '
                         f'{param[param < 0].tolist()}')
    n, c, h, w = x.shape
    side = param.to(torch.float64) * w
    # the authors' order: centre x, then centre y, uniform over the image
    centre = torch.rand(
        2, n, generator=generator, device=x.device, dtype=torch.float64)
    bounds = levels.cutout_bounds(centre[0] * w, centre[1] * h, side, h, w)
    return _paint_squares(x, bounds, cutout_fill)


def clipped_cutout(x, param, cutout_fill=None, generator=None, **kw):
    if bool((param < 0).any()):
        raise ValueError(f'param: ClippedCutout side must be >= 0 (pixels), '
                         f'got {param[param < 0].tolist()}')
    n, c, h, w = x.shape
    # the per-image face's draws: centre x for every sample, then centre y
    u = torch.rand(
        2, n, generator=generator, device=x.device, dtype=torch.float64)
    size = torch.tensor([[w], [h]], device=x.device, dtype=torch.float64)
    centre = (u * size).trunc().to(torch.int64)
    x0, y0, x1, y1 = levels.clipped_cutout_bounds(
        centre[0], centre[1],
        param.to(torch.float64).trunc().to(torch.int64), h, w)
    return _paint_squares(x, (x0, y0, x1, y1), cutout_fill)


def _paint_squares(x, bounds, colour):
    """Paint the half-open square ``[y0:y1, x0:x1]`` of every sample."""
    n, c, h, w = x.shape
    x0, y0, x1, y1 = bounds
    cols = torch.arange(w, device=x.device)
    rows = torch.arange(h, device=x.device)
    inside_x = (cols >= x0[:, None]) & (cols < x1[:, None])
    inside_y = (rows >= y0[:, None]) & (rows < y1[:, None])
    square = (inside_y[:, :, None] & inside_x[:, None, :])[:, None]
    colour = torch.as_tensor(
        colour, dtype=x.dtype, device=x.device).view(1, c, 1, 1)
    return torch.where(square, colour, x)


def sample_pairing(x, param, pair=None, **kw):
    return levels.blend(
        x.to(torch.float32), pair.to(torch.float32), _per_sample(param))


LUT_BUILDERS = {
    'AutoContrast': auto_contrast_lut,
    'Invert': invert_lut,
    'Equalize': equalize_lut,
    'Solarize': solarize_lut,
    'Posterize': posterize_lut,
    'Contrast': contrast_lut,
    'Brightness': brightness_lut,
}

#: Pixel kernels that draw from the generator (one draw per sample of a
#: call, so they take their samples at once).
DRAWING_KERNELS = ('Cutout', 'ClippedCutout')

PIXEL_KERNELS = {
    'Color': color,
    'Sharpness': sharpness,
    'Cutout': cutout,
    'ClippedCutout': clipped_cutout,
    'SamplePairing': sample_pairing,
}
