# Copyright (c) mmautoaug contributors. All rights reserved.
import json
import os
import os.path as osp

import numpy as np
import pytest
from mmdet.datasets import CocoDataset
from mmengine.config import Config

from mmautoaug.datasets.demo import (SHAPE_NAMES, DemoCocoDataset,
                                     build_demo_coco, rasterize_polygon)
from mmautoaug.registry import DATASETS
from mmautoaug.utils import register_all_modules

register_all_modules()
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PIPELINE = [
    dict(type='LoadImageFromFile'),
    dict(type='mmdet.LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='mmdet.PackDetInputs'),
]


@pytest.fixture(scope='module')
def demo_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('data') / 'demo_coco')
    assert build_demo_coco(root)
    return root


def _load(root, split):
    with open(osp.join(root, 'annotations', f'instances_{split}.json')) as f:
        return json.load(f)


def test_coco_layout_and_fields(demo_root):
    for split, count in (('train', 48), ('val', 16)):
        coco = _load(demo_root, split)
        assert [c['name'] for c in coco['categories']] == list(SHAPE_NAMES)
        assert len(coco['images']) == count
        files = sorted(os.listdir(osp.join(demo_root, split)))
        assert files == sorted(i['file_name'] for i in coco['images'])
        ids = {i['id']: i for i in coco['images']}
        used = set()
        for ann in coco['annotations']:
            image = ids[ann['image_id']]
            x, y, w, h = ann['bbox']
            assert w > 0 and h > 0
            assert 0 <= x and x + w <= image['width']
            assert 0 <= y and y + h <= image['height']
            assert ann['iscrowd'] == 0
            polygon = np.array(ann['segmentation'][0]).reshape(-1, 2)
            assert len(ann['segmentation']) == 1 and len(polygon) >= 3
            # the box is the polygon's extent
            assert np.allclose(polygon.min(0), [x, y], atol=0.011)
            assert np.allclose(polygon.max(0), [x + w, y + h], atol=0.011)
            # COCO area (mask pixels) is close to the polygon's own area
            px, py = polygon[:, 0], polygon[:, 1]
            shoelace = 0.5 * abs(
                np.dot(px, np.roll(py, -1)) - np.dot(py, np.roll(px, -1)))
            assert abs(ann['area'] - shoelace) < 0.15 * shoelace + 4
            used.add(ann['category_id'])
        assert used == {1, 2, 3, 4}  # every shape occurs in every split
        assert len(coco['annotations']) >= count


def test_mmdet_pipeline_gives_masks_that_agree_with_boxes(demo_root):
    dataset = DemoCocoDataset(
        data_root=demo_root,
        ann_file='annotations/instances_val.json',
        data_prefix=dict(img='val/'),
        pipeline=PIPELINE)
    assert len(dataset) == 16
    checked = 0
    for i in range(len(dataset)):
        sample = dataset[i]
        inst = sample['data_samples'].gt_instances
        image = sample['inputs'].numpy().transpose(1, 2, 0)  # BGR
        masks = inst.masks.to_ndarray()
        assert masks.shape[0] == len(inst.bboxes) > 0
        for mask, box in zip(masks, inst.bboxes.numpy()):
            ys, xs = np.nonzero(mask)
            mask_box = [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]
            assert np.abs(np.array(mask_box) - box).max() <= 1.0
            # the mask covers the painted object: one flat colour + noise
            pixels = image[mask.astype(bool)].astype(float)
            close = np.abs(pixels - np.median(pixels, axis=0)).max(1) <= 8
            assert close.mean() > 0.9
            checked += 1
    assert checked >= 16


def test_plain_mmdet_coco_dataset_loads_it(demo_root):
    dataset = CocoDataset(
        data_root=demo_root,
        ann_file='annotations/instances_train.json',
        data_prefix=dict(img='train/'),
        metainfo=dict(classes=SHAPE_NAMES),
        pipeline=PIPELINE)
    assert len(dataset) == 48
    labels = dataset[0]['data_samples'].gt_instances.labels
    assert 0 <= int(labels.min()) and int(labels.max()) < 4


def test_two_builds_are_identical(demo_root, tmp_path):
    again = str(tmp_path / 'again')
    build_demo_coco(again)
    for folder in ('train', 'val', 'annotations'):
        names = sorted(os.listdir(osp.join(demo_root, folder)))
        assert names == sorted(os.listdir(osp.join(again, folder)))
        for name in names:
            with open(osp.join(demo_root, folder, name), 'rb') as a, open(
                    osp.join(again, folder, name), 'rb') as b:
                assert a.read() == b.read(), name


def test_rasterize_polygon_counts_pixel_centres():
    triangle = np.array([[0, 0], [4, 0], [0, 4]], dtype=float)
    mask = rasterize_polygon(triangle, 5, 5)
    # centres (x+0.5, y+0.5) with x + y + 1 < 4
    expected = np.array([[x + y + 1 < 4 for x in range(5)]
                         for y in range(5)])
    assert np.array_equal(mask, expected)


def test_config_builds_dataset(tmp_path):
    cfg = Config.fromfile(
        osp.join(REPO, 'configs/_base_/datasets/demo_coco.py'))
    dataset_cfg = cfg.train_dataloader.dataset
    dataset_cfg.data_root = str(tmp_path / 'demo_coco')
    dataset = DATASETS.build(dataset_cfg)
    assert isinstance(dataset, DemoCocoDataset)
    sample = dataset[0]
    assert max(sample['inputs'].shape[1:]) == 128  # resized by the pipeline
    assert len(sample['data_samples'].gt_instances) > 0
