# Copyright (c) mmautoaug contributors. All rights reserved.
"""AWS (Tian et al., NeurIPS 2020): augmentation-wise weight sharing.

Stage 1 trains :class:`AWSImageClassifier` (uniform pairs) with an ordinary
MMEngine loop on :class:`StratifiedSplitDataset`'s train part; stage 2 is
:class:`AWSSearchLoop` with the controller
:class:`~mmautoaug.models.policy_models.AWSController`.
"""
from .export import load_controller
from .loop import AWSSearchLoop
from .model import AWSImageClassifier
from .sampler import RankLocalSampler
from .split import StratifiedSplitDataset, stratified_split

__all__ = [
    'AWSSearchLoop', 'AWSImageClassifier', 'RankLocalSampler',
    'StratifiedSplitDataset', 'stratified_split', 'load_controller'
]
