# Copyright (c) mmautoaug contributors. All rights reserved.
from .shake_shake import ShakeShakeResNet, shake_shake
from .wide_resnet import WideResNet

__all__ = ['WideResNet', 'ShakeShakeResNet', 'shake_shake']
