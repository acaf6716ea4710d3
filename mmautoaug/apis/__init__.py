# Copyright (c) mmautoaug contributors. All rights reserved.
"""The Python entry points, beside the tools.

A policy in a few lines (also importable from ``mmautoaug`` itself)::

    import mmautoaug
    policy = mmautoaug.load_policy('autoaugment_cifar10')     # or a file
    img = mmautoaug.apply_policy(policy, img)                 # HxWxC uint8
    batch = mmautoaug.apply_policy_batch(policy, batch)       # NxCxHxW
    cfg = mmautoaug.convert_policy(policy, 'mmpretrain')      # or mmdet, timm
    mmautoaug.export_policy(policy, 'aa.json', to='albumentations')
    result = mmautoaug.run_search('configs/demo/dada_demo_search.py',
                                  budget='10m')
    print(result.policy_file)
"""
from mmautoaug.policy import load_policy

from .policy_api import (FILE_TARGETS, TARGETS, apply_policy,
                         apply_policy_batch, convert_policy, export_policy)
from .search_api import SearchResult, run_search

__all__ = [
    'load_policy', 'apply_policy', 'apply_policy_batch', 'convert_policy',
    'export_policy', 'run_search', 'SearchResult', 'TARGETS', 'FILE_TARGETS'
]
