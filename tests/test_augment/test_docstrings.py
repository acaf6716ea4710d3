# Copyright (c) mmautoaug contributors. All rights reserved.
"""The Examples in the op library's docstrings run and hold."""
import doctest

import pytest

from mmautoaug.augment import (batch_ops, geometry, image_ops, levels, spaces)


@pytest.mark.parametrize(
    'module', [batch_ops, geometry, image_ops, levels, spaces],
    ids=lambda m: m.__name__)
def test_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
