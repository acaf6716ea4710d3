# Copyright (c) mmautoaug contributors. All rights reserved.
"""DADA: Differentiable Automatic Data Augmentation (Li et al., ECCV 2020)."""
from .detector import DADADetector
from .loop import DADASearchLoop
from .model import DADASearchModel
from .optim_constructor import SubmoduleOptimWrapperConstructor
from .policy_params import DADAPolicy, PolicySample
from .relax import (ControlVariate, RelaxedSample, relax_gradients,
                    sample_bernoulli, sample_categorical)
from .step_utils import all_reduce_mean
from .unrolled import finite_difference_hvp, virtual_sgd_step
from .wrapper import SearchDistributedDataParallel

__all__ = [
    'DADASearchModel', 'DADADetector', 'DADASearchLoop', 'DADAPolicy', 'PolicySample',
    'SubmoduleOptimWrapperConstructor', 'SearchDistributedDataParallel',
    'ControlVariate', 'RelaxedSample', 'relax_gradients', 'sample_bernoulli',
    'sample_categorical', 'finite_difference_hvp', 'virtual_sgd_step',
    'all_reduce_mean'
]
