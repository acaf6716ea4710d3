# Copyright (c) mmautoaug contributors. All rights reserved.
"""What every converter shares: reading an op's parameter out of a policy,
finding the magnitude that gives a parameter back, and reporting (or
refusing, with ``strict=True``) every place a conversion is not exact."""
import math
import numbers
import warnings
from typing import Any, Callable, List, Optional, Sequence, Tuple

from mmautoaug.augment.spaces import SearchSpace
from ..errors import ConversionWarning, PolicyError

#: Relative difference below which two parameters count as equal.
EXACT_TOL = 1e-6
CHANNEL_ORDERS = ('rgb', 'bgr')


class Notes:
    """Collects what a conversion changes; :meth:`finish` warns once with
    all of it (or raises :class:`PolicyError` when ``strict``).

    Args:
        target (str): What is being converted, for the message.
        strict (bool): Raise instead of warning.
    """

    def __init__(self, target: str, strict: bool = False):
        self.target = target
        self.strict = strict
        self.items: List[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f'{where}: {message}')

    def finish(self) -> None:
        if not self.items:
            return
        text = (f'{self.target}: the conversion is not exact '
                f'({len(self.items)} place(s)):\n  ' +
                '\n  '.join(self.items))
        if self.strict:
            raise PolicyError(text + '\n(strict=True refuses inexact '
                              'conversions; pass strict=False to accept '
                              'them with this warning)')
        warnings.warn(text, ConversionWarning, stacklevel=3)


def op_value(space: SearchSpace,
             op: str,
             magnitude: float,
             size: Optional[int] = None) -> Tuple[Optional[float], bool]:
    """The parameter an op applies, as other libraries state it.

    Args:
        size (int, optional): The image length along the op's axis, for
            ranges in pixels (the baseline spaces); see :func:`axis_size`.

    Returns:
        tuple: ``(value, signed)``. For signed ops ``value`` is the distance
        from the identity (``|param - center|``, the sign being drawn at
        random); otherwise the parameter itself. ``(None, False)`` for ops
        without a parameter.
    """
    r = space.range(op)
    if not r.takes_magnitude:
        return None, False
    param = float(r.param(float(magnitude), size=size))
    if r.signed:
        return abs(param - r.center), True
    return param, False


def magnitude_for(space: SearchSpace, op: str, value: Optional[float],
                  where: str, notes: Notes) -> float:
    """The normalised magnitude at which ``op`` applies ``value``.

    The inverse of :func:`op_value`. When no magnitude in [0, 1] gives
    ``value`` exactly (outside the space's range, between two integer
    steps) the closest one is used and the change goes into ``notes``.

    Args:
        space (SearchSpace): The target space.
        op (str): The op.
        value (float | None): As :func:`op_value` returns it.
        where (str): The place, for notes.
        notes (Notes): Where changes are reported.
    """
    r = space.range(op)
    if not r.takes_magnitude:
        return 0.0
    span = r.high - r.low
    target = value + r.center if r.signed else value
    m = (target - r.low) / span
    if r.signed and not -1e-9 <= m <= 1 + 1e-9:
        mirrored = (r.center - value - r.low) / span
        if -1e-9 <= mirrored <= 1 + 1e-9:
            m = mirrored
    if not -1e-9 <= m <= 1 + 1e-9:
        lo, hi = sorted((r.param(0.0), r.param(1.0)))
        notes.add(where, f'{op} {value:.6g} is outside the {space.name!r} '
                  f'space\'s range [{lo:.6g}, {hi:.6g}]; clipped')
    m = min(max(m, 0.0), 1.0)
    if r.rounding:
        m = _snap(space, op, m, value)
    got, _ = op_value(space, op, m)
    if abs(got - value) > EXACT_TOL * max(1.0, abs(value)):
        notes.add(where, f'{op} {value:.6g} is not reachable in the '
                  f'{space.name!r} space; became {got:.6g} '
                  f'(change {got - value:+.4g})')
    return m


def _snap(space: SearchSpace, op: str, m: float, value: float) -> float:
    """Float error can put ``m * span`` just below an integer that
    truncation then loses; nudge ``m`` to the magnitude that reproduces the
    integer parameter, if one is within a hair."""
    best = m
    for cand in (m, m + 1e-9, m - 1e-9):
        cand = min(max(cand, 0.0), 1.0)
        got, _ = op_value(space, op, cand)
        if math.isclose(got, value, rel_tol=0, abs_tol=1e-9):
            return cand
    return best


def axis_size(space: SearchSpace, op: str, image_size, where: str,
              target: str) -> Optional[int]:
    """The image length a pixel range of ``op`` needs (``None`` when its
    range is not in pixels); a clear error when ``image_size`` is missing.

    Args:
        image_size (int | tuple[int, int], optional): ``W`` or ``(H, W)``.
    """
    r = space.range(op)
    if not r.needs_size:
        return None
    if image_size is None:
        raise PolicyError(
            f'{where}: {op} of the {space.name!r} space is measured in '
            f'pixels ({r.unit}) but {target} takes a fraction of the image '
            'size; pass image_size (the width, or (height, width)) of the '
            'images')
    if isinstance(image_size, int):
        height = width = image_size
    else:
        height, width = (int(v) for v in image_size)
    return r.axis_length(height, width)

def number(cfg: dict,
           key: str,
           where: str,
           low: Optional[float] = None,
           high: Optional[float] = None) -> float:
    """``cfg[key]`` as a float, or a :class:`PolicyError` naming the field.

    Args:
        cfg (dict): An op's config (defaults merged in).
        key (str): The field.
        where (str): The op's place, e.g. ``'policies[0][1]'``.
        low (float, optional): Smallest allowed value.
        high (float, optional): Largest allowed value.

    Examples:
        >>> number(dict(prob=0.5), 'prob', 'policies[0][0]', 0, 1)
        0.5
    """
    value = cfg.get(key)
    span = '' if low is None else f' in [{low:g}, {high:g}]'
    if not is_number(value):
        raise PolicyError(f'{where}.{key}: expected a number{span}, got '
                          f'{type(value).__name__} {short(value)}')
    if low is not None and not low <= value <= high:
        raise PolicyError(f'{where}.{key}: {value} is outside '
                          f'[{low:g}, {high:g}]')
    return float(value)


def is_number(value: Any) -> bool:
    """A finite real number (not a bool)."""
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and math.isfinite(float(value)))


def short(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters for messages."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + '...'


def fill_in_order(fill: Sequence[int], channel_order: str) -> tuple:
    """A space's RGB fill colour in the pipeline's channel order."""
    if channel_order not in CHANNEL_ORDERS:
        raise ValueError(f'channel_order: {channel_order!r} is not one of '
                         f'{list(CHANNEL_ORDERS)}')
    fill = tuple(int(c) for c in fill)
    return fill[::-1] if channel_order == 'bgr' else fill


def op_fill(space: SearchSpace, op: str, channel_order: str = 'rgb') -> tuple:
    """The fill colour of a geometric op (its own, as the ``aws`` space's
    black Rotate, else the space's), in the pipeline's channel order."""
    return fill_in_order(space.fill_for(op), channel_order)


def kernel_note(target: str, interpolation: str) -> Optional[str]:
    """What changes when ``target`` samples a geometric op with OpenCV's
    ``interpolation`` kernel where the op library replays PIL's (``None``
    for ``'nearest'``, which has no kernel)."""
    if interpolation == 'nearest':
        return None
    ours = 'cubic convolution, a = -1' if interpolation == 'bicubic' \
        else 'kernel'
    # measured: ShearX 0.1 and 0.3, bicubic, skimage's astronaut at 48 and
    # 160 px, mmcv.imshear against the op library
    return (f'{target} samples {interpolation} with OpenCV\'s kernel (ours: '
            f'PIL\'s {ours}): the pixels differ, for a bicubic shear by 1-5 '
            'levels on average and up to 85 at sharp edges')


def clean(x: float) -> float:
    """``x`` to 12 significant digits: ``0.6399999999999999`` -> ``0.64``
    in written configs (far below any op's resolution)."""
    return float(f'{x:.12g}')


def type_name(cfg_type: str) -> str:
    """``'mmpretrain.Rotate'`` -> ``'Rotate'``."""
    return cfg_type.rsplit('.', 1)[-1]


def scoped(name: str, scope: Optional[str]) -> str:
    return f'{scope}.{name}' if scope else name


def assemble_policy(space: SearchSpace, subs_cfg: Sequence[Sequence[dict]],
                    read_op: Callable[[dict, str], Optional[object]],
                    notes: Notes, weights: Optional[Sequence[float]],
                    meta: Optional[dict], source: str):
    """Build a :class:`Policy` from another codebase's sub-policy configs.

    Args:
        space (SearchSpace): The space the magnitudes are expressed in.
        subs_cfg (list[list[dict]]): The other codebase's sub-policies.
        read_op (callable): ``read_op(op_cfg, where) -> PolicyOp | None``;
            ``None`` drops an op that has no counterpart (after noting it).
        notes (Notes): Collects what could not be converted exactly.
        weights (list[float], optional): Sub-policy weights.
        meta (dict, optional): Metadata; ``source`` is set if absent.
        source (str): What the policy was converted from.

    Returns:
        Policy: The policy. A sub-policy whose ops were all dropped is kept as
        one never-applied op, so that sub-policy indices and weights still
        line up with the source.
    """
    from ..policy import Policy, PolicyOp
    subs = []
    for i, sub in enumerate(subs_cfg):
        ops = []
        for j, t in enumerate(sub):
            op = read_op(t, f'policies[{i}][{j}]')
            if op is not None:
                ops.append(op)
        if not ops:
            notes.add(f'policies[{i}]', 'no op left; kept as one op with '
                      'prob 0 (never applied)')
            ops.append(PolicyOp(space.ops[0], 0.0, 0.0))
        subs.append(ops)
    notes.finish()
    meta = dict(meta or {})
    meta.setdefault('source', f'converted from a {source} config')
    return Policy(space, subs, weights, meta)


# -- shared by the exporters to libraries that cannot state everything ----- #
UNSUPPORTED_MODES = ('error', 'drop')


def check_unsupported_mode(unsupported: str) -> None:
    if unsupported not in UNSUPPORTED_MODES:
        raise ValueError(f'unsupported: {unsupported!r} is not one of '
                         f'{list(UNSUPPORTED_MODES)}')


def refuse(target: str, where: str, message: str, unsupported: str,
           notes: Notes) -> None:
    """An op (or value) the target library cannot express: raise
    :class:`PolicyError` naming it, or (``unsupported='drop'``) note that
    it is left out."""
    if unsupported == 'error':
        raise PolicyError(
            f'{target}: {where}: {message}; pass unsupported=\'drop\' '
            '(tools/policy/convert.py --drop-unsupported) to leave it out '
            'with a warning')
    notes.add(where, f'{message}; dropped')


def refuse_drawn(space: SearchSpace, op, where: str, target: str,
                 unsupported: str, notes: Notes) -> bool:
    """Refuse (or, with ``unsupported='drop'``, drop) an op that a target
    stating one fixed value per op cannot express: a magnitude drawn per
    application (``magnitude_dist``, the baselines) or a range in pixels
    (the baseline spaces). Returns whether the op was dropped."""
    r = space.range(op.op)
    if op.magnitude_dist is not None and r.takes_magnitude:
        refuse(target, where, f'{op.op} draws its magnitude at each '
               f'application ({op.magnitude_dist.to_dict()}); {target} '
               'states one value per op', unsupported, notes)
        return True
    if r.needs_size:
        refuse(target, where, f'{op.op} of the {space.name!r} space is '
               f'measured in pixels ({r.unit}); {target} states a fraction '
               'of the size', unsupported, notes)
        return True
    return False


def uniform_repeats(probabilities: Sequence[float], resolution: int,
                    notes: Notes, target: str) -> List[int]:
    """How often to list each sub-policy so that a UNIFORM choice among the
    copies picks it with its weight (for libraries without weights).

    Counts are the largest-remainder rounding of ``weight x resolution``,
    reduced by their greatest common divisor; every change of a weight goes
    into ``notes`` with its size.

    Args:
        probabilities (Sequence[float]): The sub-policy weights (sum 1).
        resolution (int): Copies to share out before the reduction.
        notes (Notes): Where changes are reported.
        target (str): The library, for the message.

    Returns:
        list[int]: One count per sub-policy (0 drops it).
    """
    probs = [float(p) for p in probabilities]
    if max(probs) - min(probs) <= 1e-12:
        return [1] * len(probs)
    if isinstance(resolution, bool) or not isinstance(resolution, int) or \
            resolution < 1:
        raise ValueError(f'weight_resolution: must be a positive integer, '
                         f'got {resolution!r}')
    exact = [p * resolution for p in probs]
    counts = [int(math.floor(e)) for e in exact]
    order = sorted(range(len(probs)), key=lambda i: counts[i] - exact[i])
    for i in order[:resolution - sum(counts)]:
        counts[i] += 1
    divisor = 0
    for c in counts:
        divisor = math.gcd(divisor, c)
    counts = [c // divisor for c in counts]
    total = sum(counts)
    changes = [(i, p, c / total) for i, (p, c) in enumerate(zip(probs, counts))
               if abs(c / total - p) > 1e-9]
    head = (f'{target} picks sub-policies uniformly: each is listed '
            f'round(weight x {resolution}) times')
    if len(changes) <= 5:
        for i, p, got in changes:
            notes.add(f'weights[{i}]', f'{head}; {p:.6g} becomes {got:.6g} '
                      f'(change {got - p:+.3g})')
    else:
        i, p, got = max(changes, key=lambda x: abs(x[2] - x[1]))
        notes.add('weights', f'{head}; {len(changes)} weights change, the '
                  f'most weights[{i}]: {p:.6g} becomes {got:.6g} (change '
                  f'{got - p:+.3g}); {sum(1 for c in counts if not c)} '
                  'sub-policies drop out')
    return counts
