# Copyright (c) mmautoaug contributors. All rights reserved.
"""Policies -> timm's auto-augment policy list (``timm.data.auto_augment``).

timm's ``AutoAugment`` takes a list of sub-policies, each a list of
``AugmentOp(name, prob, magnitude, hparams)``; an op's magnitude is a level
on timm's 0..10 scale that timm maps to the PIL parameter, and timm applies
it with PIL as our per-image face does. We write each op at the level that
gives our parameter back, and the hparams that make timm sample and fill as
the policy's space does (nearest resampling, the space's fill colour, its
translation range; an op the space samples or fills its own way, as the
``aws`` space's bicubic shears and black Rotate, carries its own
``interpolation`` / ``img_mean`` as a fourth element, timm's per-op
hparams, applied by the same PIL calls), so the ops below are exact:

=====================  ==========================  ==========================
our op                 timm op                     level
=====================  ==========================  ==========================
ShearX / Y (+/-)       ``ShearX`` / ``ShearY``      ``s / 0.3 x 10``
TranslateX / Y (+/-)   ``TranslateXRel`` / ``YRel`` ``t / translate_pct x 10``
Rotate (+/-)           ``Rotate``                  ``deg / 30 x 10``
Solarize               ``Solarize``                its threshold ``ceil(t)``
Posterize              ``PosterizeOriginal`` (4-8   its bits
                       bits), ``Posterize`` (0-4)
Contrast, Color,       ``Contrast``, ...           ``(f - 0.1) / 1.8 x 10``
Brightness, Sharpness  (``...Increasing`` for      (``d / 0.9 x 10``)
                       ``1 +/- d``, aws space)
AutoContrast, Invert,  same names                  unused
Equalize
Identity               (left out: it does nothing)
=====================  ==========================  ==========================

timm has no Cutout (it applies random erasing separately, ``--reprob``) and
no SamplePairing: those are refused (or dropped, ``unsupported='drop'``).
timm picks sub-policies uniformly: weighted policies list each sub-policy
in proportion to its weight (:func:`~._common.uniform_repeats`, with a
warning that gives the size of each change). The output is plain data
(JSON-serialisable); :func:`timm_transform` builds the timm callable.
"""
import math
from typing import Any, Dict, List, Optional, Tuple

from mmautoaug.augment.spaces import GEOMETRIC_OPS
from ..policy import Policy, PolicyOp
from ._common import (Notes, check_unsupported_mode, clean, op_value, refuse,
                      refuse_drawn, uniform_repeats)

#: PIL's ``Image.NEAREST``: the resampling of the op library's warps.
PIL_NEAREST = 0
#: PIL's resampling constants (``Image.Resampling``) of our filters.
PIL_FILTERS = {'nearest': 0, 'bilinear': 2, 'bicubic': 3}
_FACTORS = ('Contrast', 'Color', 'Brightness', 'Sharpness')
_PLAIN = ('AutoContrast', 'Equalize', 'Invert')
_SIGNED_LEVELS = {'ShearX': 0.3, 'ShearY': 0.3, 'Rotate': 30.0}
# timm's integer ops read int(level / 10 * scale): a level a hair above the
# exact one survives the float rounding of that product
_EPS = 1e-6


def to_timm(policy: Policy,
            strict: bool = False,
            unsupported: str = 'error',
            weight_resolution: int = 1000) -> Dict[str, Any]:
    """timm's policy list and hparams for ``policy``.

    Args:
        policy (Policy): The policy.
        strict (bool): Raise instead of warning when a weight changes.
        unsupported (str): ``'error'`` (default) refuses ops timm has no
            counterpart for (Cutout, SamplePairing), naming them; ``'drop'``
            leaves them out with a warning.
        weight_resolution (int): Copies shared out among weighted
            sub-policies (timm picks uniformly). Defaults to 1000.

    Returns:
        dict: ``policy`` (list of sub-policies of ``[name, prob, level]``,
        or ``[name, prob, level, hparams]`` for an op whose sampling or fill
        differs from ``hparams``) and ``hparams`` (for every
        ``AugmentOp``).

    Examples:
        >>> spec = to_timm(Policy('fastaa', [[('Rotate', 0.5, 0.75)]]))
        >>> spec['policy']
        [[['Rotate', 0.5, 5.0]]]
        >>> spec['hparams']['img_mean'], spec['hparams']['interpolation']
        ([0, 0, 0], 0)
    """
    check_unsupported_mode(unsupported)
    space = policy.space
    notes = Notes('to_timm', strict)
    hparams = dict(img_mean=[int(c) for c in space.fill],
                   interpolation=PIL_NEAREST, magnitude_std=0)
    if 'TranslateX' in space:
        # unrounded: timm's level then gives our fraction to the last bit
        hparams['translate_pct'] = float(space.range('TranslateX').high)
    subs = []
    for i, sub in enumerate(policy.sub_policies):
        ops = []
        for j, op in enumerate(sub):
            where = f'sub_policies[{i}][{j}]'
            entry = _op_to_timm(space, op, hparams, where, unsupported, notes)
            if entry is not None:
                ops.append(entry)
        subs.append(ops)
    counts = uniform_repeats(policy.probabilities(), weight_resolution, notes,
                             'timm')
    notes.finish()
    listed = [sub for sub, n in zip(subs, counts) for _ in range(n)]
    return dict(policy=listed, hparams=hparams)


def timm_transform(spec: Dict[str, Any]):
    """timm's ``AutoAugment`` callable (on PIL images) from :func:`to_timm`.

    Examples:
        >>> import PIL.Image
        >>> aa = timm_transform(to_timm(Policy('fastaa',
        ...                                    [[('Invert', 1.0, 0.0)]])))
        >>> aa(PIL.Image.new('RGB', (2, 2))).getpixel((0, 0))
        (255, 255, 255)
    """
    from timm.data.auto_augment import AugmentOp, AutoAugment

    def op(name, prob, level, own=None):
        hparams = dict(spec['hparams'], **(own or {}))
        hparams['img_mean'] = tuple(hparams['img_mean'])  # PIL wants a tuple
        return AugmentOp(name, prob, level, hparams=hparams)

    return AutoAugment([[op(*entry) for entry in sub]
                        for sub in spec['policy']])


def _op_to_timm(space, op: PolicyOp, hparams: dict, where: str,
                unsupported: str, notes: Notes) -> Optional[List]:
    if op.op == 'Identity':
        return None
    if refuse_drawn(space, op, where, 'timm', unsupported, notes):
        return None
    prob = float(op.prob)
    if op.op in _PLAIN:
        return [op.op, prob, 0.0]
    if op.op in ('Cutout', 'SamplePairing'):
        hint = (' (timm erases at random separately: --reprob)'
                if op.op == 'Cutout' else '')
        refuse('to_timm', where, f'{op.op} has no timm auto-augment '
               f'op{hint}', unsupported, notes)
        return None
    value, signed = op_value(space, op.op, op.magnitude)
    name, level = _level(op.op, value, signed, hparams, where, unsupported,
                         notes)
    if name is None:
        return None
    own = {}
    if op.op in GEOMETRIC_OPS:
        filt = PIL_FILTERS[space.interpolation_for(op.op)]
        fill = [int(c) for c in space.fill_for(op.op)]
        if filt != hparams['interpolation']:
            own['interpolation'] = filt
        if fill != hparams['img_mean']:
            own['img_mean'] = fill
    return [name, prob, level, own] if own else [name, prob, level]


def _exact_level(value: float, scale: float) -> float:
    """The level timm reads back as ``value`` (``level / 10 * scale``) to
    the last bit where one exists near ``value / scale * 10``: a bicubic
    warp truncates its levels, so a shear off by 1e-16 can move a pixel by
    one level. The 12-digit form is kept when it is already exact."""
    level = clean(value / scale * 10)
    candidate = value / scale * 10
    for _ in range(8):
        for guess in (level, candidate):
            if guess / 10.0 * scale == value:
                return guess
        candidate = math.nextafter(
            candidate, math.inf if candidate / 10.0 * scale < value
            else -math.inf)
    return level


def _level(op: str, value: float, signed: bool, hparams: dict, where: str,
           unsupported: str, notes: Notes) -> Tuple[Optional[str], float]:
    if op in _SIGNED_LEVELS or op in ('TranslateX', 'TranslateY'):
        if not signed:
            refuse('to_timm', where, f'{op} without a random sign (timm '
                   'negates it half of the time)', unsupported, notes)
            return None, 0.0
        if op.startswith('Translate'):
            return op + 'Rel', _exact_level(value, hparams['translate_pct'])
        return op, _exact_level(value, _SIGNED_LEVELS[op])
    if op == 'Solarize':
        # PIL inverts levels >= threshold: a float threshold t acts as
        # ceil(t); timm's int() threshold then reproduces it
        threshold = min(256, math.ceil(value - 1e-9))
        return 'Solarize', (threshold + _EPS) * 10 / 256
    if op == 'Posterize':
        bits = int(round(value))
        if bits < 1:  # PIL's posterize keeps 1..8 bits
            notes.add(where, f'Posterize to {bits} bits (a black image) '
                      'is outside PIL\'s 1..8 bits that timm calls; became '
                      f'1 bit (change {1 - bits:+d})')
            bits = 1
        if bits >= 4:
            return 'PosterizeOriginal', (bits - 4 + _EPS) * 10 / 4
        return 'Posterize', (bits + _EPS) * 10 / 4
    if op in _FACTORS:
        if signed:  # 1 +/- d: timm's "Increasing" ops negate at random
            return op + 'Increasing', clean(value / 0.9 * 10)
        level = (value - 0.1) / 1.8 * 10
        if not -1e-9 <= level <= 10 + 1e-9:
            clipped = min(max(value, 0.1), 1.9)
            notes.add(where, f'{op} factor {value:.6g} is outside timm\'s '
                      f'[0.1, 1.9]; became {clipped:.6g} (change '
                      f'{clipped - value:+.4g})')
            level = (clipped - 0.1) / 1.8 * 10
        return op, clean(min(max(level, 0.0), 10.0))
    refuse('to_timm', where, f'{op} has no timm auto-augment op',
           unsupported, notes)
    return None, 0.0


__all__ = ['to_timm', 'timm_transform']
