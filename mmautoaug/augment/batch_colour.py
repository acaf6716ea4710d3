# Copyright (c) mmautoaug contributors. All rights reserved.
"""Batched kernels of the non-geometric ops (torch, any device).

Each kernel takes ``x``: float32 ``(n, C, H, W)`` integer grey levels in
[0, 255] (every sample gets the same op) and ``param``: ``(n,)`` float, and
returns float32 integer levels computed with the shared arithmetic of
:mod:`.levels`, so they agree with the per-image face (and PIL) exactly.
"""
import torch
import torch.nn.functional as F

from . import levels


def _per_sample(v: torch.Tensor) -> torch.Tensor:
    return v.to(torch.float32).view(-1, 1, 1, 1)


def _grey(x: torch.Tensor, order: str) -> torch.Tensor:
    """PIL's ``convert('L')`` of every sample: ``(n, H, W)`` int64."""
    xi = x.to(torch.int64)
    if x.shape[1] == 1:
        return xi[:, 0]
    r, b = (2, 0) if order == 'bgr' else (0, 2)
    return levels.luma(xi[:, r], xi[:, 1], xi[:, b])


def _apply_lut(x: torch.Tensor, lut: torch.Tensor) -> torch.Tensor:
    """Per-sample, per-channel lookup: ``lut`` is ``(n, C, 256)``."""
    flat = x.to(torch.int64).flatten(2)
    return torch.gather(lut, 2, flat).view_as(x).to(torch.float32)


def auto_contrast(x, param, **kw):
    flat = x.to(torch.int64).flatten(2)
    lut = levels.autocontrast_lut(flat.amin(-1), flat.amax(-1))
    return _apply_lut(x, lut)


def equalize(x, param, **kw):
    n, c = x.shape[:2]
    flat = x.to(torch.int64).reshape(n * c, -1)
    hist = torch.zeros(n * c, 256, dtype=torch.int64, device=x.device)
    hist.scatter_add_(1, flat, torch.ones_like(flat))
    return _apply_lut(x, levels.equalize_lut(hist).view(n, c, 256))


def invert(x, param, **kw):
    return 255.0 - x


def solarize(x, param, **kw):
    return torch.where(x < _per_sample(param), x, 255.0 - x)


def posterize(x, param, **kw):
    bits = param.to(torch.int64)
    if bool(((param < 0) | (param > 8)).any()):
        raise ValueError(f'param: Posterize bits must lie in [0, 8], got '
                         f'{param[(param < 0) | (param > 8)].tolist()}')
    shift = (8 - bits).view(-1, 1, 1, 1)
    return ((x.to(torch.int64) >> shift) << shift).to(torch.float32)


def contrast(x, param, order='rgb', **kw):
    grey = _grey(x, order).flatten(1)
    mean = torch.floor(grey.sum(1).double() / grey.shape[1] + 0.5)
    degenerate = _per_sample(mean).expand_as(x)
    return levels.blend(degenerate, x, _per_sample(param))


def color(x, param, order='rgb', **kw):
    degenerate = _grey(x, order).to(torch.float32)[:, None].expand_as(x)
    return levels.blend(degenerate, x, _per_sample(param))


def brightness(x, param, **kw):
    return levels.blend(torch.zeros_like(x), x, _per_sample(param))


def sharpness(x, param, **kw):
    n, c, h, w = x.shape
    degenerate = x
    if h >= 3 and w >= 3:  # PIL leaves images smaller than 3x3 as they are
        ones = x.new_ones(c, 1, 3, 3)
        window = F.conv2d(x, ones, groups=c)  # exact: integer sums < 2**24
        degenerate = x.clone()
        degenerate[:, :, 1:-1, 1:-1] = levels.smooth_interior(
            window, x[:, :, 1:-1, 1:-1])
    return levels.blend(degenerate, x, _per_sample(param))


def cutout(x, param, cutout_fill=None, generator=None, **kw):
    if bool((param < 0).any()):
        raise ValueError(f'param: Cutout side must be >= 0, got '
                         f'{param[param < 0].tolist()}')
    n, c, h, w = x.shape
    side = param.to(torch.float64) * w
    # the authors' order: centre x, then centre y, uniform over the image
    centre = torch.rand(
        2, n, generator=generator, device=x.device, dtype=torch.float64)
    x0, y0, x1, y1 = levels.cutout_bounds(centre[0] * w, centre[1] * h, side,
                                          h, w)
    cols = torch.arange(w, device=x.device)
    rows = torch.arange(h, device=x.device)
    inside_x = (cols >= x0[:, None]) & (cols < x1[:, None])
    inside_y = (rows >= y0[:, None]) & (rows < y1[:, None])
    square = (inside_y[:, :, None] & inside_x[:, None, :])[:, None]
    colour = torch.as_tensor(
        cutout_fill, dtype=torch.float32, device=x.device).view(1, c, 1, 1)
    return torch.where(square, colour, x)


def sample_pairing(x, param, pair=None, **kw):
    return levels.blend(x, pair, _per_sample(param))


def identity(x, param, **kw):
    return x


KERNELS = {
    'AutoContrast': auto_contrast,
    'Invert': invert,
    'Equalize': equalize,
    'Solarize': solarize,
    'Posterize': posterize,
    'Contrast': contrast,
    'Color': color,
    'Brightness': brightness,
    'Sharpness': sharpness,
    'Cutout': cutout,
    'SamplePairing': sample_pairing,
    'Identity': identity,
}
