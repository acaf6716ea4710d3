# Copyright (c) mmautoaug contributors. All rights reserved.
"""The policy: what a search produces and every pipeline consumes.

A :class:`Policy` is plain data: the name of a search space
(:mod:`mmautoaug.augment.spaces`), a list of sub-policies, each a list of
:class:`PolicyOp` ``(op, prob, magnitude)`` with the magnitude normalised to
``[0, 1]`` in that space, optional sub-policy weights and free metadata.

On disk it is versioned JSON::

    {"format_version": 1,
     "space": "fastaa",
     "sub_policies": [[{"op": "Rotate", "prob": 0.7, "magnitude": 0.6},
                       {"op": "Equalize", "prob": 0.4, "magnitude": 0.0}]],
     "weights": null,
     "meta": {"method": "dada", "dataset": "cifar10", "source": "..."}}

Version 2 adds one optional op key, ``magnitude_dist``: a magnitude drawn
anew at each application (:mod:`.magnitude`), which the baselines
(TrivialAugment, RandAugment, UniformAugment) need. A policy that uses it is
written as version 2; every other policy is still written, and read, as
version 1.
"""
import copy
import datetime
import json
import math
import numbers
import os
import os.path as osp
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from mmautoaug.augment.spaces import SearchSpace, get_space
from .errors import PolicyError, closest_name
from .magnitude import DIST_TYPES, FIXED, MagnitudeDist, check_dist

#: The format of policies with fixed magnitudes (written for them).
FORMAT_VERSION = 1
#: The newest format this code reads and writes (policies whose ops draw
#: their magnitude, ``magnitude_dist``); larger versions are refused.
MAX_FORMAT_VERSION = 2
_TOP_KEYS = ('format_version', 'space', 'sub_policies', 'weights', 'meta')
_OP_KEYS = ('op', 'prob', 'magnitude', 'magnitude_dist')
#: How far the weights may sum from 1 (files written by hand round them).
WEIGHT_SUM_TOLERANCE = 1e-3
#: The deepest nesting of ``meta`` (dicts and lists in dicts...): deeper
#: values are refused with a message, not a RecursionError from copying.
MAX_META_DEPTH = 64


@dataclass
class PolicyOp:
    """One op of a sub-policy.

    Args:
        op (str): The op's name in the policy's space.
        prob (float): Probability of applying it, in [0, 1].
        magnitude (float, optional): Normalised magnitude in [0, 1]; the
            space maps it to the op's parameter. Required for ops that take
            a parameter (0 is not a neutral value: in the ``fastaa`` space
            it is the strongest setting); ops without one (AutoContrast,
            Invert, Equalize, Identity) ignore it, and a :class:`Policy`
            stores 0 for them when it is omitted. With a ``magnitude_dist``
            it is the normal's centre, or what tools show for a uniform one
            (its middle).
        magnitude_dist (MagnitudeDist, optional): Draw the magnitude anew at
            each application (format version 2, see :mod:`.magnitude`);
            ``None`` applies ``magnitude``.

    Examples:
        >>> PolicyOp('Rotate', 0.7, 0.6).to_dict()
        {'op': 'Rotate', 'prob': 0.7, 'magnitude': 0.6}
        >>> op = PolicyOp('Rotate', 1.0, 0.5,
        ...               MagnitudeDist('uniform', 0.0, 1.0, bins=31))
        >>> 0.0 <= op.sample_magnitude(np.random.default_rng(0)) <= 1.0
        True
    """
    op: str
    prob: float
    magnitude: Optional[float] = None
    magnitude_dist: Optional[MagnitudeDist] = None

    def to_dict(self) -> Dict[str, Any]:
        out = {'op': self.op, 'prob': self.prob, 'magnitude': self.magnitude}
        if self.magnitude_dist is not None:
            out['magnitude_dist'] = self.magnitude_dist.to_dict()
        return out

    def sample_magnitude(self, rng: np.random.Generator) -> float:
        """The magnitude of one application: ``magnitude``, or a draw from
        ``magnitude_dist`` (one variate of ``rng``)."""
        if self.magnitude_dist is None:
            return float(self.magnitude)
        return self.magnitude_dist.sample(float(self.magnitude), rng)


class Policy:
    """Sub-policies of ``(op, prob, magnitude)`` in one search space.

    Construction validates everything (see :meth:`validate`), so a
    :class:`Policy` object is always usable.

    Args:
        space (str | SearchSpace): The search space or its name
            (``'fastaa'``, ``'autoaugment'``, ``'aws'``).
        sub_policies (list[list[PolicyOp | dict | tuple]]): The
            sub-policies. Ops may be given as :class:`PolicyOp`, as dicts
            with keys ``op, prob, magnitude`` or as ``(op, prob, magnitude)``
            tuples (the layout of the authors' released genotype files).
        weights (list[float], optional): Probability of picking each
            sub-policy; they must sum to 1. ``None`` picks uniformly.
        meta (dict, optional): JSON-serialisable metadata (method, dataset,
            model, date, config, source...).

    Examples:
        >>> policy = Policy('fastaa', [[('Rotate', 1.0, 0.75)]])
        >>> policy.sample_ops(np.random.default_rng(0))  # doctest: +SKIP
        [('Rotate', -15.0)]
    """

    def __init__(self,
                 space: str,
                 sub_policies: Sequence[Sequence[Union[PolicyOp, dict,
                                                       tuple]]],
                 weights: Optional[Sequence[float]] = None,
                 meta: Optional[Dict[str, Any]] = None):
        if isinstance(space, SearchSpace):
            space = space.name
        self.space_name = space
        if not isinstance(sub_policies, (list, tuple)):
            raise PolicyError(
                f'sub_policies: expected a list of sub-policies, got '
                f'{type(sub_policies).__name__}')
        self.sub_policies: List[List[PolicyOp]] = [
            _as_sub_policy(sub, f'sub_policies[{i}]')
            for i, sub in enumerate(sub_policies)
        ]
        if weights is not None and not (isinstance(weights, (list, tuple))
                                        or getattr(weights, 'ndim', 0) == 1):
            raise PolicyError(
                'weights: expected a list of numbers (one per sub-policy) or '
                f'null for uniform, got {type(weights).__name__} '
                f'{_short(weights)}')
        self.weights = None if weights is None else [
            _plain(w) for w in weights
        ]
        self.meta = {} if meta is None else meta
        self.validate()
        self.meta = copy.deepcopy(self.meta)

    # ------------------------------------------------------------------ #
    @property
    def space(self) -> SearchSpace:
        """The :class:`SearchSpace` the magnitudes are normalised in."""
        return get_space(self.space_name)

    def __len__(self) -> int:
        return len(self.sub_policies)

    def __eq__(self, other) -> bool:
        return isinstance(other, Policy) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        name = self.meta.get('name', '')
        return (f'Policy(space={self.space_name!r}, '
                f'{len(self)} sub-policies, '
                f'weights={"uniform" if self.weights is None else "given"}'
                f'{", " + repr(name) if name else ""})')

    @property
    def uses_magnitude_dists(self) -> bool:
        """Whether some op draws its magnitude (a version-2 policy)."""
        return any(op.magnitude_dist is not None
                   for sub in self.sub_policies for op in sub)

    @property
    def format_version(self) -> int:
        """The version :meth:`to_dict` writes: 2 when an op has a
        ``magnitude_dist``, else 1 (so older readers still load it)."""
        return 2 if self.uses_magnitude_dists else FORMAT_VERSION

    def probabilities(self) -> np.ndarray:
        """Probability of picking each sub-policy, shape (S,), sums to 1."""
        if self.weights is None:
            return np.full(len(self), 1.0 / len(self))
        w = np.asarray(self.weights, dtype=np.float64)
        return w / w.sum()

    # ------------------------------------------------------------------ #
    def validate(self) -> 'Policy':
        """Check the policy; raise :class:`PolicyError` naming the place.

        Checks: the space exists; there is at least one sub-policy and
        every sub-policy has at least one op; every op is a string naming
        an op of the space (the error suggests the closest valid name);
        probabilities and magnitudes are real numbers in [0, 1]; weights,
        when given, are one non-negative number per sub-policy summing to
        1 (within :data:`WEIGHT_SUM_TOLERANCE`); meta is a JSON-able dict.

        Returns:
            Policy: ``self``, so calls can be chained.
        """
        if not isinstance(self.space_name, str):
            raise PolicyError(f'space: expected a string, got '
                              f'{type(self.space_name).__name__}')
        try:
            space = get_space(self.space_name)
        except KeyError as e:
            raise PolicyError(f'space: {e.args[0]}') from None
        if not self.sub_policies:
            raise PolicyError('sub_policies: a policy needs at least one '
                              'sub-policy, got an empty list')
        for i, sub in enumerate(self.sub_policies):
            if not sub:
                raise PolicyError(f'sub_policies[{i}]: a sub-policy needs '
                                  'at least one op, got an empty list')
            for j, op in enumerate(sub):
                _check_op(op, space, f'sub_policies[{i}][{j}]')
        if self.weights is not None:
            _check_weights(self.weights, len(self.sub_policies))
        if not isinstance(self.meta, dict):
            raise PolicyError(
                f'meta: expected a dict, got {type(self.meta).__name__}')
        if _nesting(self.meta) > MAX_META_DEPTH:
            raise PolicyError(f'meta: nested too deeply (more than '
                              f'{MAX_META_DEPTH} levels); allowed: at most '
                              f'{MAX_META_DEPTH} levels of dicts and lists')
        try:
            json.dumps(self.meta)
        except (TypeError, ValueError) as e:
            raise PolicyError(f'meta: must be JSON-serialisable ({e})') \
                from None
        except RecursionError:
            raise PolicyError('meta: nested too deeply to be stored as '
                              'JSON') from None
        return self

    # ------------------------------------------------------------------ #
    def to_dict(self) -> Dict[str, Any]:
        """The JSON layout (see the module docstring)."""
        return {
            'format_version': self.format_version,
            'space': self.space_name,
            'sub_policies': [[op.to_dict() for op in sub]
                             for sub in self.sub_policies],
            'weights': None if self.weights is None else list(self.weights),
            'meta': copy.deepcopy(self.meta),
        }

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> 'Policy':
        """Read the JSON layout, refusing unknown keys and newer formats."""
        if not isinstance(data, dict):
            raise PolicyError(f'a policy must be a dict (JSON object), got '
                              f'{type(data).__name__}')
        unknown = sorted(set(data) - set(_TOP_KEYS))
        if unknown:
            raise PolicyError(f'unknown keys {unknown}; a policy has the '
                              f'keys {list(_TOP_KEYS)}')
        for key in ('format_version', 'space', 'sub_policies'):
            if key not in data:
                raise PolicyError(f'{key}: missing; a policy has the keys '
                                  f'{list(_TOP_KEYS)}')
        version = data['format_version']
        if isinstance(version, bool) or not isinstance(version, int):
            raise PolicyError(f'format_version: expected an integer, got '
                              f'{version!r}')
        if version > MAX_FORMAT_VERSION:
            raise PolicyError(
                f'format_version: {version} is newer than this version of '
                f'mmautoaug reads ({MAX_FORMAT_VERSION}); upgrade mmautoaug')
        if version < 1:
            raise PolicyError(f'format_version: {version} is not a valid '
                              'version (versions start at 1)')
        # only a missing / null meta means "no metadata"; any other value
        # is validated (``[]`` is an error, not an empty dict)
        policy = cls(data['space'], data['sub_policies'],
                     data.get('weights'), data.get('meta'))
        _check_version_features(policy, version)
        return policy

    def save(self, path: str) -> str:
        """Write the policy as JSON to ``path`` (folders are created).

        Returns:
            str: ``path``.
        """
        folder = osp.dirname(osp.abspath(path))
        os.makedirs(folder, exist_ok=True)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(self.to_json())
        return path

    def to_json(self) -> str:
        """The policy as JSON text, one sub-policy per line."""
        data = self.to_dict()
        subs = ',\n    '.join(
            json.dumps(sub) for sub in data.pop('sub_policies'))
        head = json.dumps(
            {k: data[k] for k in ('format_version', 'space')})[:-1]
        tail = {k: data[k] for k in ('weights', 'meta')}
        meta = json.dumps(tail['meta'], indent=2).replace('\n', '\n  ')
        return (f'{head},\n  "sub_policies": [\n    {subs}\n  ],\n'
                f'  "weights": {json.dumps(tail["weights"])},\n'
                f'  "meta": {meta}\n}}\n')

    @classmethod
    def load(cls, path: str) -> 'Policy':
        """Read a policy JSON file written by :meth:`save`.

        Raises:
            FileNotFoundError: ``path`` does not exist.
            PolicyError: ``path`` is a directory, is not UTF-8 JSON text, is
                nested deeper than a policy can be, or is not a valid policy
                (the message starts with the path).
        """
        if osp.isdir(path):
            raise PolicyError(directory_message(path))
        if not osp.isfile(path):
            raise FileNotFoundError(f'policy file {path!r} does not exist')
        with open(path, 'rb') as f:
            raw = f.read()
        try:
            # utf-8-sig: editors that write a BOM still give a policy
            data = json.loads(raw.decode('utf-8-sig'),
                              object_pairs_hook=_no_duplicate_keys)
        except _DuplicateKey as e:
            raise PolicyError(f'{path}: the key {e.args[0]!r} appears twice '
                              'in one JSON object; keep one') from None
        except UnicodeDecodeError as e:
            raise PolicyError(
                f'{path}: not a UTF-8 text file (byte 0x{raw[e.start]:02x} '
                f'at position {e.start}); a policy file is JSON text, as '
                'Policy.save writes it') from None
        except json.JSONDecodeError as e:
            raise PolicyError(f'{path}: not valid JSON ({e})') from None
        except RecursionError:
            raise PolicyError(f'{path}: the JSON is nested too deeply to '
                              'read; a policy nests 4 levels (policy, '
                              'sub_policies, sub-policy, op)') from None
        try:
            return cls.from_dict(data)
        except PolicyError as e:
            raise PolicyError(f'{path}: {e}') from None

    # ------------------------------------------------------------------ #
    def to_arrays(self) -> Tuple[np.ndarray, np.ndarray, np.ndarray,
                                 np.ndarray]:
        """The policy as arrays for the batched ops and the search models.

        Sub-policies shorter than the longest one are padded with
        probability-0 entries (op index 0, magnitude 0), which never apply.

        Returns:
            tuple: ``op_index`` (S, K) int64 indices into ``space.ops``,
            ``prob`` (S, K) float64, ``magnitude`` (S, K) float64 and
            ``weights`` (S,) float64 summing to 1.
        """
        space = self.space
        num_ops = max(len(sub) for sub in self.sub_policies)
        shape = (len(self), num_ops)
        op_index = np.zeros(shape, dtype=np.int64)
        prob = np.zeros(shape, dtype=np.float64)
        magnitude = np.zeros(shape, dtype=np.float64)
        for i, sub in enumerate(self.sub_policies):
            for j, op in enumerate(sub):
                op_index[i, j] = space.index(op.op)
                prob[i, j] = op.prob
                magnitude[i, j] = op.magnitude
        return op_index, prob, magnitude, self.probabilities()

    @classmethod
    def from_arrays(cls,
                    space: str,
                    op_index: np.ndarray,
                    prob: np.ndarray,
                    magnitude: np.ndarray,
                    weights: Optional[np.ndarray] = None,
                    meta: Optional[Dict[str, Any]] = None) -> 'Policy':
        """Inverse of :meth:`to_arrays` (how a search writes its result).

        Args:
            space (str): The space the indices point into.
            op_index, prob, magnitude (array-like): Shape (S, K).
            weights (array-like, optional): Shape (S,).
            meta (dict, optional): Metadata.
        """
        try:
            ops = get_space(space).ops
        except KeyError as e:
            raise PolicyError(f'space: {e.args[0]}') from None
        op_index = np.asarray(op_index)
        prob = np.asarray(prob, dtype=np.float64)
        magnitude = np.asarray(magnitude, dtype=np.float64)
        if not (op_index.ndim == 2 and op_index.shape == prob.shape ==
                magnitude.shape):
            raise PolicyError(
                'op_index, prob and magnitude must be 2-D arrays of one '
                f'shape (S, K), got {op_index.shape}, {prob.shape}, '
                f'{magnitude.shape}')
        if op_index.size and not np.issubdtype(op_index.dtype, np.integer):
            raise PolicyError(f'op_index: dtype {op_index.dtype}; allowed: '
                              'integers (indices into the space\'s ops)')
        bad = (op_index < 0) | (op_index >= len(ops))
        if bad.any():
            i, j = np.argwhere(bad)[0].tolist()
            raise PolicyError(
                f'op_index[{i}][{j}]: {int(op_index[i, j])} is not an index '
                f'into the {space!r} space; allowed: 0..{len(ops) - 1} '
                f'({list(ops)})')
        subs = [[
            PolicyOp(ops[int(op_index[i, j])], float(prob[i, j]),
                     float(magnitude[i, j]))
            for j in range(op_index.shape[1])
        ] for i in range(op_index.shape[0])]
        w = None if weights is None else [float(x) for x in weights]
        return cls(space, subs, w, meta)

    # ------------------------------------------------------------------ #
    def sample_ops(self,
                   rng: np.random.Generator,
                   sub_policy: Optional[int] = None,
                   image_size: Optional[Tuple[int, int]] = None
                   ) -> List[Tuple[str, Optional[float]]]:
        """Draw the ops to apply to one image.

        Picks a sub-policy (by :attr:`weights`, uniformly when there are
        none), then for each of its ops in order draws whether it applies
        (``rng.random() < prob``), its magnitude when it has a
        ``magnitude_dist`` (:meth:`PolicyOp.sample_magnitude`) and, for
        signed ops of the space, a sign (-1 with probability 0.5), and maps
        the magnitude to the op's parameter. Shared by every per-image
        transform, so classification and detection pipelines sample alike.

        Args:
            rng (numpy.random.Generator): The random source.
            sub_policy (int, optional): Use this sub-policy instead of
                drawing one (for visualisation).
            image_size (tuple[int, int], optional): ``(height, width)`` of
                the image; needed by spaces whose ranges are in pixels
                (:attr:`SearchSpace.needs_size`).

        Returns:
            list[tuple[str, float | None]]: The ops to apply, in order, with
            their final (signed) parameters; ``None`` for ops without one.
        """
        if not all(hasattr(rng, name) for name in ('random', 'integers')):
            # duck-typed: tests replay scripted draws through the same calls
            raise TypeError('rng: expected a numpy.random.Generator (e.g. '
                            f'np.random.default_rng(0)), got '
                            f'{type(rng).__name__}')
        if sub_policy is None:
            if self.weights is None:
                sub_policy = int(rng.integers(len(self)))
            else:
                sub_policy = int(rng.choice(len(self),
                                            p=self.probabilities()))
        elif not 0 <= sub_policy < len(self):
            raise IndexError(f'sub_policy: {sub_policy} is out of range for '
                             f'a policy of {len(self)} sub-policies')
        space = self.space
        if space.needs_size and image_size is None:
            raise ValueError(f'image_size: the {space.name!r} space has '
                             'ranges in pixels; pass image_size=(H, W)')
        chosen = []
        for op in self.sub_policies[sub_policy]:
            if rng.random() >= op.prob:
                continue
            magnitude = op.sample_magnitude(rng)
            op_range = space.range(op.op)
            sign = 1.0
            if op_range.signed and rng.random() < 0.5:
                sign = -1.0
            size = None if image_size is None else op_range.axis_length(
                *image_size)
            param = op_range.param(magnitude, sign, size)
            chosen.append((op.op, None if param is None else float(param)))
        return chosen

    def magnitude_dist_arrays(self) -> Dict[str, np.ndarray]:
        """The ops' magnitude distributions as ``(S, K)`` arrays, padded
        like :meth:`to_arrays`, for the batched face
        (:func:`~mmautoaug.policy.magnitude.draw_magnitudes`).

        Returns:
            dict: ``code`` (int64, :data:`~.magnitude.FIXED` where an op
            applies its magnitude), ``low``, ``high``, ``bins``, ``std``
            (float64).
        """
        shape = (len(self), max(len(sub) for sub in self.sub_policies))
        out = dict(code=np.full(shape, FIXED, np.int64))
        for key in ('low', 'high', 'bins', 'std'):
            out[key] = np.zeros(shape, np.float64)
        for i, sub in enumerate(self.sub_policies):
            for j, op in enumerate(sub):
                dist = op.magnitude_dist
                if dist is None:
                    continue
                out['code'][i, j] = dist.code
                out['low'][i, j], out['high'][i, j] = dist.low, dist.high
                out['bins'][i, j] = dist.bins or 0
                out['std'][i, j] = dist.std or 0.0
        return out

    def describe(self, op: PolicyOp) -> str:
        """What an op does, in words, e.g. ``'Rotate by +/-15 deg'``."""
        from .describe import describe_op
        return describe_op(self.space, op)


# ---------------------------------------------------------------------- #
def directory_message(path: str) -> str:
    """The error for a directory given where a policy file is expected."""
    found = sorted(f for f in os.listdir(path) if f.startswith('policy')
                   and f.endswith('.json'))
    hint = (f' (it holds {found[:3]}{"..." if len(found) > 3 else ""})'
            if found else '')
    return (f'policy file {path!r} is a directory; give a policy JSON file '
            f'(e.g. the policy.json a search writes into its work_dir)'
            f'{hint}')


class _DuplicateKey(ValueError):
    """A JSON object with a key twice (``json`` keeps the last one)."""


def _no_duplicate_keys(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    out = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _nesting(value: Any) -> int:
    """How many dicts / lists deep ``value`` goes (iteratively: a deep
    value must not exhaust the stack while it is measured)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, (list, tuple)):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_META_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _short(x: Any, limit: int = 80) -> str:
    """``repr(x)`` cut to ``limit`` characters (a deeply nested or huge
    value must not turn an error message into a crash or a wall of text)."""
    try:
        text = repr(x)
    except RecursionError:
        text = f'<{type(x).__name__} nested too deeply to print>'
    return text if len(text) <= limit else text[:limit - 3] + '...'


def _as_sub_policy(sub: Any, where: str) -> List[PolicyOp]:
    if not isinstance(sub, (list, tuple)):
        raise PolicyError(f'{where}: expected a list of ops, got '
                          f'{type(sub).__name__} {_short(sub)}')
    return [_as_op(op, f'{where}[{j}]') for j, op in enumerate(sub)]


def _plain(x: Any) -> Any:
    """numpy / torch scalars -> Python floats (so the policy stays
    JSON-serialisable); anything else unchanged for validation to judge."""
    if isinstance(x, np.generic) and np.issubdtype(x.dtype, np.floating):
        return float(x)
    if isinstance(x, np.generic) and np.issubdtype(x.dtype, np.integer):
        return int(x)
    if type(x).__name__ == 'Tensor' and getattr(x, 'ndim', None) == 0:
        return x.item()
    return x


def _as_op(op: Any, where: str) -> PolicyOp:
    if isinstance(op, PolicyOp):
        return PolicyOp(op.op, _plain(op.prob), _plain(op.magnitude),
                        _as_dist(op.magnitude_dist, where))
    if isinstance(op, dict):
        unknown = sorted(set(op) - set(_OP_KEYS))
        if unknown:
            raise PolicyError(f'{where}: unknown keys {unknown}; an op has '
                              f'the keys {list(_OP_KEYS)}')
        missing = [k for k in ('op', 'prob') if k not in op]
        if missing:
            raise PolicyError(f'{where}: missing keys {missing}; an op has '
                              f'the keys {list(_OP_KEYS)}')
        return PolicyOp(op['op'], _plain(op['prob']),
                        _plain(op.get('magnitude')),
                        _as_dist(op.get('magnitude_dist'), where))
    if isinstance(op, (list, tuple)) and len(op) in (2, 3):
        return PolicyOp(op[0], *[_plain(x) for x in op[1:]])
    raise PolicyError(f'{where}: expected an op as a dict '
                      '{"op", "prob", "magnitude"} or an '
                      '(op, prob, magnitude) tuple, got '
                      f'{type(op).__name__} {_short(op)}')


def _as_dist(dist: Any, where: str) -> Optional[MagnitudeDist]:
    """An op's ``magnitude_dist`` (None, a dict or a MagnitudeDist)."""
    if dist is None:
        return None
    return MagnitudeDist.from_dict(dist, f'{where}.magnitude_dist')


def _check_version_features(policy: 'Policy', version: int) -> None:
    """A file must declare the version of the features it uses."""
    if version < 2 and policy.uses_magnitude_dists:
        raise PolicyError(
            'format_version: 1, but an op has a magnitude_dist (types '
            f'{list(DIST_TYPES)}), which needs format_version 2')


def _is_real(x: Any) -> bool:
    return (isinstance(x, numbers.Real) and not isinstance(x, bool)
            and math.isfinite(float(x)))


def _check_op(op: PolicyOp, space: SearchSpace, where: str) -> None:
    if not isinstance(op.op, str):
        raise PolicyError(f'{where}.op: expected a string, got '
                          f'{type(op.op).__name__} {_short(op.op)}')
    if op.op not in space:
        hint = closest_name(op.op, space.ops)
        raise PolicyError(
            f'{where}.op: {op.op!r} is not an op of the {space.name!r} '
            f'space{hint}; allowed: {list(space.ops)}')
    if op.magnitude is None:
        if space.range(op.op).takes_magnitude:
            from .describe import describe_range
            raise PolicyError(
                f'{where}.magnitude: missing; {op.op} takes a magnitude, a '
                f'number in [0, 1] (the {space.name!r} space maps '
                f'{describe_range(space, op.op)}); only ops without a '
                'parameter (AutoContrast, Invert, Equalize, Identity) may '
                'omit it')
        op.magnitude = 0.0  # documented: ignored by ops without a parameter
    for key in ('prob', 'magnitude'):
        value = getattr(op, key)
        if not _is_real(value):
            raise PolicyError(f'{where}.{key}: expected a finite number, '
                              f'got {type(value).__name__} {_short(value)}')
        if not 0.0 <= value <= 1.0:
            raise PolicyError(
                f'{where}.{key}: {value} is outside [0, 1]')
    if op.magnitude_dist is not None:
        if not isinstance(op.magnitude_dist, MagnitudeDist):
            raise PolicyError(f'{where}.magnitude_dist: expected a '
                              'MagnitudeDist or its dict, got '
                              f'{type(op.magnitude_dist).__name__}')
        check_dist(op.magnitude_dist, f'{where}.magnitude_dist')
        if not space.range(op.op).takes_magnitude:
            raise PolicyError(f'{where}.magnitude_dist: {op.op} takes no '
                              'magnitude; remove its magnitude_dist')


def _check_weights(weights: Sequence[Any], num: int) -> None:
    if len(weights) != num:
        raise PolicyError(f'weights: {len(weights)} weights for {num} '
                          'sub-policies; give one weight per sub-policy or '
                          'null for uniform')
    for i, w in enumerate(weights):
        if not _is_real(w):
            raise PolicyError(f'weights[{i}]: expected a finite number, got '
                              f'{type(w).__name__} {_short(w)}')
        if w < 0:
            raise PolicyError(f'weights[{i}]: {w} is negative')
    total = float(sum(weights))
    if abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
        raise PolicyError(
            f'weights: they sum to {total:.6g}, not 1 (tolerance '
            f'{WEIGHT_SUM_TOLERANCE}); normalise them or use null for '
            'uniform')


def stamp_meta(meta: Optional[Dict[str, Any]] = None,
               **fields: Any) -> Dict[str, Any]:
    """Metadata with today's date filled in, for code that writes policies.

    Examples:
        >>> stamp_meta(method='dada', dataset='cifar10')['method']
        'dada'
    """
    out = dict(meta or {})
    out.update({k: v for k, v in fields.items() if v is not None})
    out.setdefault('date', datetime.date.today().isoformat())
    return out
