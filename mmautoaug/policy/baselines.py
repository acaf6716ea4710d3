# Copyright (c) mmautoaug contributors. All rights reserved.
"""The augmentations a search is compared against, as policies.

Each baseline is an ordinary :class:`~mmautoaug.policy.Policy`, so the
per-image transforms, the batched augmentor and the converters apply it with
the op library like any searched policy. "Ops drawn uniformly" is written as
every ordered tuple of ops as one sub-policy, picked uniformly (the same
distribution: N independent uniform picks are a uniform pick of an N-tuple);
magnitudes drawn per application use ``magnitude_dist`` (format version 2,
:mod:`.magnitude`).

Build one from a spec string (what configs and ``tools/analysis/
compare_policies.py`` take) with :func:`build_baseline`, or through
:func:`~mmautoaug.policy.load_policy`:

=============================================  ==============================
spec                                           policy
=============================================  ==============================
``trivialaugment_wide``                        torchvision's TrivialAugmentWide
                                               (one op, 31 magnitude levels)
``randaugment:n=2,m=9``                        torchvision's RandAugment
                                               (``n`` ops, level ``m`` of 31;
                                               ``bins=``, ``mstd=`` optional)
``rand-m9-mstd0.5`` (timm's string)            timm's RandAugment sampling on
                                               torchvision's ops (see below)
``uniformaugment:n=2``                         UniformAugment
``uniform:space=fastaa,n=2,prob=0.5``          UniformAugment over any space
``random:space=fastaa,sub_policies=25,ops=2,   a fixed random policy drawn
seed=0``                                       once (the "random policy" of
                                               the search papers)
=============================================  ==============================

Examples:
    >>> policy = build_baseline('randaugment:n=2,m=9')
    >>> len(policy), policy.space_name
    (196, 'randaugment')
    >>> build_baseline('trivialaugment_wide').meta['name']
    'trivialaugment_wide'
"""
import itertools
import math
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np

from mmautoaug.augment.spaces import SPACES, SearchSpace, get_space
from .errors import PolicyError, closest_name
from .magnitude import MagnitudeDist
from .policy import Policy, PolicyOp

#: The most sub-policies a baseline may enumerate (``len(ops) ** n``).
MAX_SUB_POLICIES = 100_000
#: torchvision's default number of magnitude levels (``num_magnitude_bins``).
TORCHVISION_BINS = 31
#: timm's magnitude scale: level ``M`` is ``M / 10`` of an op's maximum
#: (``_LEVEL_DENOM`` of timm's auto_augment.py).
TIMM_LEVELS = 10


# --------------------------------------------------------------------- #
def trivialaugment_wide(bins: int = TORCHVISION_BINS) -> Policy:
    """TrivialAugment (wide), as torchvision's ``TrivialAugmentWide``.

    Per image: one op drawn uniformly from the 14 of the
    ``'trivialaugment_wide'`` space, applied always, at one of ``bins``
    levels drawn uniformly (``linspace(0, max, bins)``), with a random sign
    where the op is signed.

    Args:
        bins (int): Number of magnitude levels (torchvision's
            ``num_magnitude_bins``). Defaults to 31.
    """
    _check_int('bins', bins, 2)
    space = get_space('trivialaugment_wide')
    dist = MagnitudeDist('uniform', 0.0, 1.0, bins=bins)
    subs = [[_op(space, op, 1.0, 0.5, dist)] for op in space.ops]
    return Policy(space, subs, None, _meta(
        _spec('trivialaugment_wide', bins=(bins, TORCHVISION_BINS)),
        method='trivialaugment',
        source='Mueller & Hutter, "TrivialAugment: Tuning-free Yet '
        'State-of-the-Art Data Augmentation", ICCV 2021; semantics of '
        'torchvision 0.29 transforms.TrivialAugmentWide',
        notes='One sub-policy per op, picked uniformly; the magnitude is '
        f'one of {bins} levels drawn uniformly (magnitude_dist).'))


def randaugment(n: int = 2,
                m: float = 9,
                bins: int = TORCHVISION_BINS,
                mstd: float = 0.0) -> Policy:
    """RandAugment, as torchvision's ``RandAugment(num_ops=n, magnitude=m,
    num_magnitude_bins=bins)``.

    Per image: ``n`` ops drawn uniformly with replacement from the 14 of
    the ``'randaugment'`` space, applied in order, always, at level ``m`` of
    ``bins`` (normalised magnitude ``m / (bins - 1)``), with a random sign
    where the op is signed.

    Args:
        n (int): Ops per image. Defaults to 2.
        m (float): Level in ``[0, bins - 1]``. Defaults to 9 (torchvision's
            default).
        bins (int): Number of levels. Defaults to 31.
        mstd (float): When > 0, the level is drawn per application from a
            normal around ``m`` with this std (timm's ``magnitude_std``),
            clipped to the range; ``inf`` draws it uniformly from
            ``[0, m]``. Defaults to 0.
    """
    _check_int('n', n, 1)
    _check_int('bins', bins, 2)
    if not _real(m) or not 0 <= m <= bins - 1:
        raise PolicyError(f'm: {m!r}; allowed: a level in [0, {bins - 1}] '
                          f'(bins={bins})')
    magnitude, dist = _level_draw(m / (bins - 1), mstd / (bins - 1), 'mstd',
                                  mstd)
    spec = _spec('randaugment', n=(n, None), m=(m, None),
                 bins=(bins, TORCHVISION_BINS), mstd=(mstd, 0.0))
    return _all_tuples(
        get_space('randaugment'), n, 1.0, magnitude, dist,
        _meta(spec, method='randaugment',
              source='Cubuk, Zoph, Shlens, Le, "RandAugment: Practical '
              'automated data augmentation with a reduced search space", '
              'CVPR Workshops 2020; semantics of torchvision 0.29 '
              'transforms.RandAugment',
              notes=f'Every ordered {n}-tuple of the 14 ops is a '
              'sub-policy, picked uniformly (= n ops drawn uniformly with '
              f'replacement); level {_fmt(m)} of {bins} is the magnitude '
              f'{_fmt(m)}/{bins - 1}.'))


def randaugment_timm(config: str) -> Policy:
    """timm's RandAugment string (``'rand-m9-mstd0.5'``, ``'rand-m7-n3'``)
    read on the ``'randaugment'`` space.

    timm's numbers keep their meaning: ``n`` ops per image (default 2),
    each applied with probability 0.5 (timm's ``AugmentOp`` default), at
    level ``m`` of timm's 10 (the normalised magnitude ``m / 10``), drawn
    per application from a normal with std ``mstd / 10`` clipped to
    [0, 1] when ``mstd`` is given (uniformly from ``[0, m / 10]`` when
    ``mstd > 100``, timm's "inf"). The ops are torchvision's 14 with their
    ranges (the op library has no timm-only op): timm's own list has
    Invert and SolarizeAdd instead of Identity, unsigned enhancement factors
    0.1-1.9 (signed ``1 +/- 0.9`` with ``inc1``), samples with random
    bilinear/bicubic resampling and fills with the data's mean.
    """
    parts = config.split('-')
    if parts[0] != 'rand':
        raise PolicyError(f'{config!r}: a timm RandAugment string starts '
                          "with 'rand-', e.g. 'rand-m9-mstd0.5'")
    values: Dict[str, float] = {}
    allowed = ('m', 'n', 'mstd', 'inc', 'mmax')
    for part in parts[1:]:
        key = next((k for k in sorted(allowed, key=len, reverse=True)
                    if part.startswith(k)), None)
        if key is None:
            raise PolicyError(f'{config!r}: unknown section {part!r}; '
                              f'allowed: {list(allowed)} followed by a number')
        values[key] = _number(part[len(key):], f'{config!r}: {key}')
    if values.get('mmax', TIMM_LEVELS) != TIMM_LEVELS:
        raise PolicyError(f'{config!r}: mmax {values["mmax"]} is not '
                          f'supported; allowed: {TIMM_LEVELS} (magnitudes '
                          'stay within each op\'s range)')
    if 'm' not in values:
        raise PolicyError(f'{config!r}: missing the level, e.g. -m9')
    n = int(values.get('n', 2))
    m, mstd = values['m'], values.get('mstd', 0.0)
    _check_int('n', values.get('n', 2), 1)
    if not 0 <= m <= TIMM_LEVELS:
        raise PolicyError(f'{config!r}: m {m}; allowed: a level in [0, '
                          f'{TIMM_LEVELS}]')
    if mstd > 100:  # timm: magnitude_std > 100 means 'inf'
        mstd = math.inf
    magnitude, dist = _level_draw(m / TIMM_LEVELS, mstd / TIMM_LEVELS,
                                  'mstd', mstd)
    return _all_tuples(
        get_space('randaugment'), n, 0.5, magnitude, dist,
        _meta(config, method='randaugment',
              source='Cubuk et al., RandAugment, CVPR Workshops 2020; the '
              'level/std sampling of timm (rwightman/pytorch-image-models, '
              'timm/data/auto_augment.py rand_augment_transform)',
              notes='timm\'s N, M (of 10), mstd and op probability 0.5 on '
              'torchvision\'s 14 ops and ranges; timm\'s op list (Invert, '
              'SolarizeAdd), unsigned enhancement factors, random '
              'bilinear/bicubic resampling and mean fill are not replayed.'))


def uniform(space: str = 'fastaa', n: int = 2, prob: float = 0.5) -> Policy:
    """UniformAugment over any space: ``n`` ops drawn uniformly with
    replacement, each applied with probability ``prob`` at a magnitude drawn
    uniformly (continuous, or over the space's bins; the AWS space draws
    among its (op, level) candidates).

    Args:
        space (str): The space. Defaults to ``'fastaa'``.
        n (int): Ops per image. Defaults to 2.
        prob (float): Probability of applying each op. Defaults to 0.5:
            UniformAugment draws ``p ~ U(0, 1)`` and applies the op when
            another ``U(0, 1)`` draw is below it, i.e. with probability 1/2.
    """
    target = _space(space)
    _check_int('n', n, 1)
    if not _real(prob) or not 0 <= prob <= 1:
        raise PolicyError(f'prob: {prob!r}; allowed: a number in [0, 1]')
    choices = _choices(target)
    count = len(choices)**n
    _check_count(count, f'uniform over {count} = {len(choices)}^{n} op '
                 'tuples')
    subs = [[
        _op(target, op, prob, magnitude, dist)
        for op, magnitude, dist in combo
    ] for combo in itertools.product(choices, repeat=n)]
    name = _spec('uniform', space=(target.name, None), n=(n, None),
                 prob=(prob, 0.5))
    return Policy(target, subs, None, _meta(
        name, method='uniformaugment',
        source='LingChen, Khonsari, Lashkari, Nazari, Sambee, Nascimento, '
        '"UniformAugment: A Search-free Probabilistic Data Augmentation '
        'Approach", arXiv:2003.14348, 2020; released code '
        'github.com/tgilewicz/uniformaugment (UniformAugment.__call__)',
        notes=f'Every ordered {n}-tuple of the space\'s choices is a '
        'sub-policy, picked uniformly; magnitudes drawn uniformly per '
        'application.'))


def uniformaugment(n: int = 2) -> Policy:
    """UniformAugment as released: ``n`` ops of Fast AutoAugment's 15
    (``'fastaa'`` space) drawn with replacement, each applied with
    probability 1/2 at a magnitude uniform over its whole range (then
    randomly mirrored)."""
    policy = uniform('fastaa', n, 0.5)
    policy.meta['name'] = _spec('uniformaugment', n=(n, 2))
    return policy


def random_policy(space: str = 'fastaa',
                  sub_policies: int = 25,
                  ops: int = 2,
                  seed: int = 0) -> Policy:
    """A fixed random policy drawn once: ``sub_policies`` sub-policies of
    ``ops`` ops, each op uniform over the space's ops (the AWS space: its
    candidates), probability and magnitude uniform in [0, 1] (over the
    bins in discrete spaces). The same ``seed`` gives the same policy.

    This is the "random policy" the search papers compare against (e.g.
    25 two-op sub-policies, the shape of a DADA policy).
    """
    target = _space(space)
    for key, value in (('sub_policies', sub_policies), ('ops', ops)):
        _check_int(key, value, 1)
    _check_int('seed', seed, 0)
    rng = np.random.default_rng(int(seed))
    choices = _choices(target, fixed=True)
    subs = []
    for _ in range(int(sub_policies)):
        sub = []
        for _ in range(int(ops)):
            op, magnitude, _ = choices[int(rng.integers(len(choices)))]
            prob = float(rng.random())
            if magnitude is None:
                magnitude = _random_magnitude(target, rng)
            sub.append(_op(target, op, prob, magnitude, None))
        subs.append(sub)
    name = _spec('random', space=(target.name, None),
                 sub_policies=(sub_policies, None), ops=(ops, None),
                 seed=(seed, None))
    return Policy(target, subs, None, _meta(
        name, method='random',
        source='a random policy, as the "random policy" baselines of '
        'AutoAugment (Cubuk et al., CVPR 2019) and Fast AutoAugment (Lim '
        'et al., NeurIPS 2019): ops, probabilities and magnitudes drawn '
        'uniformly (numpy default_rng(seed))',
        notes='Fixed once drawn: training seeds do not change it.'))


#: Baseline name -> (builder, its keyword arguments with their types).
BASELINES: Dict[str, Tuple[Callable[..., Policy], Dict[str, type]]] = {
    'trivialaugment_wide': (trivialaugment_wide, dict(bins=int)),
    'randaugment': (randaugment, dict(n=int, m=float, bins=int,
                                      mstd=float)),
    'uniformaugment': (uniformaugment, dict(n=int)),
    'uniform': (uniform, dict(space=str, n=int, prob=float)),
    'random': (random_policy, dict(space=str, sub_policies=int, ops=int,
                                   seed=int)),
}


def is_baseline_spec(spec: Any) -> bool:
    """Whether ``spec`` names a baseline (it may still have bad arguments).

    Examples:
        >>> is_baseline_spec('randaugment:n=1'), is_baseline_spec('x.json')
        (True, False)
    """
    if not isinstance(spec, str):
        return False
    return spec.split(':', 1)[0].strip() in BASELINES or spec.startswith(
        'rand-')


def build_baseline(spec: str) -> Policy:
    """The baseline policy a spec string names (see the module docstring).

    Args:
        spec (str): ``NAME`` or ``NAME:key=value,...``, or timm's
            ``rand-...`` string.

    Returns:
        Policy: The policy; ``meta['name']`` is the canonical spec.

    Raises:
        PolicyError: Unknown names or keys, or values outside their ranges;
            the message lists the allowed ones.
    """
    if not isinstance(spec, str):
        raise PolicyError(f'baseline: expected a spec string, got '
                          f'{type(spec).__name__}')
    spec = spec.strip()
    if spec.startswith('rand-'):
        return randaugment_timm(spec)
    name, _, args = spec.partition(':')
    name = name.strip()
    if name not in BASELINES:
        raise PolicyError(f'baseline {name!r} is unknown'
                          f'{closest_name(name, list(BASELINES))}; allowed: '
                          f"{sorted(BASELINES)} or timm's 'rand-m9-...'")
    builder, types = BASELINES[name]
    kwargs = {}
    for item in filter(None, (a.strip() for a in args.split(','))):
        key, eq, value = item.partition('=')
        key = key.strip()
        if not eq or key not in types:
            raise PolicyError(
                f'{spec!r}: {item!r} is not key=value with a key of '
                f'{name!r}{closest_name(key, list(types))}; allowed keys: '
                f'{list(types)}')
        kwargs[key] = value.strip() if types[key] is str else _number(
            value.strip(), f'{spec!r}: {key}', types[key] is int)
    return builder(**kwargs)


# --------------------------------------------------------------------- #
def _all_tuples(space: SearchSpace, n: int, prob: float, magnitude: float,
                dist: Optional[MagnitudeDist], meta: Dict[str,
                                                          Any]) -> Policy:
    count = len(space)**n
    _check_count(count, f'{count} = {len(space)}^{n} op tuples')
    subs = [[_op(space, op, prob, magnitude, dist) for op in combo]
            for combo in itertools.product(space.ops, repeat=n)]
    return Policy(space, subs, None, meta)


def _op(space: SearchSpace, op: str, prob: float, magnitude: float,
        dist: Optional[MagnitudeDist]) -> PolicyOp:
    if not space.range(op).takes_magnitude:
        return PolicyOp(op, float(prob), 0.0)
    return PolicyOp(op, float(prob), float(magnitude), dist)


def _level_draw(magnitude: float, std: float, key: str,
                raw: float) -> Tuple[float, Optional[MagnitudeDist]]:
    """(magnitude, dist) of a level with an optional std (timm style)."""
    if not _real(raw) and raw != math.inf or raw < 0:
        raise PolicyError(f'{key}: {raw!r}; allowed: a number >= 0 (inf: '
                          'uniform from 0 to the level)')
    if raw == 0:
        return magnitude, None
    if raw == math.inf:
        return magnitude / 2, MagnitudeDist('uniform', 0.0, magnitude)
    return magnitude, MagnitudeDist('normal', std=std)


def _choices(space: SearchSpace, fixed: bool = False
             ) -> List[Tuple[str, Optional[float], Optional[MagnitudeDist]]]:
    """What one uniform pick of an op chooses from: ``(op, magnitude,
    dist)``; ``magnitude=None`` (with ``fixed``) means "draw it"."""
    if space.candidates:
        return [(op, float(m), None) for op, m in space.candidates]
    out = []
    for r in space.ranges:
        if not r.takes_magnitude:
            out.append((r.op, 0.0, None))
        elif fixed:
            out.append((r.op, None, None))
        elif space.magnitude_bins:
            top = (space.magnitude_bins - 1) / space.magnitude_bins
            out.append((r.op, top / 2, MagnitudeDist(
                'uniform', 0.0, top, bins=space.magnitude_bins)))
        else:
            out.append((r.op, 0.5, MagnitudeDist('uniform', 0.0, 1.0)))
    return out


def _random_magnitude(space: SearchSpace, rng: np.random.Generator) -> float:
    if space.magnitude_bins:
        return float(space.bin_to_magnitude(
            int(rng.integers(space.magnitude_bins))))
    return float(rng.random())


def _space(name: str) -> SearchSpace:
    try:
        return get_space(name)
    except KeyError:
        raise PolicyError(f'space: {name!r}{closest_name(name, list(SPACES))}'
                          f'; allowed: {sorted(SPACES)}') from None


def _meta(name: str, **fields: Any) -> Dict[str, Any]:
    return dict(name=name, baseline=True, **fields)


def _spec(name: str, **args: Tuple[Any, Any]) -> str:
    """``name:k=v,...`` listing the arguments that differ from defaults
    (``(value, default)``; a ``None`` default is always listed)."""
    shown = [f'{k}={_fmt(v)}' for k, (v, default) in args.items()
             if default is None or v != default]
    return name + (':' + ','.join(shown) if shown else '')


def _fmt(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _number(text: str, where: str, integer: bool = False) -> float:
    try:
        value = float(text)
    except ValueError:
        raise PolicyError(f'{where}: {text!r} is not a number') from None
    if integer:
        if not value.is_integer():
            raise PolicyError(f'{where}: {text!r}; allowed: an integer')
        return int(value)
    return value


def _real(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(
        x, bool) and math.isfinite(x)


def _check_int(key: str, value: Any, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(
            value, (int, np.integer, float)) or not math.isfinite(
                value) or float(value) != int(value) or value < minimum:
        raise PolicyError(f'{key}: {value!r}; allowed: an integer >= '
                          f'{minimum}')


def _check_count(count: int, what: str) -> None:
    if count > MAX_SUB_POLICIES:
        raise PolicyError(f'{what} exceed {MAX_SUB_POLICIES} sub-policies; '
                          'use fewer ops per image')


__all__ = [
    'BASELINES', 'build_baseline', 'is_baseline_spec', 'trivialaugment_wide',
    'randaugment', 'randaugment_timm', 'uniform', 'uniformaugment',
    'random_policy'
]
