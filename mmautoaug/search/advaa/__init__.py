# Copyright (c) mmautoaug contributors. All rights reserved.
"""Adversarial AutoAugment (Zhang et al., ICLR 2020) as MMEngine parts."""
from .detector import AdvAADetector
from .hook import AdvAAHook
from .model import AdvAAClassifier, PolicyLossBook
from .transfer import transfer_policy

__all__ = [
    'AdvAAHook', 'AdvAAClassifier', 'AdvAADetector', 'PolicyLossBook',
    'transfer_policy'
]
