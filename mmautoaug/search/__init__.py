# Copyright (c) mmautoaug contributors. All rights reserved.
from .advaa import AdvAAClassifier, AdvAADetector, AdvAAHook  # noqa: F401
from .aws import (AWSImageClassifier, AWSSearchLoop,  # noqa: F401
                  RankLocalSampler, StratifiedSplitDataset)
from .dada import (DADADetector, DADASearchLoop,  # noqa: F401
                   DADASearchModel,
                   SearchDistributedDataParallel,
                   SubmoduleOptimWrapperConstructor)
