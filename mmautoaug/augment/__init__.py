# Copyright (c) mmautoaug contributors. All rights reserved.
"""The op library: the one place that says what an augmentation op does.

Three faces of every op, which agree pixel for pixel with PIL as the
authors' code used it:

- per-image (numpy): :func:`apply_image_op`;
- batched (torch, any device): :func:`apply_batch_op`,
  :func:`augment_batch` (straight-through magnitude gradient),
  :func:`apply_sub_policies`;
- geometry: :func:`op_matrix`, :func:`transform_points`,
  :func:`transform_boxes`.
"""
from .batch_ops import apply_batch_op, apply_sub_policies, augment_batch
from .geometry import op_matrix, transform_boxes, transform_points
from .image_ops import apply_image_op
from .spaces import (AUTOAUGMENT, AWS, FASTAA, GEOMETRIC_OPS, INTERPOLATIONS,
                     OP_PARAMS, SPACES, OpRange, SearchSpace, get_space,
                     sub_policy_pairs)

__all__ = [
    'OP_PARAMS', 'GEOMETRIC_OPS', 'INTERPOLATIONS', 'OpRange', 'SearchSpace',
    'SPACES', 'FASTAA',
    'AUTOAUGMENT', 'AWS', 'get_space', 'sub_policy_pairs', 'apply_image_op',
    'apply_batch_op', 'augment_batch', 'apply_sub_policies', 'op_matrix',
    'transform_points', 'transform_boxes'
]
