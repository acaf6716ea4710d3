# Copyright (c) mmautoaug contributors. All rights reserved.
"""The shipped detection and pretraining configs read and build."""
import copy
import os.path as osp

import cv2
import numpy as np
import pytest
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.registry import DefaultScope

import mmautoaug.datasets  # noqa: F401  (PolicyAugment)
from mmautoaug.datasets import PolicyAugment

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DETECTORS = ('retinanet_r50_fpn_1x_coco', 'faster-rcnn_r50_fpn_1x_coco',
             'mask-rcnn_r50_fpn_1x_coco')


def _types(pipeline):
    return [s['type'] for s in pipeline]


def _build(pipeline, scope):
    with DefaultScope.overwrite_default_scope(scope):
        return Compose(copy.deepcopy(pipeline))


@pytest.mark.parametrize('stock', DETECTORS)
def test_detection_configs(stock):
    folder = osp.join(ROOT, 'configs', 'detection')
    backbone = stock.replace('_r50_', '_r50-policy-pre_')
    variants = {
        f'{stock}_policy-aug.py': (True, False),
        f'{backbone}.py': (False, True),
        f'{backbone}_policy-aug.py': (True, True),
    }
    for file, (with_policy, with_backbone) in variants.items():
        cfg = Config.fromfile(osp.join(folder, file))
        assert cfg.default_scope == 'mmdet'
        pipeline = cfg.train_dataloader.dataset.pipeline
        types = _types(pipeline)
        assert ('mmautoaug.DetPolicyAugment' in types) == with_policy, file
        if with_policy:
            assert types[-3:] == [
                'RandomFlip', 'mmautoaug.DetPolicyAugment', 'PackDetInputs'
            ]
            assert ('with_mask' in pipeline[1]) == stock.startswith('mask')
            _build(pipeline, 'mmdet')
        init = cfg.model.backbone.init_cfg
        assert (init.get('prefix') == 'backbone.') == with_backbone, file
        if with_backbone:
            assert init.checkpoint.endswith('backbone.pth')


def test_pretrain_config_runs_its_pipeline(tmp_path):
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', 'pretrain', 'resnet50_8xb32-policy_in1k.py'))
    pipeline = cfg.train_dataloader.dataset.pipeline
    assert _types(pipeline) == [
        'LoadImageFromFile', 'RandomResizedCrop', 'RandomFlip',
        'mmautoaug.PolicyAugment', 'PackInputs'
    ]
    assert cfg.model.backbone.depth == 50
    built = _build(pipeline, 'mmpretrain')
    assert isinstance(built.transforms[3], PolicyAugment)
    assert built.transforms[3].channel_order == 'bgr'
    path = str(tmp_path / 'img.png')
    cv2.imwrite(path, np.random.default_rng(0).integers(
        0, 255, (256, 300, 3), dtype=np.uint8))
    out = built(dict(img_path=path, gt_label=3))
    assert tuple(out['inputs'].shape) == (3, 224, 224)
