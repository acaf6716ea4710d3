# Copyright (c) mmautoaug contributors. All rights reserved.
from .advaa import AdvAAClassifier, AdvAAHook  # noqa: F401
from .aws import (AWSImageClassifier, AWSSearchLoop,  # noqa: F401
                  RankLocalSampler, StratifiedSplitDataset)
from .dada import (DADASearchLoop, DADASearchModel,  # noqa: F401
                   SearchDistributedDataParallel,
                   SubmoduleOptimWrapperConstructor)
