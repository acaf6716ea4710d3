# Copyright (c) mmautoaug contributors. All rights reserved.
"""Policies <-> mmpretrain ``AutoAugment`` configs.

mmpretrain 1.x op transforms (``mmpretrain/datasets/transforms/
auto_augment.py``) state parameters differently from our spaces:

==============  ==============================================  =========
our op          mmpretrain transform                            exact?
==============  ==============================================  =========
ShearX / Y      ``Shear(magnitude=s, direction=...)``           yes [1]
TranslateX / Y  ``Translate(magnitude=t, direction=...)``       yes [1]
Rotate          ``Rotate(angle=deg)``                           yes [1]
Solarize        ``Solarize(thr=...)``                           yes
Posterize       ``Posterize(bits=...)`` (``ceil``-ed)           yes
Contrast,       ``Contrast/ColorTransform/Brightness/           yes [2]
Color, ...      Sharpness(magnitude=f - 1)``: factor ``1 + m``
Cutout          ``Cutout(shape=pixels)``                        size [3]
SamplePairing   none                                            dropped
Identity        none (dropping it changes nothing)              yes
==============  ==============================================  =========

[1] Our signed ops mirror with probability 0.5: ``random_negative_prob=0.5``.
mmcv's shear/translate/rotate use the opposite sign convention to PIL, which
the random sign makes irrelevant; we set ``interpolation`` and ``pad_val``
to the op's own in the space (``'nearest'`` and the space's fill, unless the
space gives the op its own, as the ``aws`` space's bicubic shears and black
Rotate; mmpretrain's defaults: bicubic shear, 128). mmcv samples bilinear
and bicubic with OpenCV's kernels, not PIL's: a warning says so.
[2] Unsigned factors ``f`` (fastaa/autoaugment spaces) become
``magnitude=f - 1, random_negative_prob=0``; signed ones (aws, ``1 +/- d``)
``magnitude=d, random_negative_prob=0.5``.
[3] mmpretrain's Cutout takes pixels; ours a fraction of the width, so an
``image_size`` is needed and the snippet is exact for that size only.

mmpretrain's ``AutoAugment`` picks sub-policies uniformly; a policy with
weights is written as mmcv's ``RandomChoice(transforms=..., prob=weights)``
instead, which is exact.

Ops that draw their magnitude (``magnitude_dist``, the baselines) become
mmpretrain's own random magnitude: ``magnitude_range`` = the op's values at
magnitudes 0 and 1, ``total_level=1``, ``magnitude_level`` = the normal's
centre with ``magnitude_std`` = its std (exact), or the uniform's top with
``magnitude_std='inf'`` (uniform from 0: exact for a continuous uniform from
0; a discrete one, e.g. TrivialAugment's 31 levels, is drawn continuously,
and integer parameters are rounded by mmpretrain, with a warning). Ranges in
pixels (the baseline spaces) need ``image_size``.
"""
import inspect
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from mmautoaug.augment.spaces import get_space
from ..errors import PolicyError, closest_name
from ..policy import Policy, PolicyOp
from ._common import (Notes, assemble_policy, axis_size, clean,
                      fill_in_order, is_number, kernel_note, magnitude_for,
                      number, op_fill, op_value, scoped, short, type_name)

#: our op -> (mmpretrain type, name of its value argument, fixed kwargs)
_TO: Dict[str, Tuple[str, Optional[str], Dict[str, Any]]] = {
    'ShearX': ('Shear', 'magnitude', {'direction': 'horizontal'}),
    'ShearY': ('Shear', 'magnitude', {'direction': 'vertical'}),
    'TranslateX': ('Translate', 'magnitude', {'direction': 'horizontal'}),
    'TranslateY': ('Translate', 'magnitude', {'direction': 'vertical'}),
    'Rotate': ('Rotate', 'angle', {}),
    'AutoContrast': ('AutoContrast', None, {}),
    'Invert': ('Invert', None, {}),
    'Equalize': ('Equalize', None, {}),
    'Solarize': ('Solarize', 'thr', {}),
    'Posterize': ('Posterize', 'bits', {}),
    'Contrast': ('Contrast', 'magnitude', {}),
    'Color': ('ColorTransform', 'magnitude', {}),
    'Brightness': ('Brightness', 'magnitude', {}),
    'Sharpness': ('Sharpness', 'magnitude', {}),
    'Cutout': ('Cutout', 'shape', {}),
}
_GEOMETRIC = ('Shear', 'Translate', 'Rotate')
_FACTORS = ('Contrast', 'ColorTransform', 'Brightness', 'Sharpness')
_KNOWN_UNSUPPORTED = ('SolarizeAdd', 'GaussianBlur')
_WRAPPERS = ('AutoAugment', 'RandomChoice')


def to_mmpretrain(policy: Policy,
                  image_size: Optional[Union[int, Sequence[int]]] = None,
                  channel_order: str = 'bgr',
                  scope: Optional[str] = 'mmpretrain',
                  strict: bool = False) -> Dict[str, Any]:
    """A mmpretrain pipeline transform config that applies ``policy``.

    Args:
        policy (Policy): The policy.
        image_size (int | tuple[int, int], optional): ``W`` or ``(H, W)`` of
            the images the transform will see; needed only by Cutout.
        channel_order (str): ``'bgr'`` (mmpretrain's ``LoadImageFromFile``)
            or ``'rgb'`` (its CIFAR data sets): the order of ``pad_val``.
        scope (str, optional): Prefix of the op types, so the snippet also
            builds under another default scope (``'mmpretrain.Rotate'``).
            ``None`` writes bare names for configs with
            ``default_scope='mmpretrain'``.
        strict (bool): Raise :class:`PolicyError` instead of warning when the
            mapping is not exact.

    Returns:
        dict: ``dict(type='mmpretrain.AutoAugment', policies=...,
        hparams=...)`` or, for weighted policies,
        ``dict(type='RandomChoice', ...)``.

    Examples:
        >>> policy = Policy('fastaa', [[('Rotate', 0.5, 0.75)]])
        >>> to_mmpretrain(policy, scope=None)['policies'][0][0]['angle']
        15.0
    """
    space = policy.space
    notes = Notes('to_mmpretrain', strict)
    pad_val = fill_in_order(space.fill, channel_order)
    cut_val = fill_in_order(space.cutout_fill, channel_order)
    subs = []
    for i, sub in enumerate(policy.sub_policies):
        out = []
        for j, op in enumerate(sub):
            where = f'sub_policies[{i}][{j}]'
            if op.op == 'Identity':
                continue
            if op.op not in _TO:
                notes.add(where, f'{op.op} has no mmpretrain transform; '
                          'dropped')
                continue
            name, key, fixed = _TO[op.op]
            cfg = dict(type=scoped(name, scope), prob=float(op.prob))
            cfg.update(fixed)
            size = axis_size(space, op.op, image_size, where, 'mmpretrain')
            if op.magnitude_dist is not None and key is not None:
                cfg.update(_random_magnitude(space, op, name, size,
                                             image_size, where, notes))
                if name in _GEOMETRIC:
                    cfg.update(_warp_args(space, op.op, channel_order,
                                          where, notes))
                elif name == 'Cutout':
                    cfg['pad_val'] = cut_val
                out.append(cfg)
                continue
            value, signed = op_value(space, op.op, op.magnitude, size)
            if name in _GEOMETRIC:
                cfg[key] = clean(value)
                cfg['random_negative_prob'] = 0.5 if signed else 0.0
                cfg.update(_warp_args(space, op.op, channel_order, where,
                                      notes))
            elif name in _FACTORS:
                cfg[key] = clean(value if signed else value - 1.0)
                cfg['random_negative_prob'] = 0.5 if signed else 0.0
            elif name == 'Posterize':
                cfg[key] = int(value)
            elif name == 'Cutout':
                cfg[key] = _cutout_pixels(value, image_size, where, notes)
                cfg['pad_val'] = cut_val
            elif key is not None:
                cfg[key] = clean(value)
            out.append(cfg)
        if not out:
            # mmcv composes an empty list fine, but keep the sub-policy
            # visible: a never-applied op is exactly "do nothing".
            out.append(dict(type=scoped('Equalize', scope), prob=0.0))
        subs.append(out)
    notes.finish()
    if policy.weights is None or _uniform(policy.weights):
        return dict(type=scoped('AutoAugment', scope), policies=subs,
                    hparams=dict(pad_val=pad_val))
    return dict(type='RandomChoice', transforms=subs,
                prob=[float(w) for w in policy.probabilities()])


def _warp_args(space, op: str, channel_order: str, where: str,
               notes: Notes) -> Dict[str, Any]:
    """``pad_val`` and ``interpolation`` of a geometric op: the op's own in
    the space (a note when mmcv's kernel is not PIL's)."""
    interpolation = space.interpolation_for(op)
    note = kernel_note('mmpretrain', interpolation)
    if note:
        notes.add(where, f'{op}: {note}')
    return dict(pad_val=op_fill(space, op, channel_order),
                interpolation=interpolation)


def from_mmpretrain(cfg: Union[Dict[str, Any], List[List[Dict[str, Any]]]],
                    space: str = 'fastaa',
                    image_size: Optional[Union[int, Sequence[int]]] = None,
                    channel_order: str = 'bgr',
                    strict: bool = False,
                    meta: Optional[Dict[str, Any]] = None) -> Policy:
    """Read a mmpretrain ``AutoAugment`` (or ``RandomChoice``) config.

    Args:
        cfg (dict | list): ``dict(type='AutoAugment', policies=...)`` with a
            list of sub-policies or a preset name (``'imagenet'``), a
            ``RandomChoice`` config as :func:`to_mmpretrain` writes for
            weighted policies, or the bare list of sub-policies.
        space (str): The space to express the magnitudes in.
        image_size (int | tuple[int, int], optional): Image size, needed to
            read Cutout's pixel shape as a fraction of the width.
        channel_order (str): Channel order of ``pad_val``.
        strict (bool): Raise instead of warning on inexact parts.
        meta (dict, optional): Metadata for the policy.

    Returns:
        Policy: The policy. mmpretrain ops that cannot be expressed in the
        space are reported (a :class:`ConversionWarning`, or an error with
        ``strict``).
    """
    target = get_space(space)
    notes = Notes('from_mmpretrain', strict)
    subs_cfg, weights, hparams = _unwrap(cfg)
    cut_fill = fill_in_order(target.cutout_fill, channel_order)
    return assemble_policy(
        target, subs_cfg,
        lambda t, where: _read_op(t, hparams, target, channel_order,
                                  cut_fill, image_size, where, notes),
        notes, weights, meta, 'mmpretrain')


# ---------------------------------------------------------------------- #
def _random_magnitude(space, op: PolicyOp, name: str, size, image_size,
                      where: str, notes: Notes) -> Dict[str, Any]:
    """mmpretrain's random-magnitude arguments for an op with a
    ``magnitude_dist`` (see the module docstring)."""
    r = space.range(op.op)
    dist = op.magnitude_dist
    ends = [op_value(space, op.op, m, size)[0] for m in (0.0, 1.0)]
    if r.signed:  # the distance from the identity, negated at random
        ends = [float(r.param(m, size=size)) - r.center for m in (0.0, 1.0)]
    elif name in _FACTORS:
        ends = [v - 1.0 for v in ends]
    if name == 'Cutout':
        ends = [v * _width(image_size) if image_size else v for v in ends]
        if image_size is None:
            raise PolicyError(f'{where}: Cutout\'s side is a fraction of '
                              'the image width but mmpretrain\'s Cutout '
                              'takes pixels; pass image_size')
    cfg = dict(magnitude_range=tuple(clean(v) for v in ends), total_level=1)
    if name in _GEOMETRIC or name in _FACTORS:
        cfg['random_negative_prob'] = 0.5 if r.signed else 0.0
    if dist.type == 'normal':
        cfg.update(magnitude_level=clean(op.magnitude),
                   magnitude_std=clean(dist.std))
    else:
        if dist.low > 0:
            raise PolicyError(
                f'{where}: {op.op} draws its magnitude uniformly from '
                f'[{dist.low}, {dist.high}]; mmpretrain draws uniformly from '
                '0 only (magnitude_std="inf")')
        cfg.update(magnitude_level=clean(dist.high), magnitude_std='inf')
        if dist.bins is not None:
            notes.add(where, f'{op.op}: one of {dist.bins} levels becomes '
                      'a continuous uniform draw (mmpretrain has no levels)')
    if r.rounding or r.needs_size:
        notes.add(where, f'{op.op}: the space rounds the drawn value '
                  f'({r.rounding or "none"}, unit {r.unit or "-"}); '
                  'mmpretrain applies it unrounded (or ceil()s Posterize '
                  'bits)')
    return cfg


def _uniform(weights: Sequence[float]) -> bool:
    return max(weights) - min(weights) <= 1e-12


def _cutout_pixels(fraction: float, image_size, where: str,
                   notes: Notes) -> int:
    if image_size is None:
        raise PolicyError(
            f'{where}: Cutout\'s side is a fraction of the image width '
            f'({fraction:.4g}) but mmpretrain\'s Cutout takes pixels; pass '
            'image_size (the width, or (height, width)) of the images')
    width = _width(image_size)
    pixels = fraction * width
    shape = int(round(pixels))
    if abs(shape - pixels) > 1e-6:
        notes.add(where, f'Cutout side {pixels:.4g} px rounded to {shape} '
                  'px')
    return shape


def _width(image_size) -> int:
    sizes = image_size if isinstance(image_size, (list, tuple)) else [
        image_size
    ]
    if len(sizes) not in (1, 2) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0
            for v in sizes):
        raise ValueError('image_size: expected W or (H, W) in pixels, '
                         f'positive integers, got {image_size!r}')
    return int(sizes[-1])


def _unwrap(cfg) -> Tuple[list, Optional[List[float]], Dict[str, Any]]:
    """(sub-policy configs, weights, hparams) of any accepted layout."""
    if isinstance(cfg, (list, tuple)):
        return list(cfg), None, {}
    if not isinstance(cfg, dict) or 'type' not in cfg:
        raise PolicyError('cfg: expected a mmpretrain AutoAugment config '
                          '(a dict with "type") or a list of sub-policies, '
                          f'got {type(cfg).__name__}')
    kind = type_name(cfg['type'])
    if kind == 'AutoAugment':
        policies = cfg.get('policies')
        if isinstance(policies, str):
            policies = _preset(policies)
        if not isinstance(policies, (list, tuple)) or not policies:
            raise PolicyError('policies: expected a non-empty list of '
                              f'sub-policies or a preset name, got '
                              f'{policies!r}')
        hparams = dict(cfg.get('hparams', {'pad_val': 128}))
        return list(policies), None, hparams
    if kind == 'RandomChoice':
        transforms = cfg.get('transforms')
        if not isinstance(transforms, (list, tuple)) or not transforms:
            raise PolicyError('transforms: expected a non-empty list of '
                              f'sub-policies, got {short(transforms)}')
        prob = cfg.get('prob')
        if prob is not None and not (isinstance(prob, (list, tuple))
                                     and all(is_number(p) for p in prob)):
            raise PolicyError('prob: expected a list of numbers (one per '
                              f'sub-policy) or None, got {short(prob)}')
        return list(transforms), None if prob is None else [
            float(p) for p in prob
        ], {}
    raise PolicyError(f'type: {cfg["type"]!r} is not one of {_WRAPPERS}')


def _preset(name: str) -> list:
    from mmpretrain.datasets.transforms.auto_augment import AUTOAUG_POLICIES
    if name not in AUTOAUG_POLICIES:
        raise PolicyError(f'policies: {name!r} is not a mmpretrain preset'
                          f'{closest_name(name, list(AUTOAUG_POLICIES))}; '
                          f'presets: {list(AUTOAUG_POLICIES)}')
    return AUTOAUG_POLICIES[name]


def _defaults(name: str) -> Dict[str, Any]:
    """Constructor defaults of a mmpretrain op transform (read from the
    installed mmpretrain, so they cannot drift)."""
    from mmpretrain.datasets.transforms import auto_augment
    defaults = {}
    for klass in reversed(getattr(auto_augment, name).__mro__):
        if '__init__' in vars(klass):
            for p in inspect.signature(klass.__init__).parameters.values():
                if p.default is not inspect.Parameter.empty:
                    defaults[p.name] = p.default
    if name in ('Solarize', 'Posterize', 'Cutout', 'AutoContrast', 'Invert',
                'Equalize'):
        # These pass random_negative_prob=0 to the base class.
        defaults['random_negative_prob'] = 0.0
    return defaults


def _our_op(kind: str, t: Dict[str, Any], where: str) -> str:
    if kind in ('Shear', 'Translate'):
        direction = t.get('direction', 'horizontal')
        if direction not in ('horizontal', 'vertical'):
            raise PolicyError(f'{where}.direction: {direction!r} is not '
                              "'horizontal' or 'vertical'")
        return kind + ('X' if direction == 'horizontal' else 'Y')
    back = {v[0]: k for k, v in _TO.items() if v[0] not in _GEOMETRIC[:2]}
    if kind in back:
        return back[kind]
    names = sorted({v[0] for v in _TO.values()})
    raise PolicyError(f'{where}.type: {kind!r} is not a mmpretrain '
                      f'AutoAugment op{closest_name(kind, names)}; '
                      f'supported: {names}')


def _read_op(t: Dict[str, Any], hparams: Dict[str, Any], space,
             channel_order: str, cut_fill, image_size, where: str,
             notes: Notes) -> Optional[PolicyOp]:
    if not isinstance(t, dict) or 'type' not in t:
        raise PolicyError(f'{where}: expected a transform dict with "type", '
                          f'got {t!r}')
    kind = type_name(t['type'])
    if kind in _KNOWN_UNSUPPORTED:
        notes.add(where, f'{kind} has no op in our library; dropped')
        return None
    op = _our_op(kind, t, where)
    if op not in space:
        notes.add(where, f'{op} is not in the {space.name!r} space; dropped')
        return None
    d = _defaults(kind)
    d.update({k: v for k, v in hparams.items() if k in d})
    d.update(t)
    prob = number(d, 'prob', where, 0, 1)
    _, key, _ = _TO[op]
    if key is None:
        return PolicyOp(op, prob, 0.0)
    if 'random_negative_prob' in d:
        number(d, 'random_negative_prob', where, 0, 1)
    value = _value(d, key, where, notes)
    r = space.range(op)
    if kind in _GEOMETRIC:
        value = abs(value)
        _check_negation(d['random_negative_prob'], r.signed, op, where,
                        notes)
        _check_same(d.get('pad_val'), op_fill(space, op, channel_order),
                    'pad_val', where, notes)
        ours = space.interpolation_for(op)
        given = d.get('interpolation', 'nearest')
        if given != ours:
            notes.add(where, f'interpolation {given!r} read as {ours!r} '
                      f'(the {space.name!r} space samples {op} with PIL\'s '
                      f'{ours})')
        elif kernel_note('mmpretrain', given):
            notes.add(where, f'{op}: {kernel_note("mmpretrain", given)}')
        if kind == 'Rotate' and (d.get('center') is not None
                                 or d.get('scale', 1.0) != 1.0):
            notes.add(where, 'Rotate center/scale ignored')
    elif kind in _FACTORS:
        negated = d['random_negative_prob']
        if r.signed:
            value = abs(value)
            _check_negation(negated, True, op, where, notes)
        else:
            if negated and value:
                notes.add(where, f'factor 1 +/- {abs(value):.4g} (random '
                          f'negation {negated}) kept as 1 + {value:.4g}: '
                          f'the {space.name!r} space\'s {op} is unsigned')
            value = 1.0 + value
    elif kind == 'Posterize':
        value = float(-(-value // 1))  # mmpretrain ceil()s the bits
    elif kind == 'Cutout':
        value = _cutout_fraction(value, image_size, where)
        _check_same(d.get('pad_val'), cut_fill, 'pad_val', where, notes)
    return PolicyOp(op, prob, magnitude_for(space, op, value, where, notes))


def _value(d: Dict[str, Any], key: str, where: str, notes: Notes):
    if d.get(key) is not None:
        if key == 'shape' and isinstance(d[key], (list, tuple)):
            if not all(is_number(v) for v in d[key]):  # Cutout's (h, w)
                raise PolicyError(f'{where}.shape: expected a number or '
                                  f'(h, w) numbers, got {short(d[key])}')
            return d[key]
        return number(d, key, where)
    if d.get('magnitude_range') is None:
        raise PolicyError(f'{where}: needs {key!r} or magnitude_range')
    span = d['magnitude_range']
    if not (isinstance(span, (list, tuple)) and len(span) == 2
            and all(is_number(v) for v in span)):
        raise PolicyError(f'{where}.magnitude_range: expected (low, high) '
                          f'numbers, got {short(span)}')
    d.setdefault('magnitude_level', 10)
    d.setdefault('total_level', 10)
    level = number(d, 'magnitude_level', where)
    total = number(d, 'total_level', where)
    if total <= 0:
        raise PolicyError(f'{where}.total_level: {total} must be positive')
    std = d.get('magnitude_std', 0.0)
    if not (std == 'inf' or is_number(std)):
        raise PolicyError(f"{where}.magnitude_std: expected a number or "
                          f"'inf', got {type(std).__name__} {short(std)}")
    if std == 'inf' or std > 0:
        notes.add(where, f'magnitude_std={std!r} draws a random magnitude '
                  f'each time; used the level {level:g}')
    lo, hi = span
    return level / total * (hi - lo) + lo


def _cutout_fraction(shape, image_size, where: str) -> float:
    if image_size is None:
        raise PolicyError(f'{where}: Cutout\'s shape is in pixels; pass '
                          'image_size (W or (H, W)) to read it as a fraction '
                          'of the width')
    if isinstance(shape, (list, tuple)):
        if len(set(shape)) != 1:
            raise PolicyError(f'{where}.shape: {shape!r} is not square; our '
                              'Cutout cuts squares')
        shape = shape[0]
    return float(shape) / _width(image_size)


def _check_negation(prob: float, signed: bool, op: str, where: str,
                    notes: Notes) -> None:
    want = 0.5 if signed else 0.0
    if abs(float(prob) - want) > 1e-9:
        notes.add(where, f'{op} is negated with probability {prob}; our '
                  f'space uses {want}')


def _check_same(value, want: tuple, name: str, where: str,
                notes: Notes) -> None:
    if value is None:
        return
    got = tuple(value) if isinstance(value, (list, tuple)) else (value, ) * 3
    if not all(is_number(v) for v in got):
        raise PolicyError(f'{where}.{name}: expected a number or 3 numbers, '
                          f'got {short(value)}')
    if tuple(int(v) for v in got) != tuple(want):
        notes.add(where, f'{name} {value!r} differs from the space\'s '
                  f'{want}')
