# Copyright (c) mmautoaug contributors. All rights reserved.
import pytest
from mmengine.registry import DefaultScope
from mmpretrain.models.utils.data_preprocessor import ClsDataPreprocessor

from mmautoaug.registry import MODELS, TRANSFORMS
from mmautoaug.utils import register_all_modules


def test_mmpretrain_defaults_build_in_our_scope():
    """ImageClassifier builds its un-prefixed default preprocessor and its
    head builds its default loss while 'mmautoaug' is the default scope."""
    register_all_modules()
    with DefaultScope.overwrite_default_scope('mmautoaug'):
        model = MODELS.build(dict(
            type='mmpretrain.ImageClassifier',
            backbone=dict(type='WideResNet', depth=10, widen_factor=1),
            neck=dict(type='mmpretrain.GlobalAveragePooling'),
            head=dict(type='mmpretrain.LinearClsHead', num_classes=2,
                      in_channels=64)))
    assert type(model.data_preprocessor) is ClsDataPreprocessor
    assert type(model.head.loss_module).__module__.startswith('mmpretrain')


def test_own_names_win_and_mmdet_is_the_second_fallback():
    register_all_modules()
    assert MODELS.get('WideResNet').__module__.startswith('mmautoaug')
    # mmpretrain has no RetinaNet: found in mmdet
    assert MODELS.get('RetinaNet').__module__.startswith('mmdet')
    assert TRANSFORMS.get('PackDetInputs').__module__.startswith('mmdet')
    assert MODELS.get('NoSuchModule') is None
    with pytest.raises(KeyError, match='NoSuchModule'):
        MODELS.build(dict(type='NoSuchModule'))
