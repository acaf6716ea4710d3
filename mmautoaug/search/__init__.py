# Copyright (c) mmautoaug contributors. All rights reserved.
from .dada import (DADASearchLoop, DADASearchModel,  # noqa: F401
                   SearchDistributedDataParallel,
                   SubmoduleOptimWrapperConstructor)
