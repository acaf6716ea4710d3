# Copyright (c) mmautoaug contributors. All rights reserved.
"""Converters between our policies and other libraries' configs."""
from .albumentations import albumentations_transform, to_albumentations
from .genotype import from_genotype, parse_genotype
from .kornia import kornia_transform, to_kornia
from .mmdet import from_mmdet, to_mmdet
from .mmpretrain import from_mmpretrain, to_mmpretrain
from .timm import timm_transform, to_timm
from .torchvision import PolicyOpTransform, to_torchvision

__all__ = [
    'to_mmpretrain', 'from_mmpretrain', 'to_mmdet', 'from_mmdet',
    'to_torchvision', 'PolicyOpTransform', 'from_genotype', 'parse_genotype',
    'to_albumentations', 'albumentations_transform', 'to_kornia',
    'kornia_transform', 'to_timm', 'timm_transform'
]
