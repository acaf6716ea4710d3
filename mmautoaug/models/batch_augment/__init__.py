# Copyright (c) mmautoaug contributors. All rights reserved.
"""On-device batch augmentors built on the batched op library."""
from .det_policy_batch_augment import DetPolicyBatchAugment
from .policy_batch_augment import PolicyBatchAugment

__all__ = ['PolicyBatchAugment', 'DetPolicyBatchAugment']
