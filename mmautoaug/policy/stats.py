# Copyright (c) mmautoaug contributors. All rights reserved.
"""What a policy does to the average image, op by op."""
from typing import Dict, NamedTuple

from .policy import Policy


class OpStats(NamedTuple):
    """How one op of a policy acts on an average image.

    Attributes:
        rate (float): Expected number of times the op is applied to an image
            (sum over sub-policies of P(sub-policy) * the op's probability in
            it).
        magnitude (float): Mean normalised magnitude over those applications
            (NaN when the op is never applied).
    """
    rate: float
    magnitude: float


def op_statistics(policy: Policy) -> Dict[str, OpStats]:
    """Per-op application rate and mean magnitude of a policy.

    Every op of the policy's space gets an entry, in the space's order, so
    that the statistics of several policies of one space line up.

    Args:
        policy (Policy): The policy.

    Returns:
        dict[str, OpStats]: Op name -> its statistics.

    Examples:
        >>> p = Policy('fastaa', [[('Rotate', 0.5, 0.2), ('Invert', 1., 0.)],
        ...                       [('Rotate', 1.0, 0.8)]])
        >>> s = op_statistics(p)
        >>> round(s['Rotate'].rate, 3), round(s['Rotate'].magnitude, 3)
        (0.75, 0.6)
        >>> s['Invert'].rate, s['Color'].rate
        (0.5, 0.0)
    """
    rate = {op: 0.0 for op in policy.space.ops}
    weighted = {op: 0.0 for op in policy.space.ops}
    for p_sub, sub in zip(policy.probabilities(), policy.sub_policies):
        for op in sub:
            rate[op.op] += p_sub * op.prob
            weighted[op.op] += p_sub * op.prob * op.magnitude
    return {
        op: OpStats(
            float(rate[op]),
            float(weighted[op] / rate[op]) if rate[op] > 0 else float('nan'))
        for op in policy.space.ops
    }
