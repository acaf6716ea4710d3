# Copyright (c) mmautoaug contributors. All rights reserved.
from .demo import DemoCIFAR10, DemoCocoDataset  # noqa: F401
from .transforms import ClippedCutout, PolicyAugment  # noqa: F401
