# Copyright (c) mmautoaug contributors. All rights reserved.
"""One training iteration of each stock detector with the policy injected.

The stock mmdet configs (ResNet-50 FPN, 1x COCO) run as they are, but on the
embedded demo COCO-layout set at 64 px, without the ImageNet download.
"""
import math

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

import mmautoaug.datasets  # noqa: F401  (DemoCocoDataset)
from mmautoaug.detection import DetPolicyAugment, inject_policy, read_config
from mmautoaug.policy import Policy

STOCK = {
    'retinanet': 'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py',
    'faster_rcnn': 'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py',
    'mask_rcnn': 'mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py',
}
SIZE = 64
# Geometric and photometric ops, applied often.
POLICY = Policy('fastaa', [[
    ('Rotate', 0.9, 0.8), ('Cutout', 0.9, 0.5)
], [('ShearY', 0.9, 0.3),
    ('Equalize', 0.5, 0.0)], [('TranslateX', 0.9, 0.9), ('Color', 0.5, 0.7)]])


@pytest.fixture(scope='module')
def coco_root(tmp_path_factory):
    # the embedded demo set, built on first use
    return str(tmp_path_factory.mktemp('demo') / 'demo_coco')


def _one_iteration_config(name, coco_root, work_dir):
    cfg = inject_policy(read_config(STOCK[name]), POLICY)
    dataset = cfg.train_dataloader.dataset
    dataset.update(
        type='mmautoaug.DemoCocoDataset',
        data_root=coco_root,
        ann_file='annotations/instances_train.json',
        data_prefix=dict(img='train/'),
        filter_cfg=dict(filter_empty_gt=False, min_size=0))
    for step in dataset.pipeline:
        if step.type == 'Resize':
            step.scale = (SIZE, SIZE)
    cfg.train_dataloader.update(
        batch_size=2, num_workers=0, persistent_workers=False)
    cfg.model.backbone.init_cfg = None  # no ImageNet download here
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=1)
    for key in ('val', 'test'):
        cfg[f'{key}_cfg'] = cfg[f'{key}_dataloader'] = None
        cfg[f'{key}_evaluator'] = None
    cfg.param_scheduler = []
    cfg.default_hooks.checkpoint = None
    cfg.work_dir = work_dir
    return cfg


@pytest.mark.parametrize('name', sorted(STOCK))
def test_one_training_iteration(name, coco_root, tmp_path):
    runner = Runner.from_cfg(
        _one_iteration_config(name, coco_root, str(tmp_path)))
    dataset = runner.train_dataloader.dataset
    assert any(
        isinstance(t, DetPolicyAugment) for t in dataset.pipeline.transforms)
    runner.train()
    assert runner.iter == 1
    loss = runner.message_hub.get_scalar('train/loss').current()
    assert math.isfinite(loss) and loss > 0
    # samples come out with boxes inside the image and masks aligned
    for index in range(8):
        sample = dataset[index]['data_samples']
        boxes = sample.gt_instances.bboxes.numpy()
        assert (boxes >= 0).all() and (boxes <= SIZE).all()
        if name == 'mask_rcnn':
            assert len(sample.gt_instances.masks) == len(boxes)
