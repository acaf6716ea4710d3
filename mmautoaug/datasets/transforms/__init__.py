# Copyright (c) mmautoaug contributors. All rights reserved.
"""Registered data transforms."""
from .policy_augment import PolicyAugment

__all__ = ['PolicyAugment']
