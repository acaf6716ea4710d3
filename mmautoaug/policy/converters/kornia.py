# Copyright (c) mmautoaug contributors. All rights reserved.
"""Policies -> kornia's auto-augment policy (``kornia.augmentation.auto``).

kornia's ``AutoAugment(policy)`` takes sub-policies of ``(name, prob, bin)``:
a bin ``b`` in 0..9 selects the interval ``[v_b, v_{b+1}]`` of the op's
eleven-point scale and kornia draws the parameter uniformly in it for every
image; there is no random sign per op and no sub-policy weight. So:

- each op becomes the bin that holds our parameter (in kornia's unit), and
  the warning gives the interval kornia draws from and how far its ends lie
  from our value;
- an op with a random sign (geometric ops, the aws space's ``1 +/- d``)
  becomes two copies of its sub-policy, one per sign, so that a uniform
  choice gives each sign half of the time, exactly; every sub-policy is
  listed the same number of times (2^k for k signed ops at most), times its
  weight (:func:`~._common.uniform_repeats`) for weighted policies.

Units and what stays exact (measured against the op library on random
uint8 images, kornia 0.9):

=================  ================  =========================================
our op             kornia op         kornia's unit / difference
=================  ================  =========================================
ShearX / Y         shear_x / y       ``atan(s) / pi`` (kornia shears by
                                     ``tan(v x 180 deg)``), about the centre
                                     (ours: the top-left corner), bilinear
TranslateX / Y     translate_x / y   fraction of the size, bilinear
Rotate             rotate            degrees, bilinear
Solarize           solarize          ``t / 255``; the op is exact, the
                                     threshold is drawn from the bin
Posterize          posterize         bits, rounded: a one-integer bin, exact
Brightness         contrast          kornia's ``contrast`` multiplies the
                                     pixels as PIL's Brightness does (within
                                     1 level)
Sharpness          sharpness         PIL's kernel (within 1 level)
Equalize, Invert   same              exact
AutoContrast       auto_contrast     within 1 level
=================  ================  =========================================

Geometric ops are sampled bilinearly and filled with black by kornia (ours:
the op's own sampling and fill in the space, e.g. nearest and the space's
fill, or the ``aws`` space's bicubic shears and black Rotate); the warnings
say what differs. Refused (or dropped with
``unsupported='drop'``): Contrast (kornia's ``contrast`` scales pixels, it
does not blend with the mean grey level: 40-65 levels apart at factors 0.5
and 1.5), Color (kornia's ``color`` scales HSV saturation, not a blend with
the grey image: up to 105 levels apart), Cutout, SamplePairing.
"""
import itertools
import math
from typing import Any, Dict, List, Optional, Tuple

from ..policy import Policy, PolicyOp
from ._common import (Notes, check_unsupported_mode, clean, op_value, refuse,
                      refuse_drawn, uniform_repeats)

#: Our op -> (kornia's name, low and high of its eleven-point scale).
KORNIA_SCALES: Dict[str, Tuple[str, float, float]] = {
    'ShearX': ('shear_x', -0.3, 0.3),
    'ShearY': ('shear_y', -0.3, 0.3),
    'TranslateX': ('translate_x', -0.5, 0.5),
    'TranslateY': ('translate_y', -0.5, 0.5),
    'Rotate': ('rotate', -30.0, 30.0),
    'Solarize': ('solarize', 0.0, 1.0),
    'Posterize': ('posterize', 4.0, 8.0),
    'Brightness': ('contrast', 0.1, 1.9),
    'Sharpness': ('sharpness', 0.1, 1.9),
}
_PLAIN = {'AutoContrast': 'auto_contrast', 'Equalize': 'equalize',
          'Invert': 'invert'}
_REFUSED = {
    'Contrast': "kornia's contrast scales the pixels; it does not blend "
    'with the mean grey level as PIL (40-65 grey levels apart at factors '
    '0.5 and 1.5)',
    'Color': "kornia's color scales the HSV saturation; it does not blend "
    'with the grey image as PIL (up to 105 grey levels apart)',
    'Cutout': 'kornia\'s auto-augment has no Cutout',
    'SamplePairing': 'kornia\'s auto-augment has no SamplePairing',
}
_ROUGH = {
    'Brightness': 'within 1 grey level of PIL (float arithmetic)',
    'Sharpness': 'within 1 grey level of PIL (float arithmetic)',
    'AutoContrast': 'within 1 grey level of PIL (float arithmetic)',
}
_GEOMETRIC = ('ShearX', 'ShearY', 'TranslateX', 'TranslateY', 'Rotate')


def to_kornia(policy: Policy,
              strict: bool = False,
              unsupported: str = 'error',
              weight_resolution: int = 1000) -> List[List[List[Any]]]:
    """kornia's auto-augment policy list for ``policy``.

    Args:
        policy (Policy): The policy.
        strict (bool): Raise instead of warning when a parameter or weight
            changes.
        unsupported (str): ``'error'`` (default) refuses what kornia cannot
            express (see the module docstring), naming it; ``'drop'`` leaves
            it out with a warning.
        weight_resolution (int): Copies shared out among weighted
            sub-policies (kornia picks uniformly). Defaults to 1000.

    Returns:
        list: Sub-policies of ``[name, prob, bin]`` (``bin`` None for ops
        without a parameter), for
        ``kornia.augmentation.auto.AutoAugment(policy=...)``.

    Examples:
        >>> import warnings
        >>> with warnings.catch_warnings():  # Rotate 15 -> [12, 18]
        ...     warnings.simplefilter('ignore')
        ...     listed = to_kornia(Policy('fastaa', [[('Rotate', 0.5, 0.75),
        ...                                           ('Equalize', 0.8, 0)]]))
        >>> listed[0]  # +15 degrees, one copy per sign
        [['rotate', 0.5, 7], ['equalize', 0.8, None]]
        >>> listed[1]  # -15 degrees
        [['rotate', 0.5, 2], ['equalize', 0.8, None]]
    """
    check_unsupported_mode(unsupported)
    space = policy.space
    notes = Notes('to_kornia', strict)
    seen_rough = set()
    expanded = []  # per sub-policy: its sign variants
    for i, sub in enumerate(policy.sub_policies):
        choices = []  # per op: the entries it may become (1 or 2 signs)
        for j, op in enumerate(sub):
            where = f'sub_policies[{i}][{j}]'
            entries = _op_to_kornia(space, op, where, unsupported, notes)
            if entries and op.op in _ROUGH and op.op not in seen_rough:
                seen_rough.add(op.op)
                notes.add(where, f'{op.op}: {_ROUGH[op.op]}')
            if entries:
                choices.append(entries)
        if not choices:  # kornia needs an op: one that is never applied
            choices.append([['equalize', 0.0, None]])
        expanded.append([list(v) for v in itertools.product(*choices)])
    copies = max(len(v) for v in expanded)
    counts = uniform_repeats(policy.probabilities(), weight_resolution, notes,
                             'kornia')
    notes.finish()
    listed = []
    for variants, count in zip(expanded, counts):
        repeat = count * copies // len(variants)
        for _ in range(repeat):
            listed.extend([list(e) for e in v] for v in variants)
    return listed


def kornia_transform(policy_list: List[List[List[Any]]]):
    """kornia's ``AutoAugment`` module from :func:`to_kornia`'s list (for
    float images in [0, 1], ``(B, C, H, W)``).

    Examples:
        >>> import torch
        >>> aa = kornia_transform([[['invert', 1.0, None]]])
        >>> aa(torch.zeros(1, 3, 4, 4)).mean().item()
        1.0
    """
    from kornia.augmentation.auto import AutoAugment
    return AutoAugment(
        policy=[[tuple(entry) for entry in sub] for sub in policy_list])


def _op_to_kornia(space, op: PolicyOp, where: str, unsupported: str,
                  notes: Notes) -> Optional[List[list]]:
    """The entries an op may become: one, or one per sign."""
    if refuse_drawn(space, op, where, 'kornia', unsupported, notes):
        return None
    prob = float(op.prob)
    if op.op == 'Identity':
        return None
    if op.op in _PLAIN:
        return [[_PLAIN[op.op], prob, None]]
    if op.op in _REFUSED:
        refuse('to_kornia', where, f'{op.op}: {_REFUSED[op.op]}',
               unsupported, notes)
        return None
    if op.op not in KORNIA_SCALES:
        refuse('to_kornia', where, f'{op.op} has no kornia auto-augment op',
               unsupported, notes)
        return None
    value, signed = op_value(space, op.op, op.magnitude)
    name, low, high = KORNIA_SCALES[op.op]
    center = space.range(op.op).center if signed else 0.0
    if op.op == 'Posterize':
        return _posterize(int(round(value)), prob, where, notes)
    if op.op == 'Solarize' and value > 255:
        return None  # no level reaches the threshold: it does nothing
    targets = [center + value, center - value] if signed else [value]
    entries = []
    for target in targets:
        native = _to_native(op.op, target)
        b = min(max(int(math.floor((native - low) / (high - low) * 10)), 0),
                9)
        lo, hi = (low + (high - low) * b / 10,
                  low + (high - low) * (b + 1) / 10)
        got = (_from_native(op.op, lo), _from_native(op.op, hi))
        far = max(abs(g - target) for g in got)
        if op.op != 'Solarize' or not _same_solarize(target, got):
            notes.add(where, f'{op.op} {target:.6g} becomes uniform in '
                      f'[{clean(got[0]):.6g}, {clean(got[1]):.6g}] '
                      f'(kornia bin {b}; up to {far:.4g} apart)')
        entries.append([name, prob, b])
    if op.op in _GEOMETRIC:
        shear = ('; it shears about the image centre (ours: about the '
                 'top-left corner, a shift of s x H/2 px)'
                 if op.op.startswith('Shear') else '')
        ours = space.interpolation_for(op.op)
        fill = tuple(space.fill_for(op.op))
        differ = [f'kornia samples bilinearly (ours: {ours}'
                  f'{", PIL" if ours == "bilinear" else ""})']
        if fill != (0, 0, 0):
            differ.append(f'fills with black (ours: {fill})')
        notes.add(where, f'{op.op}: ' + ' and '.join(differ) + shear)
    return entries


def _to_native(op: str, value: float) -> float:
    if op.startswith('Shear'):
        return math.atan(value) / math.pi
    if op == 'Solarize':
        return value / 255.0
    return value


def _from_native(op: str, value: float) -> float:
    if op.startswith('Shear'):
        return math.tan(value * math.pi)
    if op == 'Solarize':
        return value * 255.0
    return value


def _same_solarize(target: float, got: Tuple[float, float]) -> bool:
    """A threshold interval that inverts the same levels as ``target``."""
    return math.ceil(got[0] - 1e-9) == math.ceil(target - 1e-9) and \
        math.ceil(got[1] - 1e-9) == math.ceil(target - 1e-9)


def _posterize(bits: int, prob: float, where: str,
               notes: Notes) -> Optional[List[list]]:
    """kornia rounds the bits it draws: use the bin that only rounds to
    ``bits`` (4..8 are reachable)."""
    if bits >= 8:
        return None  # 8 bits keep the image
    if bits < 4:
        notes.add(where, f'Posterize to {bits} bits is below kornia\'s 4..8;'
                  f' became 4 bits (change {4 - bits:+d})')
        bits = 4
    for b in range(10):
        lo, hi = 4.0 + 0.4 * b, 4.0 + 0.4 * (b + 1)
        if lo >= bits - 0.5 - 1e-9 and hi <= bits + 0.5 + 1e-9:
            return [['posterize', prob, b]]
    raise AssertionError(f'no kornia posterize bin for {bits} bits')


__all__ = ['to_kornia', 'kornia_transform', 'KORNIA_SCALES']
