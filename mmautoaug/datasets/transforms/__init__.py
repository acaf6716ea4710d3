# Copyright (c) mmautoaug contributors. All rights reserved.
"""Registered data transforms."""
from .clipped_cutout import ClippedCutout
from .policy_augment import PolicyAugment
from .policy_schedule import PolicySchedule, list_schedule
from .random_stream import RandomStreamTransform

__all__ = [
    'ClippedCutout', 'PolicyAugment', 'PolicySchedule',
    'RandomStreamTransform', 'list_schedule'
]
