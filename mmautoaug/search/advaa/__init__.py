# Copyright (c) mmautoaug contributors. All rights reserved.
"""Adversarial AutoAugment (Zhang et al., ICLR 2020) as MMEngine parts."""
from .hook import AdvAAHook
from .model import AdvAAClassifier
from .transfer import transfer_policy

__all__ = ['AdvAAHook', 'AdvAAClassifier', 'transfer_policy']
