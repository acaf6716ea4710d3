# Copyright (c) mmautoaug contributors. All rights reserved.
import pytest
from mmengine.registry import DefaultScope


@pytest.fixture(autouse=True)
def _mmautoaug_default_scope():
    """Every test starts in the 'mmautoaug' default scope.

    MMEngine's default scope is process-global: a Runner built in one test
    (an mmdet config sets 'mmdet') would otherwise decide where the next
    test's un-prefixed names are looked up. The scope table is restored after
    the test.
    """
    with DefaultScope.overwrite_default_scope('mmautoaug'):
        yield
