# Copyright (c) mmautoaug contributors. All rights reserved.
from .transforms import PolicyAugment  # noqa: F401
