# Copyright (c) mmautoaug contributors. All rights reserved.
"""The Examples in the Python API's, the exporters' and the cost hook's
docstrings run and hold (run_search's starts a real one-epoch DADA search
on the embedded demo set)."""
import doctest
import os.path as osp

import pytest

from mmautoaug.apis import policy_api, search_api
from mmautoaug.engine.hooks import search_cost_hook
from mmautoaug.policy.converters import albumentations, kornia, timm

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
NEEDS = {albumentations: 'albumentations', kornia: 'kornia', timm: 'timm'}


@pytest.mark.parametrize(
    'module', [policy_api, search_api, search_cost_hook, albumentations,
               kornia, timm], ids=lambda m: m.__name__)
def test_examples(module, monkeypatch):
    if module in NEEDS:
        pytest.importorskip(NEEDS[module], reason=f'{NEEDS[module]} (an '
                            'optional peer) is not installed')
    monkeypatch.chdir(ROOT)  # run_search's example names a repo config
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
