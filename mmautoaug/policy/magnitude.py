# Copyright (c) mmautoaug contributors. All rights reserved.
"""Magnitudes drawn anew each time an op is applied (format version 2).

A policy op normally applies one fixed normalised magnitude. The baselines
users compare a search against draw it instead: TrivialAugment draws one of
31 levels uniformly, UniformAugment a value uniformly in the range, timm's
RandAugment (``rand-m9-mstd0.5``) a normal value around its level. A
:class:`MagnitudeDist` says which; it is stored in the op's JSON as::

    {"op": "Rotate", "prob": 1.0, "magnitude": 0.5,
     "magnitude_dist": {"type": "uniform", "low": 0.0, "high": 1.0,
                        "bins": 31}}

=========  ==================================================  =============
type       each application draws                              keys
=========  ==================================================  =============
uniform    ``m ~ U[low, high]``; with ``bins = n``: one of the  low, high,
           ``n`` levels ``low + (high - low) * k / (n - 1)``,   bins (opt.)
           ``k`` uniform in ``0 .. n - 1`` (torchvision's
           ``linspace`` levels)
normal     ``m ~ N(magnitude, std)`` clipped to [0, 1]          std
           (timm's ``magnitude_std``)
=========  ==================================================  =============

The op's ``magnitude`` stays what tools show and converters fall back to:
the centre of a normal, the middle of a uniform range (as the baselines
write it).

:func:`draw_magnitudes` turns uniform and normal variates into magnitudes on
numpy arrays or torch tensors alike, so the per-image face (numpy
generator) and the batched face (torch generator) share one definition.
"""
import math
import numbers
from dataclasses import dataclass
from typing import Any, Dict, Optional

import numpy as np

from .errors import PolicyError

#: ``magnitude_dist.type`` values.
DIST_TYPES = ('uniform', 'normal')
_KEYS = {
    'uniform': ('type', 'low', 'high', 'bins'),
    'normal': ('type', 'std'),
}
#: Codes of :meth:`MagnitudeDist.code` in the batched arrays.
FIXED, UNIFORM, UNIFORM_BINS, NORMAL = 0, 1, 2, 3


def _real(x: Any) -> bool:
    return (isinstance(x, numbers.Real) and not isinstance(x, bool)
            and math.isfinite(float(x)))


@dataclass(frozen=True)
class MagnitudeDist:
    """How an op draws its normalised magnitude at each application.

    Args:
        type (str): ``'uniform'`` or ``'normal'`` (see the module docstring).
        low (float): Uniform: lowest magnitude, in [0, 1].
        high (float): Uniform: highest magnitude, in [low, 1].
        bins (int, optional): Uniform: draw one of ``bins`` equally spaced
            levels from ``low`` to ``high`` (both included) instead of a
            continuous value; at least 2.
        std (float, optional): Normal: standard deviation (> 0) around the
            op's ``magnitude``; draws are clipped to [0, 1].

    Examples:
        >>> d = MagnitudeDist('uniform', 0.0, 1.0, bins=31)
        >>> d.sample(0.5, np.random.default_rng(0)) * 30 % 1 == 0
        True
        >>> MagnitudeDist.from_dict({'type': 'normal', 'std': 0.05})
        MagnitudeDist(type='normal', low=0.0, high=1.0, bins=None, std=0.05)
    """
    type: str
    low: float = 0.0
    high: float = 1.0
    bins: Optional[int] = None
    std: Optional[float] = None

    def __post_init__(self):
        check_dist(self, 'magnitude_dist')

    def to_dict(self) -> Dict[str, Any]:
        """The JSON layout (only the keys of its type)."""
        if self.type == 'normal':
            return {'type': 'normal', 'std': self.std}
        out = {'type': 'uniform', 'low': self.low, 'high': self.high}
        if self.bins is not None:
            out['bins'] = self.bins
        return out

    @classmethod
    def from_dict(cls, data: Any,
                  where: str = 'magnitude_dist') -> 'MagnitudeDist':
        """Read the JSON layout; errors name ``where`` and the allowed
        values."""
        if isinstance(data, MagnitudeDist):
            return data
        if not isinstance(data, dict):
            raise PolicyError(f'{where}: expected a dict with "type" in '
                              f'{list(DIST_TYPES)}, got '
                              f'{type(data).__name__} {data!r}')
        kind = data.get('type')
        if kind not in DIST_TYPES:
            raise PolicyError(f'{where}.type: {kind!r}; allowed: '
                              f'{list(DIST_TYPES)}')
        unknown = sorted(set(data) - set(_KEYS[kind]))
        if unknown:
            raise PolicyError(f'{where}: unknown keys {unknown} for type '
                              f'{kind!r}; allowed: {list(_KEYS[kind])}')
        if kind == 'normal':
            if 'std' not in data:
                raise PolicyError(f'{where}.std: missing; a normal '
                                  'distribution needs its std')
            return _build(cls, where, type='normal', std=data['std'])
        for key in ('low', 'high'):
            if key not in data:
                raise PolicyError(f'{where}.{key}: missing; a uniform '
                                  'distribution has low and high')
        return _build(cls, where, type='uniform', low=data['low'],
                      high=data['high'], bins=data.get('bins'))

    @property
    def code(self) -> int:
        """:data:`UNIFORM`, :data:`UNIFORM_BINS` or :data:`NORMAL`."""
        if self.type == 'normal':
            return NORMAL
        return UNIFORM if self.bins is None else UNIFORM_BINS

    @property
    def mean(self) -> Optional[float]:
        """Mean of a uniform draw (``None`` for normal: it depends on the
        centre and the clipping)."""
        return None if self.type == 'normal' else (self.low + self.high) / 2

    def levels(self) -> Optional[np.ndarray]:
        """The ``bins`` levels of a discrete uniform, else ``None``."""
        if self.bins is None:
            return None
        k = np.arange(self.bins, dtype=np.float64)
        return self.low + (self.high - self.low) * k / (self.bins - 1)

    def sample(self, center: float, rng: np.random.Generator) -> float:
        """Draw one magnitude (``center`` is the op's ``magnitude``).

        Draws one variate from ``rng``: ``rng.random()`` for uniform,
        ``rng.standard_normal()`` for normal.
        """
        if self.type == 'normal':
            return float(draw_magnitudes(NORMAL, center, self.low, self.high,
                                         0, self.std, 0.0,
                                         rng.standard_normal()))
        return float(draw_magnitudes(self.code, center, self.low, self.high,
                                     self.bins or 0, 0.0, rng.random(), 0.0))


def _build(cls, where: str, **fields) -> MagnitudeDist:
    try:
        return cls(**fields)
    except PolicyError as e:
        raise PolicyError(str(e).replace('magnitude_dist', where, 1)) \
            from None


def check_dist(dist: MagnitudeDist, where: str) -> None:
    """Raise :class:`PolicyError` naming ``where`` unless ``dist`` is valid."""
    if dist.type not in DIST_TYPES:
        raise PolicyError(f'{where}.type: {dist.type!r}; allowed: '
                          f'{list(DIST_TYPES)}')
    if dist.type == 'normal':
        if not _real(dist.std) or not dist.std > 0:
            raise PolicyError(f'{where}.std: {dist.std!r}; allowed: a '
                              'finite number > 0')
        if (dist.low, dist.high, dist.bins) != (0.0, 1.0, None):
            raise PolicyError(f'{where}: a normal distribution takes only '
                              '"std" (draws are clipped to [0, 1])')
        return
    if dist.std is not None:
        raise PolicyError(f'{where}.std: a uniform distribution has no std; '
                          'allowed keys: low, high, bins')
    for key in ('low', 'high'):
        value = getattr(dist, key)
        if not _real(value) or not 0.0 <= value <= 1.0:
            raise PolicyError(f'{where}.{key}: {value!r}; allowed: a number '
                              'in [0, 1]')
    if dist.low > dist.high:
        raise PolicyError(f'{where}: low {dist.low} > high {dist.high}; '
                          'allowed: low <= high')
    if dist.bins is not None and (isinstance(dist.bins, bool) or
                                  not isinstance(dist.bins, numbers.Integral)
                                  or dist.bins < 2):
        raise PolicyError(f'{where}.bins: {dist.bins!r}; allowed: an '
                          'integer >= 2, or null for a continuous draw')


def draw_magnitudes(code, center, low, high, bins, std, u, z):
    """Magnitudes from variates, elementwise on numpy or torch alike.

    Args:
        code: :data:`FIXED`, :data:`UNIFORM`, :data:`UNIFORM_BINS` or
            :data:`NORMAL` (an int or an integer array).
        center: the ops' ``magnitude`` (returned where ``code`` is FIXED).
        low, high: uniform bounds.
        bins: number of levels (UNIFORM_BINS).
        std: normal standard deviation.
        u: uniform variates in [0, 1).
        z: standard normal variates.

    Returns:
        The magnitudes in [0, 1] (float64 arrays / tensors, or a float).

    Examples:
        >>> draw_magnitudes(UNIFORM_BINS, 0.5, 0.0, 1.0, 31, 0.0, 0.999, 0.)
        1.0
        >>> draw_magnitudes(NORMAL, 0.9, 0.0, 1.0, 0, 0.05, 0.0, 4.0)
        1.0
    """
    xp = np
    if type(u).__module__.startswith('torch') or type(
            center).__module__.startswith('torch'):
        import torch
        xp = torch
    uniform = low + (high - low) * u
    # the level index k of a discrete uniform: floor(u * bins), kept below
    # bins (u < 1, but float rounding of u * bins may reach it)
    safe_bins = bins * 1.0 + (bins < 2) * 2.0  # never divide by 0 or -1
    k = xp.clip(xp.floor(u * safe_bins), None, safe_bins - 1)
    levels = low + (high - low) * k / (safe_bins - 1)
    normal = xp.clip(center + std * z, 0.0, 1.0)
    out = xp.where(code == UNIFORM, uniform, center * 1.0)
    out = xp.where(code == UNIFORM_BINS, levels, out)
    out = xp.where(code == NORMAL, normal, out)
    if xp is np and np.ndim(out) == 0:
        return float(out)
    return out
