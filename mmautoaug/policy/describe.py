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


def _value(r, magnitude: float) -> float:
    """The parameter at ``magnitude`` in the range's own unit: pixels for
    ``unit='pixels'``, the unrounded size fraction for ``'size_pixels'``."""
    if r.unit == 'pixels':
        return float(r.param(magnitude, size=1))
    if r.unit == 'size_pixels':
        return r.low + magnitude * (r.high - r.low)
    return float(r.param(magnitude))


def _unit(r, op: str) -> str:
    fmt, unit = _units(op)
    if r.unit == 'pixels':
        return ' px'
    if r.unit == 'size_pixels':
        return unit + ' (whole pixels)'
    return unit


def _dist_text(op) -> str:
    dist = op.magnitude_dist
    if dist is None:
        return ''
    if dist.type == 'normal':
        return f', m ~ N({op.magnitude:.3g}, {dist.std:.3g})'
    levels = f', {dist.bins} levels' if dist.bins else ''
    return f', m ~ U[{dist.low:.3g}, {dist.high:.3g}]{levels}'


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
        >>> from mmautoaug.augment import AWS
        >>> describe_range(AWS, 'Rotate').endswith('filled with (0, 0, 0)')
        True
    """
    r = space.range(op)
    if not r.takes_magnitude:
        return 'no parameter'
    fmt, _ = _units(op)
    text = (f'm in [0, 1] -> {fmt.format(_value(r, 0.0))} .. '
            f'{fmt.format(_value(r, 1.0))}{_unit(r, op)}')
    if r.rounding:
        text += f', rounded {r.rounding.replace("_", " ")}'
    if r.signed:
        text += ', mirrored with p=0.5'
    return text + _warp_text(space, op)


def _warp_text(space: SearchSpace, op: str) -> str:
    """How a geometric op samples and fills, where the space gives the op
    its own (the ``aws`` space's bicubic shears and black Rotate)."""
    r = space.range(op)
    parts = []
    if r.interpolation != 'nearest':
        parts.append(f'sampled {r.interpolation} (PIL\'s filter)')
    if r.fill is not None:
        parts.append(f'filled with {tuple(r.fill)}')
    return ''.join(', ' + p for p in parts)


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
    fmt, _ = _units(op.op)
    unit = _unit(r, op.op) + _dist_text(op)
    value = _value(r, float(op.magnitude))
    if r.signed:
        offset = abs(value - r.center)
        if r.center:
            return f'{r.center:g} +/- {fmt.format(offset)}{unit}'
        return f'+/-{fmt.format(offset)}{unit}'
    return f'{fmt.format(value)}{unit}'
