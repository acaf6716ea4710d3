# Copyright (c) mmautoaug contributors. All rights reserved.
"""Policy ops in words, for tables and figure titles."""
from mmautoaug.augment.spaces import BOX_OPS, SearchSpace

# How each op's parameter reads: (format of one value, unit).
_UNITS = {
    'ShearX': ('{:.3g}', ' (shear factor)'),
    'ShearY': ('{:.3g}', ' (shear factor)'),
    'TranslateX': ('{:.3g}', ' x width'),
    'TranslateY': ('{:.3g}', ' x height'),
    'Rotate': ('{:.3g}', ' deg'),
    'Solarize': ('{:.4g}', ' (invert pixels >= threshold)'),
    'Posterize': ('{:.0f}', ' bits kept'),
    'Contrast': ('{:.3g}', ' (factor, 1 = identity)'),
    'Color': ('{:.3g}', ' (factor, 1 = identity)'),
    'Brightness': ('{:.3g}', ' (factor, 1 = identity)'),
    'Sharpness': ('{:.3g}', ' (factor, 1 = identity)'),
    'Cutout': ('{:.3g}', ' x width (square side)'),
    'ClippedCutout': ('{:.0f}', ' px (square side, clipped at the borders)'),
    'SamplePairing': ('{:.3g}', ' (weight of the paired image)'),
}


def _units(op: str) -> tuple:
    """``_UNITS`` of an op; a box-level op reads its base op's on the box
    (its fractions are of the box's size)."""
    if op in BOX_OPS:
        fmt, unit = _UNITS[BOX_OPS[op]]
        unit = unit.replace('width', 'box width').replace(
            'height', 'box height')
        return fmt, unit + ' inside each box'
    return _UNITS[op]


def describe_range(space: SearchSpace, op: str) -> str:
    """How the space maps a magnitude of ``op`` to its parameter.

    Examples:
        >>> from mmautoaug.augment import FASTAA
        >>> describe_range(FASTAA, 'Rotate')
        'm in [0, 1] -> -30 .. 30 deg, mirrored with p=0.5'
        >>> describe_range(FASTAA, 'Equalize')
        'no parameter'
    """
    r = space.range(op)
    if not r.takes_magnitude:
        return 'no parameter'
    fmt, unit = _units(op)
    text = (f'm in [0, 1] -> {fmt.format(r.param(0.0))} .. '
            f'{fmt.format(r.param(1.0))}{unit}')
    if r.rounding:
        text += f', rounded {r.rounding.replace("_", " ")}'
    if r.signed:
        text += ', mirrored with p=0.5'
    return text


def describe_op(space: SearchSpace, op) -> str:
    """The parameter an op of a policy applies, e.g. ``'+/-15 deg'``.

    Args:
        space (SearchSpace): The policy's space.
        op (PolicyOp): The op.

    Examples:
        >>> from mmautoaug.augment import FASTAA
        >>> from mmautoaug.policy import PolicyOp
        >>> describe_op(FASTAA, PolicyOp('Rotate', 0.5, 0.75))
        '+/-15 deg'
        >>> describe_op(FASTAA, PolicyOp('Posterize', 0.5, 0.6))
        '6 bits kept'
    """
    r = space.range(op.op)
    if not r.takes_magnitude:
        return '-'
    fmt, unit = _units(op.op)
    value = r.param(float(op.magnitude))
    if r.signed:
        offset = abs(value - r.center)
        if r.center:
            return f'{r.center:g} +/- {fmt.format(offset)}{unit}'
        return f'+/-{fmt.format(offset)}{unit}'
    return f'{fmt.format(value)}{unit}'
