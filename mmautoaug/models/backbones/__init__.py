# Copyright (c) mmautoaug contributors. All rights reserved.
from .pyramidnet import PyramidNet, shake_drop
from .shake_shake import ShakeShakeResNet, shake_shake
from .wide_resnet import WideResNet

__all__ = [
    'WideResNet', 'ShakeShakeResNet', 'shake_shake', 'PyramidNet',
    'shake_drop'
]
