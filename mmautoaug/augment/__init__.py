# Copyright (c) mmautoaug contributors. All rights reserved.
"""The op library: the one place that says what an augmentation op does."""
from .spaces import (AUTOAUGMENT, AWS, FASTAA, GEOMETRIC_OPS, OP_PARAMS,
                     SPACES, OpRange, SearchSpace, get_space,
                     sub_policy_pairs)

__all__ = [
    'OP_PARAMS', 'GEOMETRIC_OPS', 'OpRange', 'SearchSpace', 'SPACES',
    'FASTAA', 'AUTOAUGMENT', 'AWS', 'get_space', 'sub_policy_pairs'
]
