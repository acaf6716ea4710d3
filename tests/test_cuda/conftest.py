# Copyright (c) mmautoaug contributors. All rights reserved.
"""Tests of the CUDA paths: marked ``cuda``, skipped without a GPU.

Run them (and every benchmark on the GPU) with
``bash tools/benchmark/device_check.sh``, or alone with
``pytest -m cuda tests``.
"""
import pytest
import torch


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason='needs a CUDA device')
    for item in items:
        if 'cuda' in item.keywords and not torch.cuda.is_available():
            item.add_marker(skip)


@pytest.fixture
def device():
    """The GPU the tests of this folder run on."""
    return torch.device('cuda')
