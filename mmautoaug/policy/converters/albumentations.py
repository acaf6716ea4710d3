# Copyright (c) mmautoaug contributors. All rights reserved.
"""Policies -> Albumentations' serialised pipelines (``A.from_dict`` /
``A.load``), for albumentations 2.0.

The result is ``OneOf`` over one ``Sequential`` per sub-policy, each
``Sequential``'s ``p`` its weight (``OneOf`` picks a child by them and
applies it); every op carries its probability as ``p``, and an op with a
random sign is a ``OneOf`` of its two signs. Inputs are RGB uint8 images,
as albumentations expects. Measured against the op library on random
uint8 images (albumentations 2.0.8):

==============  ==============================  ==============================
our op          albumentations                  difference
==============  ==============================  ==============================
Rotate          ``Affine(rotate)``, nearest     a few pixels (OpenCV's
                                                nearest sampling)
ShearX / Y      ``Affine(shear)`` in degrees    shears about the image centre
                (``atan(s)``), nearest          (ours: the top-left corner):
                                                content shifted s x (H-1)/2 px
TranslateX / Y  ``Affine(translate_percent)``   shifts truncated to whole
                                                pixels (< 1 px)
Solarize        ``Solarize(t / 255)``           exact
Posterize       ``Posterize(bits)``             exact
Brightness      ``ColorJitter(brightness)``     exact
Contrast        ``ColorJitter(contrast)``       within 1 grey level
Color           ``ColorJitter(saturation)``     within 1 grey level
Sharpness       ``Sharpen(alpha=(f - 1) / 13,   within 1 grey level inside;
                lightness=1)``: PIL's kernel    the 1-pixel border is
                                                sharpened (ours: kept)
Equalize        ``Equalize(mode='pil')``        its table counts a level's own
                                                pixels (PIL: those below it):
                                                levels move up by about 255 x
                                                their share (4 on random
                                                images)
AutoContrast    ``AutoContrast(method='pil')``  within 1 grey level
Invert          ``InvertImg``                   exact
Cutout          ``CoarseDropout``, one hole     placed inside the image
                                                (ours: centred anywhere,
                                                clipped); side frac x H / W
                                                (ours: frac x W + 1 px)
==============  ==============================  ==============================

Geometric ops take the op's own sampling and fill in the space (nearest and
the space's fill unless the space gives the op its own, as the ``aws``
space's bicubic shears and black Rotate); OpenCV samples bilinear and
bicubic with its own kernels, not PIL's, with a warning.

Refused (or dropped with ``unsupported='drop'``): SamplePairing (no
albumentations op) and Sharpness below 1 (a blur; ``Sharpen`` only
sharpens). Ops that do nothing (Identity, Solarize above 255, Posterize to
8 bits) are left out, which is exact.
"""
import math
from typing import Any, Dict, List, Optional

from mmautoaug.augment.spaces import GEOMETRIC_OPS
from ..policy import Policy, PolicyOp
from ._common import (Notes, check_unsupported_mode, clean, kernel_note,
                      op_value, refuse, refuse_drawn)

#: The albumentations release whose serialised layout this writes.
ALBUMENTATIONS_FORMAT = '2.0.8'
#: OpenCV's ``BORDER_CONSTANT`` and its ``INTER_*`` codes of our filters.
_CONSTANT = 0
_CV2_FILTERS = {'nearest': 0, 'bilinear': 1, 'bicubic': 2}
_ROUGH = {
    'Rotate': "OpenCV's nearest sampling: a few pixels differ",
    'TranslateX': 'shifts are truncated to whole pixels (up to 1 px)',
    'TranslateY': 'shifts are truncated to whole pixels (up to 1 px)',
    'Contrast': 'within 1 grey level (OpenCV grey mean and rounding)',
    'Color': 'within 1 grey level (OpenCV grey image and rounding)',
    'Sharpness': 'within 1 grey level inside; the 1-pixel border is '
    'sharpened too (ours: kept)',
    'Equalize': "albumentations' PIL mode counts a level's own pixels "
    '(PIL: those below it): each level moves up by about 255 x its share '
    'of the pixels',
    'AutoContrast': "within 1 grey level (albumentations' PIL method)",
}


def to_albumentations(policy: Policy,
                      strict: bool = False,
                      unsupported: str = 'error') -> Dict[str, Any]:
    """The serialised albumentations pipeline that applies ``policy``.

    Args:
        policy (Policy): The policy.
        strict (bool): Raise instead of warning when the result differs.
        unsupported (str): ``'error'`` (default) refuses what albumentations
            cannot express (SamplePairing, Sharpness below 1), naming it;
            ``'drop'`` leaves it out with a warning.

    Returns:
        dict: ``{'__version__': ..., 'transform': {...}}``, what
        ``albumentations.from_dict`` reads (``json.dump`` it for
        ``albumentations.load``).

    Examples:
        >>> d = to_albumentations(Policy('fastaa', [[('Invert', 0.3, 0.0)]]))
        >>> d['transform']['transforms'][0]['transforms']
        [{'__class_fullname__': 'InvertImg', 'p': 0.3}]
    """
    check_unsupported_mode(unsupported)
    space = policy.space
    notes = Notes('to_albumentations', strict)
    seen = set()
    children = []
    for i, (sub, weight) in enumerate(
            zip(policy.sub_policies, policy.probabilities())):
        ops = []
        for j, op in enumerate(sub):
            where = f'sub_policies[{i}][{j}]'
            cfg = _op(space, op, where, unsupported, notes)
            if cfg is None:
                continue
            ops.append(cfg)
            if op.op in _ROUGH and op.op not in seen:
                seen.add(op.op)
                notes.add(where, f'{op.op}: {_ROUGH[op.op]}')
        if not ops:
            ops.append(_t('NoOp', 1.0))
        children.append(_t('Sequential', clean(float(weight)),
                           transforms=ops))
    notes.finish()
    return {'__version__': ALBUMENTATIONS_FORMAT,
            'transform': _t('OneOf', 1.0, transforms=children)}


def albumentations_transform(data: Dict[str, Any]):
    """The albumentations pipeline from :func:`to_albumentations`'s dict.

    Examples:
        >>> import numpy as np
        >>> t = albumentations_transform(to_albumentations(
        ...     Policy('fastaa', [[('Invert', 1.0, 0.0)]])))
        >>> int(t(image=np.zeros((2, 2, 3), np.uint8))['image'][0, 0, 0])
        255
    """
    import albumentations as A
    return A.from_dict(data)


def _t(name: str, p: float, **args) -> Dict[str, Any]:
    return {'__class_fullname__': name, 'p': float(p), **args}


def _signed(make, value: float, prob: float) -> Dict[str, Any]:
    """``OneOf`` of the op at ``+value`` and ``-value``, applied with
    ``prob``: each sign half of the time, as our random mirror."""
    return _t('OneOf', prob, transforms=[make(value), make(-value)])


def _affine(warp, **args) -> Dict[str, Any]:
    """``Affine`` with ``warp = (fill, interpolation)`` of the op."""
    fill, interpolation = warp
    return _t('Affine', 1.0, interpolation=_CV2_FILTERS[interpolation],
              border_mode=_CONSTANT, fill=[float(c) for c in fill],
              fill_mask=0.0, **args)


def _jitter(prob: float, **factor) -> Dict[str, Any]:
    args = dict(brightness=[1.0, 1.0], contrast=[1.0, 1.0],
                saturation=[1.0, 1.0], hue=[0.0, 0.0])
    args.update({k: [clean(v), clean(v)] for k, v in factor.items()})
    return _t('ColorJitter', prob, **args)


def _op(space, op: PolicyOp, where: str, unsupported: str,
        notes: Notes) -> Optional[Dict[str, Any]]:
    if refuse_drawn(space, op, where, 'albumentations', unsupported, notes):
        return None
    prob = float(op.prob)
    name = op.op
    if name == 'Identity':
        return None
    if name == 'SamplePairing':
        refuse('to_albumentations', where, 'SamplePairing has no '
               'albumentations op', unsupported, notes)
        return None
    simple = {'Invert': ('InvertImg', {}),
              'Equalize': ('Equalize', dict(mode='pil', by_channels=True)),
              'AutoContrast': ('AutoContrast', dict(method='pil'))}
    if name in simple:
        kind, args = simple[name]
        return _t(kind, prob, **args)
    value, signed = op_value(space, name, op.magnitude)
    center = space.range(name).center if signed else 0.0
    warp = (space.fill_for(name), space.interpolation_for(name))
    if name in GEOMETRIC_OPS and kernel_note('albumentations', warp[1]):
        notes.add(where, f'{name}: {kernel_note("albumentations", warp[1])}')
    if name == 'Rotate':
        return _signed(lambda v: _affine(warp, rotate=[clean(v)] * 2),
                       value, prob)
    if name in ('ShearX', 'ShearY'):
        axis = name[-1].lower()
        other = 'y' if axis == 'x' else 'x'
        notes.add(where, f'{name} {value:.4g} shears about the image centre'
                  f' (ours: the top-left corner): content shifted by '
                  f'{value:.4g} x ({"H" if axis == "x" else "W"} - 1) / 2 px')

        def shear(v):
            deg = clean(math.degrees(math.atan(v)))
            return _affine(warp, shear={axis: [deg, deg], other: [0.0, 0.0]})

        return _signed(shear, value, prob)
    if name in ('TranslateX', 'TranslateY'):
        axis = name[-1].lower()
        other = 'y' if axis == 'x' else 'x'

        def shift(v):  # albumentations moves content right for v > 0
            return _affine(warp, translate_percent={
                axis: [clean(-v)] * 2, other: [0.0, 0.0]})

        return _signed(shift, value, prob)
    if name == 'Solarize':
        if value > 255:
            return None  # no level reaches it: the op does nothing
        return _t('Solarize', prob, threshold_range=[clean(value / 255)] * 2)
    if name == 'Posterize':
        bits = int(round(value))
        if bits >= 8:
            return None  # 8 bits keep the image
        if bits < 1:
            notes.add(where, f'Posterize to {bits} bits is outside '
                      f'albumentations\' 1..7; became 1 bit (change '
                      f'{1 - bits:+d})')
            bits = 1
        return _t('Posterize', prob, num_bits=[bits, bits])
    factors = {'Brightness': 'brightness', 'Contrast': 'contrast',
               'Color': 'saturation'}
    if name in factors:
        key = factors[name]
        if signed:
            return _t('OneOf', prob, transforms=[
                _jitter(1.0, **{key: center + value}),
                _jitter(1.0, **{key: center - value})])
        return _jitter(prob, **{key: value})
    if name == 'Sharpness':
        values = [center + value, center - value] if signed else [value]
        if min(values) < 1.0:
            refuse('to_albumentations', where, f'Sharpness {min(values):.4g}'
                   ' < 1 blurs; albumentations\' Sharpen only sharpens',
                   unsupported, notes)
            return None
        sharpen = [_t('Sharpen', 1.0 if signed else prob,
                      alpha=[clean((f - 1.0) / 13.0)] * 2,
                      lightness=[1.0, 1.0], method='kernel')
                   for f in values]
        return _t('OneOf', prob, transforms=sharpen) if signed else \
            sharpen[0]
    if name == 'Cutout':
        if value <= 0:
            return None  # a square of side 0 paints nothing
        notes.add(where, 'Cutout becomes CoarseDropout: one hole placed '
                  'inside the image (ours: centred at a random pixel, '
                  f'clipped), of side {value:.4g} x height / width (ours: '
                  f'{value:.4g} x width + 1 px)')
        side = clean(value)
        return _t('CoarseDropout', prob, num_holes_range=[1, 1],
                  hole_height_range=[side, side],
                  hole_width_range=[side, side],
                  fill=[float(c) for c in space.cutout_fill])
    refuse('to_albumentations', where, f'{name} has no albumentations op',
           unsupported, notes)
    return None


__all__ = ['to_albumentations', 'albumentations_transform',
           'ALBUMENTATIONS_FORMAT']
