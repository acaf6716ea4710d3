# Copyright (c) mmautoaug contributors. All rights reserved.
"""Learned augmentation policies: DADA parameters, AdvAA generator, AWS agent."""
from .advaa import AdvAAPolicyGenerator, GeneratorOutput  # noqa: F401
from .aws import (AWSController, kl_divergence, ppo_surrogate,  # noqa: F401
                  ppo_update)
