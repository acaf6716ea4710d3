# Copyright (c) mmautoaug contributors. All rights reserved.
"""Batched face of the op library: torch ``(N, C, H, W)`` on any device.

One call applies a different op and parameter to every sample with no
Python loop over samples: the rows are sorted by op into contiguous blocks
(loops run over at most the 17 ops), the five geometric ops share one
gather with per-sample sampling coefficients, the seven level-table ops
one lookup, and one row gather restores the order. Every kernel replays
PIL as the per-image face does (:mod:`.levels`, :mod:`.geometry`), so the
two faces give the same pixels. :func:`augment_batch` maps normalised
magnitudes through a search space and adds DADA's straight-through
magnitude gradient.
"""
import functools
import itertools
import math
from typing import Mapping, Optional, Sequence, Union

import torch

from . import levels
from .batch_colour import (DRAWING_KERNELS, LUT_BUILDERS, PIXEL_KERNELS,
                           apply_tables)
from .geometry import (_float64_on, check_op, pil_affine_data,
                       pil_sampling_coefficients, source_indices)
from .resample import (check_interpolation, filtered_levels,
                       generic_coordinates)
from .spaces import (GEOMETRIC_OPS, INTERPOLATIONS, OP_PARAMS, SearchSpace,
                     get_space)

Fill = Union[int, Sequence[int]]


def apply_batch_op(images: torch.Tensor,
                   op_index: torch.Tensor,
                   param: torch.Tensor,
                   *,
                   ops: Sequence[str],
                   fill: Fill = (0, 0, 0),
                   cutout_fill: Fill = (125, 123, 114),
                   generator: Optional[torch.Generator] = None,
                   pair: Optional[torch.Tensor] = None,
                   channel_order: str = 'rgb',
                   interpolation: Union[str, Mapping[str, str]] = 'nearest',
                   op_fill: Optional[Mapping[str, Fill]] = None
                   ) -> torch.Tensor:
    """Apply ``ops[op_index[i]]`` with ``param[i]`` to every sample ``i``.

    Args:
        images (Tensor): ``(N, C, H, W)``, ``C`` in {1, 3}, uint8 or float
            with levels in [0, 255]. An applied op reads a float sample as
            the uint8 image it truncates to (as the per-image face would);
            Identity returns the sample untouched. Float batches outside
            [0, 255], with NaN, or scaled to [0, 1] are refused.
        op_index (Tensor): ``(N,)`` integer indices into ``ops``.
        param (Tensor): ``(N,)`` parameters, already signed (ignored for
            ops without one).
        ops (Sequence[str]): Op names, e.g. ``space.ops``.
        fill (int | tuple[int]): (R, G, B) of pixels from outside the image.
        cutout_fill (int | tuple[int]): (R, G, B) of the Cutout square.
        generator (torch.Generator, optional): Draws Cutout centres (on the
            images' device).
        pair (Tensor, optional): ``(N, C, H, W)`` images that SamplePairing
            mixes in; required when any sample's op is SamplePairing.
        channel_order (str): ``'rgb'`` or ``'bgr'``.
        interpolation (str | Mapping[str, str]): PIL's resampling filter of
            the geometric ops (see :func:`~.image_ops.apply_image_op`): one
            for all, or per op name (ops not named use ``'nearest'``).
        op_fill (Mapping[str, colour], optional): Per op name, a fill colour
            that replaces ``fill`` for that op.

    Returns:
        Tensor: The augmented batch, same shape, dtype and device.

    Examples:
        >>> x = torch.full((2, 3, 4, 4), 100, dtype=torch.uint8)
        >>> out = apply_batch_op(x, torch.tensor([0, 1]),
        ...                      torch.tensor([1.5, 0.0]),
        ...                      ops=['Brightness', 'Invert'])
        >>> out[:, 0, 0, 0].tolist()
        [150, 155]
    """
    ops = [check_op(op) for op in ops]
    n = _check_batch(images, channel_order, op_index=op_index, param=param)
    check_generator(generator, images.device)
    if n == 0:
        return images.clone()
    if bool(((op_index < 0) | (op_index >= len(ops))).any()):
        raise ValueError(f'op_index: values must lie in [0, {len(ops)}) '
                         f'(indices into ops={ops})')
    takes = torch.tensor([OP_PARAMS[op] for op in ops], device=param.device)
    if param.is_floating_point() and bool(
        (~torch.isfinite(param) & takes[op_index.to(param.device)]).any()):
        raise ValueError('param: ops that take a parameter need finite '
                         'values, got NaN or inf')
    colours = {
        k: _colour(v, images.shape[1], channel_order, k)
        for k, v in dict(fill=fill, cutout_fill=cutout_fill).items()
    }
    filters = _per_op_interpolation(interpolation)
    fills = {
        op: _colour(v, images.shape[1], channel_order, f'op_fill[{op!r}]')
        for op, v in (op_fill or {}).items() if check_op(op)
    }
    op_index = op_index.to(images.device, torch.int64)
    # samples sorted so that each op, and each kind of op (Identity, warps
    # of each filter, level tables, pixel kernels), is one contiguous block
    # of rows
    kinds = sorted(range(len(ops)),
                   key=lambda k: (_kind(ops[k], filters), k))
    rank = torch.empty(len(ops), dtype=torch.int64)
    rank[torch.tensor(kinds, dtype=torch.int64)] = torch.arange(len(ops))
    key = rank.to(images.device)[op_index]
    order = torch.argsort(key, stable=True)
    counts = torch.bincount(key, minlength=len(ops)).tolist()
    blocks, start = [], 0
    for k, count in zip(kinds, counts):
        if count:
            blocks.append((ops[k], slice(start, start + count)))
        start += count
    if [op for op, _ in blocks] == ['Identity']:
        return images.clone()
    param = param.to(images.device).index_select(0, order)
    # each piece of a block gathers its rows, and its results are put back
    # in the callers' order: the output is the one batch-sized buffer (a
    # sorted copy would be a second one, whose page faults cost more than
    # the level tables at 224x224 on the CPU)
    out = torch.empty(
        images.shape, dtype=images.dtype, device=images.device)
    # on the CPU, blocks are worked through in pieces that keep the
    # temporaries of a kernel in cache (about 3x faster at 224x224)
    per = _rows_per_piece(images, _PIECE_LEVELS)
    for kind, run in itertools.groupby(blocks,
                                       key=lambda b: _kind(b[0], filters)):
        run = list(run)
        span = slice(run[0][1].start, run[-1][1].stop)
        if kind == 0:  # Identity: the rows as they are
            _put_rows(out, order[span], _take_rows(images, order[span]))
        elif kind <= len(INTERPOLATIONS):  # one gather per filter (piece)
            warp = _warp if kind == 1 else _warp_filtered
            for piece, groups in _pieces(run, per):
                x = _quantised(_take_rows(images, order[piece]))
                row_fill = torch.tensor(
                    [fills.get(op, colours['fill']) for op, _ in groups],
                    dtype=x.dtype, device=x.device).repeat_interleave(
                        torch.tensor([sl.stop - sl.start for _, sl in groups],
                                     device=x.device),
                        dim=0, output_size=len(x))
                _put_rows(out, order[piece],
                          warp(x, groups, param, row_fill,
                               INTERPOLATIONS[kind - 1]))
        elif kind == len(INTERPOLATIONS) + 1:  # one lookup for all tables
            for piece, groups in _pieces(
                    run, _rows_per_piece(images, _TABLE_PIECE_LEVELS)):
                x = _quantised(_take_rows(images, order[piece]))
                tables = [
                    LUT_BUILDERS[op](
                        x[_local(sl, piece)], param[sl], order=channel_order)
                    for op, sl in groups
                ]
                _put_rows(out, order[piece],
                          apply_tables(x, torch.cat(tables)))
        else:
            for op, sl in run:
                # kernels that draw (Cutout) take their block at once, so
                # that the draws do not depend on the piece size
                for piece, _ in _pieces([(op, sl)], n
                                        if op in DRAWING_KERNELS else per):
                    extra = {}
                    if op == 'SamplePairing':
                        extra['pair'] = _quantised(
                            _take_rows(
                                _check_pair(pair, images), order[piece]))
                    x = _quantised(_take_rows(images, order[piece]))
                    _put_rows(
                        out, order[piece], PIXEL_KERNELS[op](
                            x,
                            param[piece],
                            order=channel_order,
                            cutout_fill=colours['cutout_fill'],
                            generator=generator,
                            **extra))
    return out


#: On the CPU a kernel sees at most about this many levels (rows x C x H x
#: W) at once, at least one sample: the measured optimum is 2**17 - 2**19
#: for 32x32 and 224x224 images (1 core), where the temporaries (int32 or
#: float32, a few times the input) stay in the core's cache. Other devices
#: take whole blocks.
_PIECE_LEVELS = 1 << 19
#: The level tables work plane by plane with few temporaries (OpenCV on
#: the CPU): larger pieces, fewer calls of the table builders.
_TABLE_PIECE_LEVELS = 1 << 21


def _rows_per_piece(x: torch.Tensor, levels: int) -> int:
    if x.device.type != 'cpu':
        return max(1, len(x))
    return max(1, levels // max(1, x[0].numel()))


def _pieces(run, per: int):
    """Consecutive pieces of at most ``per`` rows of the span of ``run``
    (``(op, rows)`` slices), each with the ``(op, rows)`` slices it
    covers."""
    start, stop = run[0][1].start, run[-1][1].stop
    for a in range(start, stop, per):
        b = min(stop, a + per)
        yield slice(a, b), [(op, slice(max(a, sl.start), min(b, sl.stop)))
                            for op, sl in run
                            if sl.start < b and sl.stop > a]


def _colour(value, channels: int, order: str, name: str) -> list:
    """:func:`levels.fill_levels` as a list, remembered per colour (its
    checks cost more than a small batch's ops)."""
    key = tuple(value) if isinstance(value, (list, tuple)) else value
    try:
        return list(_cached_colour(key, channels, order, name))
    except TypeError:  # unhashable (e.g. an array): not remembered
        return levels.fill_levels(value, channels, order, name).tolist()


@functools.lru_cache(maxsize=256)
def _cached_colour(value, channels: int, order: str, name: str) -> tuple:
    return tuple(levels.fill_levels(value, channels, order, name).tolist())


def _local(sl: slice, piece: slice) -> slice:
    """``sl`` (rows of the sorted batch) as rows of ``piece``."""
    return slice(sl.start - piece.start, sl.stop - piece.start)


def _take_rows(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """A fresh ``x[index]`` (whole rows; contiguous)."""
    return x.index_select(0, index).contiguous()


def _put_rows(out: torch.Tensor, index: torch.Tensor,
              values: torch.Tensor) -> None:
    """``out[index] = values``, whole rows at a time.

    ``index_copy_`` copies element by element on the CPU (about 0.5 ns a
    byte): large rows are copied one by one instead (a memcpy each), small
    ones as int32 words where they divide into them (4x fewer elements).
    """
    values = values.to(out.dtype)
    if out.device.type == 'cpu':
        row_bytes = values[0].numel() * values.element_size()
        if row_bytes >= 1 << 14:
            for src, dst in enumerate(index.tolist()):
                out[dst].copy_(values[src])
            return
        if row_bytes % 4 == 0 and values.is_contiguous():
            out.view(len(out), -1).view(torch.int32).index_copy_(
                0, index,
                values.view(len(values), -1).view(torch.int32))
            return
    out.index_copy_(0, index, values)


def _kind(op: str, filters: dict) -> int:
    """0 Identity, 1..3 warps by filter (nearest, bilinear, bicubic), then
    level tables, then pixel kernels."""
    if op == 'Identity':
        return 0
    if op in GEOMETRIC_OPS:
        return 1 + INTERPOLATIONS.index(filters.get(op, 'nearest'))
    return len(INTERPOLATIONS) + (1 if op in LUT_BUILDERS else 2)


def _per_op_interpolation(interpolation) -> dict:
    """``{op: filter}`` from one filter name or a mapping (checked)."""
    if isinstance(interpolation, str):
        check_interpolation(interpolation)
        return {op: interpolation for op in GEOMETRIC_OPS}
    if not isinstance(interpolation, Mapping):
        raise TypeError(f'interpolation: expected a filter name or a mapping '
                        f'op -> filter, got {type(interpolation).__name__}')
    for op, name in interpolation.items():
        check_op(op)
        check_interpolation(name, f'interpolation[{op!r}]')
        if name != 'nearest' and op not in GEOMETRIC_OPS:
            raise ValueError(f'interpolation[{op!r}]: {name!r} applies to '
                             f'geometric ops only {GEOMETRIC_OPS}')
    return dict(interpolation)


def _check_batch(images, channel_order, **vectors) -> int:
    if not isinstance(images, torch.Tensor):
        raise TypeError(f'images: expected a torch.Tensor (N, C, H, W), got '
                        f'{type(images).__name__}')
    if images.ndim != 4 or images.shape[1] not in (1, 3):
        raise ValueError(f'images: shape {tuple(images.shape)} is not '
                         f'supported; allowed: (N, C, H, W) with C in (1, 3)')
    if not (images.dtype == torch.uint8 or images.is_floating_point()):
        raise TypeError(f'images: dtype {images.dtype}; allowed: uint8 or a '
                        f'floating point dtype with levels in [0, 255]')
    if images.shape[0] and (images.shape[2] == 0 or images.shape[3] == 0):
        raise ValueError(f'images: empty images of shape '
                         f'{tuple(images.shape)}')
    _check_levels(images)
    n = images.shape[0]
    for name, v in vectors.items():
        if not isinstance(v, torch.Tensor) or tuple(v.shape) != (n, ):
            shape = tuple(v.shape) if isinstance(
                v, torch.Tensor) else type(v).__name__
            raise ValueError(f'{name}: expected a tensor of shape ({n},) '
                             f'(one per image), got {shape}')
    op_index = vectors['op_index']
    if op_index.is_floating_point() or op_index.dtype == torch.bool:
        raise TypeError(f'op_index: dtype {op_index.dtype}; allowed: an '
                        f'integer dtype')
    if channel_order not in ('rgb', 'bgr'):
        raise ValueError(f"channel_order: {channel_order!r}; allowed: "
                         f"'rgb', 'bgr'")
    return n


def check_generator(generator: Optional[torch.Generator],
                    device: torch.device) -> None:
    """Refuse a generator that cannot draw for images on ``device``.

    torch draws on the generator's own device, so a CPU generator cannot
    draw a GPU batch's signs, Cutout centres or applications (and vice
    versa); the caller makes one with ``torch.Generator(device=...)``.

    Examples:
        >>> check_generator(torch.Generator(), torch.device('cpu'))
        >>> check_generator(0, torch.device('cpu'))
        Traceback (most recent call last):
        ...
        TypeError: generator: expected a torch.Generator or None, got int
    """
    if generator is None:
        return
    if not isinstance(generator, torch.Generator):
        raise TypeError('generator: expected a torch.Generator or None, got '
                        f'{type(generator).__name__}')
    device = torch.device(device)
    if generator.device.type != device.type:
        raise ValueError(
            f'generator: it draws on {generator.device}, the images are on '
            f'{device}; pass torch.Generator(device={str(device)!r})')


def _check_levels(images: torch.Tensor) -> None:
    """Float batches must hold levels in [0, 255], as uint8 ones do.

    Images scaled to [0, 1] would be floored to 0/1 by the ops, and
    normalised ones (negative values) clamped: both silently wrong, so both
    are refused. A float batch counts as [0, 1]-scaled when all its values
    lie in [0, 1] and some are fractions (a [0, 255] batch that dark is
    not a real image batch).
    """
    if not images.is_floating_point() or images.numel() == 0:
        return
    lo, hi = torch.stack(torch.aminmax(images.detach())).tolist()
    if math.isnan(lo) or math.isnan(hi):
        raise ValueError('images: the batch contains NaN; allowed: levels in '
                         '[0, 255]')
    if lo < 0 or hi > 255:
        raise ValueError(
            f'images: float values must be levels in [0, 255], got min '
            f'{lo:.4g}, max {hi:.4g}; augment before normalising (or pass '
            'uint8)')
    if hi <= 1 and bool((images.detach() != images.detach().floor()).any()):
        raise ValueError(
            f'images: all float values lie in [0, 1] (max {hi:.4g}): images '
            'scaled to [0, 1]? The ops read levels in [0, 255]; multiply by '
            '255 (or pass uint8)')


def _check_values(name: str, values: torch.Tensor, ok: torch.Tensor,
                  allowed: str) -> None:
    """Raise naming the first sample where ``ok`` is False."""
    bad = ~ok
    if bool(bad.any()):
        i = int(bad.nonzero()[0, 0])
        raise ValueError(f'{name}: got {float(values[i]):.6g} at sample '
                         f'{i}; allowed: {allowed}')


def _check_pair(pair, images):
    if pair is None:
        raise ValueError('pair: SamplePairing needs the images to mix in')
    if not isinstance(pair, torch.Tensor) or pair.shape != images.shape:
        shape = tuple(pair.shape) if isinstance(
            pair, torch.Tensor) else type(pair).__name__
        raise ValueError(f'pair: expected shape {tuple(images.shape)}, got '
                         f'{shape}')
    return pair.to(images.device)


def _quantised(x: torch.Tensor) -> torch.Tensor:
    """uint8 levels: the uint8 image a (float) sample truncates to."""
    if x.dtype == torch.uint8:
        return x
    return torch.floor(x.clamp(0, 255)).to(torch.uint8)


def _warp(x, groups, param, fill, interpolation='nearest') -> torch.Tensor:
    """One gather for all geometric samples, PIL's sampler per sample.

    ``groups`` are ``(op, rows)`` slices of ``param`` covering ``x``;
    ``fill`` is ``(N, C)``, each row's fill levels.

    Source indices outside the image are clamped to -1 / size and read
    from a one-pixel frame of the fill colour.
    """
    n, c, h, w = x.shape
    # one integer sampler for all groups (their affine data concatenated)
    data = zip(*[pil_affine_data(op, param[sl], h, w) for op, sl in groups])
    coef = pil_sampling_coefficients(tuple(torch.cat(v) for v in data))
    # int32 like PIL's own sampler halves the memory traffic; int64 for
    # images so large that 16.16 coordinates could overflow it
    itype = torch.int32 if max(h, w) < 8192 else torch.int64
    coef = [v.to(itype).view(-1, 1, 1) for v in coef]
    xs = torch.arange(w, device=x.device, dtype=itype).view(1, 1, w)
    ys = torch.arange(h, device=x.device, dtype=itype).view(1, h, 1)
    xin, yin = source_indices(coef, xs, ys)
    flat = (yin.clamp_(-1, h) + 1) * (w + 2) + xin.clamp_(-1, w) + 1
    flat = flat.to(torch.int64)
    framed = fill.view(n, c, 1, 1).repeat(1, 1, h + 2, w + 2)
    framed[:, :, 1:-1, 1:-1] = x
    flat = flat.view(n, 1, h * w).expand(n, c, h * w)
    return torch.gather(framed.flatten(2), 2, flat).view(n, c, h, w)


def _warp_filtered(x, groups, param, fill, interpolation) -> torch.Tensor:
    """PIL's bilinear / bicubic affine filter per sample (:mod:`.resample`).

    Same arguments as :func:`_warp`.
    """
    n, c, h, w = x.shape
    fdtype = _float64_on(x.device)
    data = [
        torch.cat(parts).to(fdtype).view(-1, 1)
        for parts in zip(*[
            pil_affine_data(op, param[sl], h, w) for op, sl in groups
        ])
    ]
    grid_y, grid_x = torch.meshgrid(
        torch.arange(h, device=x.device, dtype=fdtype),
        torch.arange(w, device=x.device, dtype=fdtype), indexing='ij')
    xx, yy = generic_coordinates(data, grid_x.reshape(1, -1),
                                 grid_y.reshape(1, -1))
    flat = x.flatten(2).to(fdtype)  # once, not per tap

    def gather(rows, cols):
        index = (rows * w + cols).unsqueeze(1).expand(n, c, h * w)
        return torch.gather(flat, 2, index)

    values, inside = filtered_levels(gather, xx, yy, h, w, interpolation,
                                     lambda t: t.unsqueeze(1))
    out = torch.where(inside.unsqueeze(1), values,
                      fill.to(fdtype).unsqueeze(2))
    return out.to(x.dtype).view(n, c, h, w)


def augment_batch(images: torch.Tensor,
                  space: Union[str, SearchSpace],
                  op_index: torch.Tensor,
                  magnitude: torch.Tensor,
                  applied: torch.Tensor,
                  *,
                  sign: Optional[torch.Tensor] = None,
                  generator: Optional[torch.Generator] = None,
                  straight_through: bool = True,
                  pair: Optional[torch.Tensor] = None,
                  channel_order: str = 'rgb') -> torch.Tensor:
    """Apply a space's ops with normalised magnitudes where ``applied``.

    The VALUE is the augmented image where ``applied`` (the input
    elsewhere); the GRADIENT of the output w.r.t. ``magnitude`` is DADA's
    straight-through estimator: ``d out / d m = 1`` for every pixel of an
    applied sample, 0 elsewhere (Li et al., ECCV 2020, Sec. 3.3). A float
    ``applied`` that requires grad also gets ``d out / d applied = aug - x``
    for every sample (the relaxed Bernoulli of DADA; the op is then
    computed for all samples).

    Args:
        images (Tensor): ``(N, C, H, W)`` uint8 or float levels in [0, 255];
            float when a gradient is wanted. Float batches outside
            [0, 255], with NaN, or scaled to [0, 1] are refused.
        space (str | SearchSpace): The space ``op_index`` indexes.
        op_index (Tensor): ``(N,)`` indices into ``space.ops``.
        magnitude (Tensor): ``(N,)`` normalised magnitudes in [0, 1], for
            every sample, applied or not (NaN is refused).
        applied (Tensor): ``(N,)`` bool or 0/1; a float in [0, 1] when it
            requires grad (relaxed).
        sign (Tensor, optional): ``(N,)`` +1/-1 for signed ops; drawn with
            probability 0.5 each when None (the random mirror).
        generator (torch.Generator, optional): For signs and Cutout.
        straight_through (bool): Attach the magnitude gradient.
        pair (Tensor, optional): SamplePairing's images; by default each
            image is paired with the next one in the (shuffled) batch,
            ``images.roll(1, 0)``, as AutoAugment mixes in another training
            image.
        channel_order (str): ``'rgb'`` or ``'bgr'``.

    Returns:
        Tensor: ``(N, C, H, W)``, same dtype as ``images``.
    """
    space = get_space(space)
    n = _check_batch(
        images,
        channel_order,
        op_index=op_index,
        magnitude=magnitude,
        applied=applied,
        **({} if sign is None else dict(sign=sign)))
    check_generator(generator, images.device)
    if n and bool(((op_index < 0) | (op_index >= len(space))).any()):
        raise ValueError(f'op_index: values must lie in [0, {len(space)}) '
                         f'(indices into the {space.name!r} space: '
                         f'{list(space.ops)})')
    relaxed = applied.is_floating_point() and applied.requires_grad
    if n:
        # NaN fails every comparison, so it is refused here too
        m = magnitude.detach()
        _check_values('magnitude', m, (m >= 0) & (m <= 1),
                      'finite numbers in [0, 1]')
        if sign is not None:
            _check_values('sign', sign, (sign == 1) | (sign == -1),
                          '+1 or -1')
        a = applied.detach()
        if relaxed:
            _check_values('applied', a, (a >= 0) & (a <= 1),
                          'numbers in [0, 1] (a relaxed Bernoulli)')
        elif a.dtype != torch.bool:
            _check_values('applied', a, (a == 0) | (a == 1),
                          'bool, or 0 / 1 (a float in [0, 1] only when it '
                          'requires grad)')
    device = images.device
    if sign is None:
        sign = torch.randint(
            0, 2, (n, ), generator=generator, device=device) * 2 - 1
    m = magnitude.detach().to(device, torch.float64)
    sign = sign.to(device, torch.float64)
    op_index = op_index.to(device, torch.int64)
    param = torch.zeros(n, dtype=torch.float64, device=device)
    height, width = images.shape[-2:]
    # the ranges of the ops that occur (a policy uses few of a space's)
    present = torch.bincount(op_index, minlength=len(space)).tolist()
    for k, r in enumerate(space.ranges):
        if r.takes_magnitude and present[k]:
            # ranges in pixels (baseline spaces) need the image size
            value = r.param(m, sign, size=r.axis_length(height, width))
            param = torch.where(op_index == k, value, param)
    grad_wanted = straight_through and magnitude.requires_grad
    if (grad_wanted or relaxed) and not images.is_floating_point():
        raise TypeError('images: a uint8 batch cannot carry a gradient; '
                        'pass float levels in [0, 255]')
    applied = applied.to(device)
    # samples not applied take Identity (one extra op index), so one call
    # returns the whole batch; a relaxed ``applied`` needs ``aug - x`` for
    # every sample
    ops = tuple(space.ops) + ('Identity', )
    if not relaxed:
        op_index = torch.where(applied != 0, op_index, len(space.ops))
    if pair is None and 'SamplePairing' in space and bool(
        (op_index == space.ops.index('SamplePairing')).any()):
        pair = images.roll(1, 0)  # a batch-sized copy: only when needed
    aug = apply_batch_op(
        images,
        op_index,
        param,
        ops=ops,
        fill=space.fill,
        cutout_fill=space.cutout_fill,
        generator=generator,
        pair=pair,
        channel_order=channel_order,
        interpolation={op: space.interpolation_for(op)
                       for op in space.ops},
        op_fill={op: space.fill_for(op) for op in space.ops}).detach()
    ste = (magnitude - magnitude.detach()).to(device, images.dtype).view(
        n, 1, 1, 1) if grad_wanted else None
    if relaxed:
        a = applied.to(images.dtype).view(n, 1, 1, 1)
        aug = aug if ste is None else aug + ste
        return a * aug + (1 - a) * images
    if ste is None and not images.requires_grad:
        return aug
    # value unchanged (both terms are exactly 0); gradients: 1 w.r.t. the
    # magnitude on applied samples, the identity w.r.t. the input elsewhere
    mask = (applied != 0).to(images.dtype).view(n, 1, 1, 1)
    if ste is not None:
        aug = aug + ste * mask
    if images.requires_grad:
        aug = aug + (images - images.detach()) * (1 - mask)
    return aug


def apply_sub_policies(images: torch.Tensor,
                       space: Union[str, SearchSpace],
                       op_index: torch.Tensor,
                       prob: torch.Tensor,
                       magnitude: torch.Tensor,
                       *,
                       generator: Optional[torch.Generator] = None,
                       pair: Optional[torch.Tensor] = None,
                       channel_order: str = 'rgb') -> torch.Tensor:
    """Apply one sub-policy per sample: its K ops in order, each with its
    probability.

    Args:
        images (Tensor): ``(N, C, H, W)`` uint8 or float levels.
        space (str | SearchSpace): The space the indices refer to.
        op_index (Tensor): ``(N, K)`` indices into ``space.ops``.
        prob (Tensor): ``(N, K)`` probabilities of applying each op.
        magnitude (Tensor): ``(N, K)`` normalised magnitudes.
        generator (torch.Generator, optional): For every random draw.
        pair (Tensor, optional): SamplePairing's images (see
            :func:`augment_batch`).
        channel_order (str): ``'rgb'`` or ``'bgr'``.

    Returns:
        Tensor: The augmented batch (straight-through gradient w.r.t.
        ``magnitude`` when it requires grad).

    Examples:
        >>> x = torch.randint(0, 256, (8, 3, 32, 32), dtype=torch.uint8)
        >>> idx = torch.zeros(8, 2, dtype=torch.long)  # ShearX twice
        >>> out = apply_sub_policies(x, 'fastaa', idx, torch.ones(8, 2),
        ...                          torch.full((8, 2), 0.5))
        >>> bool((out == x).all())  # magnitude 0.5 is a zero shear
        True
    """
    if op_index.ndim != 2 or prob.shape != op_index.shape or (
            magnitude.shape != op_index.shape) or (len(op_index)
                                                   != len(images)):
        raise ValueError(
            f'op_index, prob, magnitude: expected equal shapes (N, K) with '
            f'N={len(images)}, got {tuple(op_index.shape)}, '
            f'{tuple(prob.shape)}, {tuple(magnitude.shape)}')
    check_generator(generator, images.device)
    p = prob.detach()
    bad = ~((p >= 0) & (p <= 1))  # NaN too
    if bool(bad.any()):
        i, k = bad.nonzero()[0].tolist()
        raise ValueError(f'prob: got {float(p[i, k]):.6g} at sample {i}, op '
                         f'{k}; allowed: finite numbers in [0, 1]')
    for k in range(op_index.shape[1]):
        draw = torch.rand(
            len(images), generator=generator, device=images.device)
        applied = draw < prob[:, k].to(images.device)
        images = augment_batch(
            images,
            space,
            op_index[:, k],
            magnitude[:, k],
            applied,
            generator=generator,
            pair=pair,
            channel_order=channel_order)
    return images
