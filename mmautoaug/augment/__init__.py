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

Detection: the box and mask rules of both detection faces and the
box-level ops (:mod:`.box_ops`, per image :func:`apply_box_op`), and the
batched detection face (:func:`augment_detection_batch`,
:func:`apply_detection_sub_policies`) for padded batches with boxes and
masks on the device.
"""
from .batch_detection import (DetectionBatch, apply_detection_sub_policies,
                              augment_detection_batch)
from .batch_ops import apply_batch_op, apply_sub_policies, augment_batch
from .box_ops import BOX_OP_PROB, apply_box_op
from .geometry import op_matrix, transform_boxes, transform_points
from .image_ops import apply_image_op
from .spaces import (AUTOAUGMENT, AWS, BOX_OPS, DETECTION, FASTAA,
                     GEOMETRIC_OPS, INTERPOLATIONS, OP_PARAMS, RANDAUGMENT,
                     SPACES, TRIVIALAUGMENT_WIDE, OpRange, SearchSpace,
                     base_op, get_space, sub_policy_pairs)

__all__ = [
    'OP_PARAMS', 'GEOMETRIC_OPS', 'INTERPOLATIONS', 'OpRange', 'SearchSpace',
    'SPACES', 'FASTAA', 'AUTOAUGMENT', 'AWS', 'TRIVIALAUGMENT_WIDE',
    'RANDAUGMENT', 'get_space', 'sub_policy_pairs', 'apply_image_op',
    'apply_batch_op', 'augment_batch', 'apply_sub_policies', 'op_matrix',
    'transform_points', 'transform_boxes', 'BOX_OPS', 'DETECTION', 'base_op',
    'BOX_OP_PROB', 'apply_box_op', 'DetectionBatch', 'augment_detection_batch',
    'apply_detection_sub_policies'
]
