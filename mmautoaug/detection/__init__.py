# Copyright (c) mmautoaug contributors. All rights reserved.
"""Detection transfer: the policy in mmdet pipelines, classifier backbones
for detectors."""
from .checkpoint import (backbone_state_dict, check_backbone_keys,
                         convert_classifier_checkpoint, load_checkpoint_file)
from .inject import (inject_policy, policy_transform, read_config,
                     train_pipelines)
from .transforms import DetPolicyAugment

__all__ = [
    'DetPolicyAugment', 'inject_policy', 'policy_transform', 'read_config',
    'train_pipelines', 'backbone_state_dict', 'convert_classifier_checkpoint',
    'check_backbone_keys', 'load_checkpoint_file'
]
