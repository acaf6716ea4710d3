# Copyright (c) mmautoaug contributors. All rights reserved.
"""Converters between our policies and other libraries' configs."""
from .genotype import from_genotype, parse_genotype
from .mmdet import from_mmdet, to_mmdet
from .mmpretrain import from_mmpretrain, to_mmpretrain
from .torchvision import PolicyOpTransform, to_torchvision

__all__ = [
    'to_mmpretrain', 'from_mmpretrain', 'to_mmdet', 'from_mmdet',
    'to_torchvision', 'PolicyOpTransform', 'from_genotype', 'parse_genotype'
]
