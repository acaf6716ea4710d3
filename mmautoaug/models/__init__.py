# Copyright (c) mmautoaug contributors. All rights reserved.
from .backbones import PyramidNet, ShakeShakeResNet, WideResNet  # noqa: F401
from .data_preprocessor import AugmentDataPreprocessor  # noqa: F401
from .batch_augment import PolicyBatchAugment  # noqa: F401
from .batch_augment import DetPolicyBatchAugment  # noqa: F401
from .det_data_preprocessor import DetAugmentDataPreprocessor  # noqa: F401
from .policy_models import AdvAAPolicyGenerator  # noqa: F401
from .policy_models import AWSController  # noqa: F401
