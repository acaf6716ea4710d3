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
    cv2.imwrite(
        path,
        np.random.default_rng(0).integers(
            0, 255, (256, 300, 3), dtype=np.uint8))
    out = built(dict(img_path=path, gt_label=3))
    assert tuple(out['inputs'].shape) == (3, 224, 224)


@pytest.mark.parametrize('stock', DETECTORS)
def test_demo_configs(stock):
    demo = stock.replace('_1x_coco', '_demo-coco')
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', 'detection', 'demo',
                 f'{demo}_policy-aug.py'))
    train = cfg.train_dataloader.dataset
    assert train.type == cfg.val_dataloader.dataset.type == \
        'mmautoaug.DemoCocoDataset'
    assert _types(train.pipeline)[-2] == 'mmautoaug.DetPolicyAugment'
    _build(train.pipeline, 'mmdet')
    assert cfg.model.backbone.init_cfg is None, 'no download'
    heads = [cfg.model.get('bbox_head')] if stock.startswith('retina') else [
        cfg.model.roi_head.bbox_head,
        cfg.model.roi_head.get('mask_head')
    ]
    assert all(h.num_classes == 4 for h in heads if h is not None)
    assert cfg.train_cfg.type == 'IterBasedTrainLoop'
    assert cfg.train_cfg.val_interval == cfg.train_cfg.max_iters
    metric = cfg.val_evaluator.metric
    assert ('segm' in metric) == stock.startswith('mask')
    assert cfg.val_evaluator.ann_file.startswith(train.data_root)
