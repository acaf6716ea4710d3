# Copyright (c) mmautoaug contributors. All rights reserved.
"""Policies: the format every search writes and every pipeline reads, a zoo
of published policies, and converters to other libraries."""
from .converters import (PolicyOpTransform, from_genotype, from_mmdet,
                         from_mmpretrain, parse_genotype, to_albumentations,
                         to_kornia, to_mmdet, to_mmpretrain, to_timm,
                         to_torchvision)
from .baselines import BASELINES, build_baseline, is_baseline_spec
from .describe import describe_op, describe_range
from .errors import ConversionWarning, PolicyError
from .magnitude import MagnitudeDist, draw_magnitudes
from .policy import (FORMAT_VERSION, MAX_FORMAT_VERSION, Policy, PolicyOp,
                     stamp_meta)
from .schedule import (SCHEDULE_DIR, SCHEDULE_FILE, list_schedule,
                       schedule_file_name)
from .stats import OpStats, op_statistics
from .zoo import NOT_BUNDLED, ZOO_DIR, list_zoo, load_policy, zoo_path

__all__ = [
    'Policy', 'PolicyOp', 'FORMAT_VERSION', 'MAX_FORMAT_VERSION',
    'MagnitudeDist', 'draw_magnitudes', 'BASELINES', 'build_baseline',
    'is_baseline_spec', 'PolicyError',
    'ConversionWarning', 'load_policy', 'list_zoo', 'zoo_path', 'ZOO_DIR',
    'NOT_BUNDLED', 'stamp_meta', 'describe_op', 'describe_range',
    'to_mmpretrain', 'from_mmpretrain', 'to_mmdet', 'from_mmdet',
    'to_torchvision', 'PolicyOpTransform', 'from_genotype', 'parse_genotype',
    'OpStats', 'op_statistics', 'to_albumentations', 'to_kornia', 'to_timm',
    'SCHEDULE_DIR', 'SCHEDULE_FILE', 'list_schedule', 'schedule_file_name'
]
