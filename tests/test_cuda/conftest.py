# Copyright (c) mmautoaug contributors. All rights reserved.
"""Tests of the CUDA paths: marked ``cuda``, skipped without a GPU.

Run them (and every benchmark on the GPU) with
``bash tools/benchmark/device_check.sh``, or alone with
``pytest -m cuda tests``.

``MMAUTOAUG_CUDA_TESTS_DEVICE=cpu pytest -m cuda tests`` runs them on the
CPU instead: a check of the tests themselves where no GPU is at hand (their
device-vs-CPU comparisons then hold trivially; AMP runs as the CPU's
bfloat16 autocast).
"""
import os

import pytest
import torch

#: The device the tests of this folder run on (``cuda`` unless the
#: environment says otherwise).
DEVICE = os.environ.get('MMAUTOAUG_CUDA_TESTS_DEVICE', 'cuda')


def pytest_collection_modifyitems(config, items):
    if DEVICE != 'cuda' or torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason='needs a CUDA device')
    for item in items:
        if 'cuda' in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def device():
    """The GPU the tests of this folder run on."""
    return torch.device(DEVICE)
