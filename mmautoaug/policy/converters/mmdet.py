# Copyright (c) mmautoaug contributors. All rights reserved.
"""Policies <-> mmdet 3.x ``AutoAugment`` configs.

mmdet's op transforms (``mmdet/datasets/transforms/geometric.py`` and
``colorspace.py``) read an integer ``level`` in 0..10 as
``round(level / 10 * (max_mag - min_mag) + min_mag, 1)``: every magnitude is
rounded to one decimal, in the op's own unit. We write each op as
``level=10, min_mag=0.0, max_mag=<our value in mmdet's unit>`` (the finest
mmdet can state) and warn with the size of every rounding:

==============  =========================================  ================
our op          mmdet transform, unit of ``max_mag``       rounding effect
==============  =========================================  ================
ShearX / Y      ``ShearX/Y``: degrees, ``tan`` -> factor   0.05 deg
TranslateX / Y  ``TranslateX/Y``: fraction of the size     up to 0.05 x size
Rotate          ``Rotate``: degrees                        up to 0.05 deg
Solarize        ``Solarize``: threshold                    up to 0.05
Posterize       ``Posterize``: bits (``ceil``-ed)          exact
Contrast, ...   ``Contrast/Color/Brightness/Sharpness``:   up to 0.05
                the factor itself
Cutout          ``RandomApply(CutOut(cutout_ratio))``      placement [1]
SamplePairing   none                                       dropped
==============  =========================================  ================

Geometric ops get ``reversal_prob=0.5`` (our random mirror) and the op's
own ``interpolation`` and ``img_border_value`` in the space (``'nearest'``
and the space's fill, unless the space gives the op its own, as the ``aws``
space's bicubic shears and black Rotate; mmcv samples bilinear and bicubic
with OpenCV's kernels, not PIL's, with a warning).
Factors with a random sign (aws space, ``1 +/- d``) become a
``RandomChoice`` between ``1 + d`` and ``1 - d``, which is exact. mmdet's
``AutoAugment`` takes sub-policy weights (``prob``), so those are exact.

[1] mmdet's ``CutOut`` places its rectangle by the top-left corner and takes
a ratio per axis; ours is a square of side ``fraction x width`` centred at a
random pixel and clipped.

Ops that draw their magnitude (``magnitude_dist``, the baselines) use
mmdet's random level (``level=None``: uniform between ``min_mag`` and
``max_mag``, rounded to 0.1): exact up to that rounding for a continuous
uniform of a linear op; discrete levels, normal draws and shears (uniform in
degrees, not in the factor) are approximated with a warning. Ranges in
absolute pixels (TrivialAugment's translate) have no mmdet counterpart and
are refused (use :class:`~mmautoaug.detection.DetPolicyAugment`).
"""
import inspect
import math
from typing import Any, Dict, List, Optional, Tuple, Union

from mmautoaug.augment.spaces import get_space
from ..errors import PolicyError, closest_name
from ..policy import Policy, PolicyOp
from ._common import (Notes, assemble_policy, clean, fill_in_order,
                      is_number, kernel_note, magnitude_for, number, op_fill,
                      op_value, scoped, short, type_name)

#: mmdet's ``_MAX_LEVEL``: levels run from 0 to 10.
_MAX_LEVEL = 10

_GEOMETRIC = ('ShearX', 'ShearY', 'TranslateX', 'TranslateY', 'Rotate')
_FACTORS = ('Contrast', 'Color', 'Brightness', 'Sharpness')
_PLAIN = ('AutoContrast', 'Invert', 'Equalize')
_SUPPORTED = _GEOMETRIC + _FACTORS + _PLAIN + ('Solarize', 'Posterize')
_UNITS = {'ShearX': ' deg', 'ShearY': ' deg', 'Rotate': ' deg',
          'TranslateX': ' x width', 'TranslateY': ' x height'}


def to_mmdet(policy: Policy,
             channel_order: str = 'bgr',
             scope: Optional[str] = 'mmdet',
             strict: bool = False) -> Dict[str, Any]:
    """A mmdet pipeline transform config that applies ``policy`` to the
    image, boxes, masks and segmentation maps.

    Args:
        policy (Policy): The policy.
        channel_order (str): ``'bgr'`` (mmdet's loading) or ``'rgb'``: the
            order of ``img_border_value`` and Cutout's ``fill_in``.
        scope (str, optional): Prefix of the op types (``'mmdet.Rotate'``);
            ``None`` writes bare names for ``default_scope='mmdet'``.
        strict (bool): Raise instead of warning when a magnitude changes.

    Returns:
        dict: ``dict(type='mmdet.AutoAugment', policies=..., prob=...)``.

    Examples:
        >>> policy = Policy('fastaa', [[('Rotate', 0.5, 0.75)]])
        >>> to_mmdet(policy)['policies'][0][0]['max_mag']
        15.0
    """
    space = policy.space
    notes = Notes('to_mmdet', strict)
    cut_fill = fill_in_order(space.cutout_fill, channel_order)
    subs = []
    for i, sub in enumerate(policy.sub_policies):
        out = []
        for j, op in enumerate(sub):
            where = f'sub_policies[{i}][{j}]'
            cfg = _op_to_mmdet(space, op, scope, channel_order, cut_fill,
                               where, notes)
            if cfg is not None:
                out.append(cfg)
        if not out:
            # mmdet refuses empty sub-policies; a never-applied op is exact.
            out.append(dict(type=scoped('Equalize', scope), prob=0.0))
        subs.append(out)
    notes.finish()
    weights = None if policy.weights is None else [
        float(w) for w in policy.probabilities()
    ]
    return dict(type=scoped('AutoAugment', scope), policies=subs,
                prob=weights)


def from_mmdet(cfg: Union[Dict[str, Any], List[List[Dict[str, Any]]]],
               space: str = 'fastaa',
               channel_order: str = 'bgr',
               strict: bool = False,
               meta: Optional[Dict[str, Any]] = None) -> Policy:
    """Read a mmdet ``AutoAugment`` config (or its list of sub-policies).

    Args:
        cfg (dict | list): ``dict(type='AutoAugment', policies=..., prob=...)``
            (mmdet's default ``policies_v0()`` when ``policies`` is absent)
            or the bare list of sub-policies.
        space (str): The space to express the magnitudes in.
        channel_order (str): Channel order of ``img_border_value``.
        strict (bool): Raise instead of warning on inexact parts.
        meta (dict, optional): Metadata for the policy.

    Returns:
        Policy: The policy.
    """
    target = get_space(space)
    notes = Notes('from_mmdet', strict)
    subs_cfg, weights = _unwrap(cfg)
    cut_fill = fill_in_order(target.cutout_fill, channel_order)
    return assemble_policy(
        target, subs_cfg,
        lambda t, where: _read(t, target, channel_order, cut_fill, where,
                               notes),
        notes, weights, meta, 'mmdet')


# ---------------------------------------------------------------------- #
def _mmdet_unit(op: str, value: float) -> float:
    """Our parameter -> the unit of mmdet's magnitude."""
    if op in ('ShearX', 'ShearY'):
        return math.degrees(math.atan(value))
    return value


def _our_unit(op: str, mag: float) -> float:
    """mmdet's magnitude -> our parameter."""
    if op in ('ShearX', 'ShearY'):
        return math.tan(math.radians(mag))
    if op == 'Posterize':
        return float(math.ceil(mag))
    return mag


def _level_cfg(op: str, prob: float, value: float, scope, where: str,
               notes: Notes) -> Dict[str, Any]:
    mag = _mmdet_unit(op, value)
    applied = _our_unit(op, round(mag, 1))
    if abs(applied - value) > 1e-6 * max(1.0, abs(value)):
        notes.add(where, f'{op} {value:.6g} becomes {applied:.6g} (change '
                  f'{applied - value:+.4g}): mmdet rounds its magnitude '
                  f'{mag:.6g}{_UNITS.get(op, "")} to 0.1')
    return dict(type=scoped(op, scope), prob=float(prob), level=10,
                min_mag=0.0, max_mag=clean(mag))


def _ratio(r, magnitude: float) -> float:
    """A ``'size_pixels'`` range's value as a ratio of the size, before its
    whole-pixel rounding (what mmdet's translate takes)."""
    return r.low + magnitude * (r.high - r.low)


def _random_level_cfg(space, op: PolicyOp, scope, where: str,
                      notes: Notes):
    """mmdet's random level for an op with a ``magnitude_dist``: the
    config(s) of ``level=None`` between the values at the distribution's
    ends, as ``(low, high)`` pairs of ``(cfg_lo, cfg_hi)``."""
    r = space.range(op.op)
    dist = op.magnitude_dist
    if dist.type == 'normal':
        notes.add(where, f'{op.op}: a normal draw around {op.magnitude:.4g} '
                  f'(std {dist.std:.4g}) becomes a uniform draw over '
                  '+/-2 std (mmdet draws levels uniformly)')
        lo = max(0.0, op.magnitude - 2 * dist.std)
        hi = min(1.0, op.magnitude + 2 * dist.std)
    else:
        lo, hi = dist.low, dist.high
        if dist.bins is not None:
            notes.add(where, f'{op.op}: one of {dist.bins} levels becomes a '
                      'continuous uniform draw (mmdet draws continuously)')
    if r.rounding or r.unit:
        notes.add(where, f'{op.op}: the space rounds the drawn value '
                  f'({r.rounding or "none"}, unit {r.unit or "-"}); mmdet '
                  'applies it unrounded')
    if op.op in ('ShearX', 'ShearY'):
        notes.add(where, f'{op.op}: uniform in degrees (mmdet) rather than '
                  'in the shear factor')
    values = [_ratio(r, m) if r.unit else float(r.param(m)) for m in (lo, hi)]
    if r.signed:
        # mmdet draws the distance from the identity, then a random sign
        values = [v - (0.0 if r.unit else r.center) for v in values]
        if values[0] < 0 < values[1] or values[1] < 0 < values[0]:
            if abs(abs(values[0]) - abs(values[1])) > 1e-9:
                notes.add(where, f'{op.op}: the draw crosses the identity '
                          'unevenly; mmdet draws the distance from 0 to the '
                          'larger end')
            values = [0.0, max(abs(v) for v in values)]
        values = [abs(v) for v in values]
    mags = sorted(round(_mmdet_unit(op.op, v), 6) for v in values)
    return dict(type=scoped(op.op, scope), prob=float(op.prob), level=None,
                min_mag=clean(mags[0]), max_mag=clean(mags[1]))


def _warp_args(space, op: str, channel_order: str, where: str,
               notes: Notes) -> Dict[str, Any]:
    """``img_border_value`` and ``interpolation`` of a geometric op: the
    op's own in the space (a note when mmcv's kernel is not PIL's)."""
    interpolation = space.interpolation_for(op)
    note = kernel_note('mmdet', interpolation)
    if note:
        notes.add(where, f'{op}: {note}')
    border = op_fill(space, op, channel_order)
    return dict(img_border_value=tuple(float(c) for c in border),
                interpolation=interpolation)


def _op_to_mmdet(space, op: PolicyOp, scope, channel_order, cut_fill,
                 where: str, notes: Notes) -> Optional[Dict[str, Any]]:
    if op.op == 'Identity':
        return None
    r = space.range(op.op)
    if r.unit == 'pixels':
        raise PolicyError(
            f'{where}: {op.op} of the {space.name!r} space moves by absolute '
            'pixels, which mmdet\'s ratio of the image size cannot state; '
            'use mmautoaug.DetPolicyAugment (backend=\'mmautoaug\')')
    if op.magnitude_dist is not None and op.op not in _PLAIN:
        cfg = _random_level_cfg(space, op, scope, where, notes)
        if op.op in _GEOMETRIC:
            cfg['reversal_prob'] = 0.5 if r.signed else 1.0
            cfg.update(_warp_args(space, op.op, channel_order, where, notes))
            return cfg
        if op.op in _FACTORS and r.signed:
            up = dict(cfg, min_mag=clean(1.0 + cfg['min_mag']),
                      max_mag=clean(1.0 + cfg['max_mag']))
            down = dict(cfg, min_mag=clean(1.0 - cfg['max_mag']),
                        max_mag=clean(1.0 - cfg['min_mag']))
            return dict(type='RandomChoice', transforms=[[up], [down]])
        if op.op in _FACTORS or op.op in ('Solarize', 'Posterize'):
            return cfg
        notes.add(where, f'{op.op} with a drawn magnitude has no mmdet '
                  'transform; dropped')
        return None
    if r.unit == 'size_pixels':
        notes.add(where, f'{op.op}: whole-pixel truncation of the '
                  f'{space.name!r} space is not replayed (mmdet takes the '
                  'ratio)')
    value, signed = op_value(space, op.op, op.magnitude) if not r.unit \
        else (_ratio(r, op.magnitude), r.signed)
    if op.op in _PLAIN:
        return dict(type=scoped(op.op, scope), prob=float(op.prob))
    if op.op in _GEOMETRIC:
        cfg = _level_cfg(op.op, op.prob, value, scope, where, notes)
        cfg['reversal_prob'] = 0.5 if signed else 1.0
        cfg.update(_warp_args(space, op.op, channel_order, where, notes))
        return cfg
    if op.op in _FACTORS and signed:
        pair = [[_level_cfg(op.op, op.prob, 1.0 + s * value, scope, where,
                            notes)] for s in (1, -1)]
        return dict(type='RandomChoice', transforms=pair)
    if op.op in _FACTORS or op.op in ('Solarize', 'Posterize'):
        return _level_cfg(op.op, op.prob, value, scope, where, notes)
    if op.op == 'Cutout':
        notes.add(where, 'Cutout becomes mmdet CutOut, which places the '
                  'square by its top-left corner (ours: centred, clipped) '
                  'and takes the ratio per axis (a rectangle on non-square '
                  'images)')
        cut = dict(type=scoped('CutOut', scope), n_holes=1,
                   cutout_ratio=(clean(value), clean(value)), fill_in=cut_fill)
        return dict(type='RandomApply', transforms=[cut],
                    prob=float(op.prob))
    notes.add(where, f'{op.op} has no mmdet transform; dropped')
    return None


def _unwrap(cfg) -> Tuple[list, Optional[List[float]]]:
    if isinstance(cfg, (list, tuple)):
        return list(cfg), None
    if not isinstance(cfg, dict) or 'type' not in cfg:
        raise PolicyError('cfg: expected a mmdet AutoAugment config (a dict '
                          'with "type") or a list of sub-policies, got '
                          f'{type(cfg).__name__}')
    if type_name(cfg['type']) != 'AutoAugment':
        raise PolicyError(f"type: {cfg['type']!r} is not AutoAugment")
    policies = cfg.get('policies')
    if policies is None:
        from mmdet.datasets.transforms.augment_wrappers import policies_v0
        policies = policies_v0()
    if not isinstance(policies, (list, tuple)) or not policies:
        raise PolicyError(f'policies: expected a non-empty list of '
                          f'sub-policies, got {policies!r}')
    prob = cfg.get('prob')
    if prob is not None and not (isinstance(prob, (list, tuple))
                                 and all(is_number(p) for p in prob)):
        raise PolicyError('prob: expected a list of numbers (one per '
                          f'sub-policy) or None, got {short(prob)}')
    return list(policies), None if prob is None else [float(p) for p in prob]


def _transform_class(kind: str):
    from mmdet.datasets.transforms import colorspace, geometric
    for module in (geometric, colorspace):
        if hasattr(module, kind):
            return getattr(module, kind)
    return None


def _defaults(kind: str) -> Dict[str, Any]:
    """Constructor defaults of a mmdet op transform, read from mmdet."""
    klass = _transform_class(kind)
    return {
        p.name: p.default
        for p in inspect.signature(klass.__init__).parameters.values()
        if p.default is not inspect.Parameter.empty
    }


def _read(t, space, channel_order, cut_fill, where: str,
          notes: Notes) -> Optional[PolicyOp]:
    if not isinstance(t, dict) or 'type' not in t:
        raise PolicyError(f'{where}: expected a transform dict with "type", '
                          f'got {t!r}')
    kind = type_name(t['type'])
    if kind == 'RandomChoice':
        return _read_signed_factor(t, space, where, notes)
    if kind == 'RandomApply':
        return _read_cutout(t, space, cut_fill, where, notes)
    if kind not in _SUPPORTED:
        if _transform_class(kind) is not None:
            notes.add(where, f'{kind} has no op in our library; dropped')
            return None
        raise PolicyError(f'{where}.type: {kind!r} is not a mmdet '
                          f'AutoAugment op{closest_name(kind, _SUPPORTED)}; '
                          f'supported: {list(_SUPPORTED)}')
    if kind not in space:
        notes.add(where, f'{kind} is not in the {space.name!r} space; '
                  'dropped')
        return None
    d = _defaults(kind)
    d.update(t)
    prob = number(d, 'prob', where, 0, 1)
    if kind in _PLAIN:
        return PolicyOp(kind, prob, 0.0)
    value = _our_unit(kind, _magnitude(d, where, notes))
    r = space.range(kind)
    if kind in _GEOMETRIC:
        value = abs(value)
        number(d, 'reversal_prob', where, 0, 1)
        given = d['img_border_value']
        if not (is_number(given) or (isinstance(given, (list, tuple))
                                     and len(given) == 3
                                     and all(is_number(v) for v in given))):
            raise PolicyError(f'{where}.img_border_value: expected a number '
                              f'or 3 numbers, got {short(given)}')
        if abs(d['reversal_prob'] - 0.5) > 1e-9:
            notes.add(where, f"{kind} is reversed with probability "
                      f"{1 - d['reversal_prob']:.3g}; our space uses 0.5")
        got = tuple(int(v) for v in _triple(d['img_border_value']))
        border = op_fill(space, kind, channel_order)
        if got != tuple(border):
            notes.add(where, f'img_border_value {got} differs from the '
                      f'space\'s {tuple(border)} for {kind}')
        ours = space.interpolation_for(kind)
        if d['interpolation'] != ours:
            notes.add(where, f"interpolation {d['interpolation']!r} read as "
                      f"{ours!r} (the {space.name!r} space samples {kind} "
                      f"with PIL's {ours})")
        elif kernel_note('mmdet', ours):
            notes.add(where, f'{kind}: {kernel_note("mmdet", ours)}')
    elif kind in _FACTORS and r.signed:
        notes.add(where, f'factor {value:.4g} read as 1 +/- '
                  f'{abs(value - 1):.4g}: the {space.name!r} space\'s '
                  f'{kind} has a random sign')
        value = abs(value - 1.0)
    return PolicyOp(kind, prob, magnitude_for(space, kind, value, where,
                                              notes))


def _magnitude(d: Dict[str, Any], where: str, notes: Notes) -> float:
    from mmdet.datasets.transforms.augment_wrappers import level_to_mag
    level = d.get('level')
    if level is None:
        notes.add(where, 'level None draws a random magnitude each time; '
                  'used level 5 (the middle)')
        level = 5
    else:
        level = number(d, 'level', where, 0, _MAX_LEVEL)
    return level_to_mag(level, number(d, 'min_mag', where),
                        number(d, 'max_mag', where))


def _triple(v) -> tuple:
    return tuple(v) if isinstance(v, (list, tuple)) else (v, ) * 3


def _read_signed_factor(t, space, where: str,
                        notes: Notes) -> Optional[PolicyOp]:
    """``RandomChoice([[F(1 + d)], [F(1 - d)]])`` -> a signed factor op."""
    branches = t.get('transforms', [])
    ops = [b[0] for b in branches if isinstance(b, (list, tuple))
           and len(b) == 1 and isinstance(b[0], dict)]
    kinds = {type_name(o.get('type', '')) for o in ops}
    if len(ops) != 2 or len(kinds) != 1 or not kinds <= set(_FACTORS) or \
            t.get('prob') not in (None, [0.5, 0.5]):
        raise PolicyError(f'{where}: only RandomChoice between two factors '
                          '1 + d and 1 - d of one op (as to_mmdet writes '
                          'them) can be read')
    kind = kinds.pop()
    mags = []
    for o in ops:
        d = _defaults(kind)
        d.update(o)
        mags.append((number(d, 'prob', where, 0, 1),
                     _magnitude(d, where, notes)))
    (p1, f1), (p2, f2) = mags
    if abs(p1 - p2) > 1e-9 or abs(f1 + f2 - 2.0) > 1e-6:
        raise PolicyError(f'{where}: RandomChoice branches {f1}, {f2} are '
                          'not 1 + d and 1 - d with one probability')
    r = space.range(kind)
    value = abs(f1 - 1.0)
    if not r.signed:
        notes.add(where, f'factor 1 +/- {value:.4g} kept as 1 + {value:.4g}:'
                  f' the {space.name!r} space\'s {kind} is unsigned')
        value = 1.0 + value
    return PolicyOp(kind, p1, magnitude_for(space, kind, value, where,
                                            notes))


def _read_cutout(t, space, cut_fill, where: str,
                 notes: Notes) -> Optional[PolicyOp]:
    inner = t.get('transforms', [])
    inner = inner[0] if len(inner) == 1 else None
    if not (isinstance(inner, dict)
            and type_name(inner.get('type', '')) == 'CutOut'
            and inner.get('cutout_ratio') is not None
            and inner.get('n_holes', 1) == 1):
        raise PolicyError(f'{where}: only RandomApply of one CutOut with '
                          'n_holes=1 and cutout_ratio can be read')
    ratio = inner['cutout_ratio']
    if not (isinstance(ratio, (list, tuple)) and ratio
            and all(is_number(v) for v in ratio)):
        raise PolicyError(f'{where}.cutout_ratio: expected (w, h) numbers, '
                          f'got {short(ratio)}')
    if len(set(ratio)) != 1:
        notes.add(where, f'CutOut ratio {tuple(ratio)} is not square; used '
                  'the width ratio')
    notes.add(where, 'mmdet CutOut is placed by its top-left corner; ours '
              'is centred at a random pixel')
    if 'Cutout' not in space:
        notes.add(where, f'Cutout is not in the {space.name!r} space; '
                  'dropped')
        return None
    fill = _triple(inner.get('fill_in', (0, 0, 0)))
    if not all(is_number(v) for v in fill):
        raise PolicyError(f'{where}.fill_in: expected a number or 3 '
                          f'numbers, got {short(inner.get("fill_in"))}')
    fill = tuple(int(v) for v in fill)
    if fill != tuple(cut_fill):
        notes.add(where, f'fill_in {fill} differs from the space\'s '
                  f'{tuple(cut_fill)}')
    prob = number({'prob': 0.5, **t}, 'prob', where, 0, 1)
    return PolicyOp('Cutout', prob,
                    magnitude_for(space, 'Cutout', float(ratio[0]), where,
                                  notes))
