# Copyright (c) mmautoaug contributors. All rights reserved.
import pytest
from mmengine import DefaultScope

import mmautoaug
from mmautoaug.registry import MODELS, TRANSFORMS
from mmautoaug.utils import register_all_modules


def test_register_all_modules_reaches_all_three_codebases():
    register_all_modules()
    assert DefaultScope.get_current_instance().scope_name == 'mmautoaug'
    assert MODELS.get('AugmentDataPreprocessor') is not None
    assert MODELS.get('mmpretrain.ImageClassifier') is not None
    assert MODELS.get('mmdet.RetinaNet') is not None
    assert TRANSFORMS.get('mmdet.PackDetInputs') is not None
    assert TRANSFORMS.get('mmpretrain.PackInputs') is not None


def test_version_check_names_the_fix(monkeypatch):
    import mmcv
    monkeypatch.setattr(mmcv, '__version__', '2.2.0')
    with pytest.raises(ImportError, match=r'mmcv>=2.0.0, <2.2.0'):
        mmautoaug._check_versions()
