# Copyright (c) mmautoaug contributors. All rights reserved.
"""The templates for one's own data run from tools/train.py.

Each test does what a user does: writes a small data set in the layout the
template reads (an ImageFolder tree of PNG and JPEG files; a COCO json with
its own class names), edits the fields at the top of the template, and runs
``tools/train.py`` on it, with a budget where the method is a search. The
edited copies live in a temporary ``configs/templates/`` beside links to the
repository's other config folders, so their ``_base_`` paths resolve as in
the repository.
"""
import json
import os
import os.path as osp
import re
import sys

import mmcv
import numpy as np
import pytest
import torch

from mmautoaug.policy import Policy

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TEMPLATES = osp.join(ROOT, 'configs', 'templates')
sys.path.insert(0, osp.join(ROOT, 'tools'))
import train as train_tool  # noqa: E402

NUM_CLASSES = 4
# what a user with small images edits; a tiny network keeps the test fast
SMALL = dict(
    num_classes=str(NUM_CLASSES),
    classes='None',
    image_size='16',
    backbone="dict(type='WideResNet', depth=10, widen_factor=1)",
    feat_channels='64',
    batch_size='4',
    num_workers='0',
    mean='[127.5] * 3',
    std='[64.0] * 3',
)


def edit_fields(text: str, **fields: str) -> str:
    """Replace the one-line assignments ``name = ...`` of the first block."""
    for name, value in fields.items():
        text, count = re.subn(rf'^{name} = .*$', f'{name} = {value}', text,
                              count=1, flags=re.M)
        assert count == 1, f'the template has no field {name!r}'
    return text


@pytest.fixture(scope='module')
def workspace(tmp_path_factory):
    """An ImageFolder tree and a configs/ folder for edited templates."""
    tmp = tmp_path_factory.mktemp('own_data')
    rng = np.random.default_rng(0)
    for split, per_class in (('train', 8), ('val', 2)):
        for c in range(NUM_CLASSES):
            for i in range(per_class):
                img = rng.integers(0, 80, (20, 24, 3), dtype=np.uint8)
                img[..., c % 3] += np.uint8(120 + 40 * (c // 3))
                ext = 'png' if i % 2 else 'jpg'  # both formats
                mmcv.imwrite(img, str(tmp / 'my_data' / split /
                                      f'class_{c}' / f'{i:02d}.{ext}'))
    configs = tmp / 'configs'
    (configs / 'templates').mkdir(parents=True)
    for name in os.listdir(osp.join(ROOT, 'configs')):
        if name != 'templates':
            os.symlink(osp.join(ROOT, 'configs', name), configs / name)
    return tmp


def write_template(workspace, name: str, **fields: str) -> str:
    with open(osp.join(TEMPLATES, name)) as f:
        text = f.read()
    path = workspace / 'configs' / 'templates' / name
    path.write_text(edit_fields(text, **fields))
    return str(path)


def train(cfg: str, work_dir: str, *args: str):
    return train_tool.main([cfg, '--work-dir', work_dir, *args])


def _cost(work_dir):
    with open(osp.join(work_dir, 'search_cost.json')) as f:
        return json.load(f)


def test_dada_template_searches_own_images_within_a_budget(workspace):
    cfg = write_template(
        workspace, 'dada-search_custom-imagefolder.py',
        data_root=repr(str(workspace / 'my_data')), max_epochs='2', **SMALL)
    work_dir = str(workspace / 'dada')
    runner = train(cfg, work_dir, '--cfg-options',
                   'default_hooks.search_cost.max_epochs=1')
    # the budget stopped it after epoch 1 of 2, with its policy written
    assert runner.epoch == 1
    policy = Policy.load(osp.join(work_dir, 'policy.json'))
    assert policy.space_name == 'fastaa' and len(policy) == 25  # topk
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))
    cost = _cost(work_dir)
    assert cost['units_total'] == 2
    assert cost['run']['stopped_by_budget'] == 'max_epochs=1'
    # 32 images, halves of 16, batch 4: 4 steps an epoch
    assert cost['iters_total'] == 8

    resumed = train(cfg, work_dir, '--resume')
    assert resumed.epoch == 2
    assert Policy.load(osp.join(work_dir, 'policy.json')).meta['epoch'] == 2


def test_aws_templates_stage1_search_and_retrain_on_own_images(workspace):
    data_root = repr(str(workspace / 'my_data'))
    stage1 = write_template(
        workspace, 'aws-stage1_custom-imagefolder.py', data_root=data_root,
        heldout='0.25', max_epochs='2', finetune_epochs='1', **SMALL)
    stage1_dir = str(workspace / 'aws1')
    assert train(stage1, stage1_dir).epoch == 2

    search = write_template(
        workspace, 'aws-search_custom-imagefolder.py',
        stage1_work_dir=repr(stage1_dir), num_steps='3')
    search_dir = str(workspace / 'aws2')
    train(search, search_dir, '--cfg-options',
          'default_hooks.search_cost.max_steps=1')
    with open(osp.join(search_dir, 'aws_history.json')) as f:
        assert len(json.load(f)) == 1  # one controller step, then stopped
    policy = Policy.load(osp.join(search_dir, 'policy.json'))
    assert policy.space_name == 'aws' and len(policy) == 36 * 36
    assert _cost(search_dir)['run']['stopped_by_budget'] == 'max_steps=1'
    # --resume continues after the finished step
    train(search, search_dir, '--resume', '--cfg-options',
          'default_hooks.search_cost.max_steps=1')
    with open(osp.join(search_dir, 'aws_history.json')) as f:
        assert [r['step'] for r in json.load(f)] == [0, 1]

    retrain = write_template(
        workspace, 'retrain_custom-imagefolder.py',
        policy=repr(osp.join(search_dir, 'policy_top25.json')),
        data_root=data_root, max_epochs='1', **SMALL)
    runner = train(retrain, str(workspace / 'aws_retrain'))
    assert runner.epoch == 1
    augment = runner.train_dataloader.dataset.pipeline.transforms[3]
    assert type(augment).__name__ == 'PolicyAugment'
    assert augment.channel_order == 'bgr' and len(augment.policy) == 25


def test_advaa_template_runs_on_own_images_within_a_budget(workspace):
    cfg = write_template(
        workspace, 'advaa_custom-imagefolder.py',
        data_root=repr(str(workspace / 'my_data')), num_policies='2',
        max_epochs='2', **SMALL)
    work_dir = str(workspace / 'advaa')
    runner = train(cfg, work_dir, '--cfg-options',
                   'default_hooks.search_cost.max_time=1h',
                   'default_hooks.search_cost.max_epochs=1')
    assert runner.epoch == 1
    # the end-of-search export ran although the budget stopped it
    final = Policy.load(osp.join(work_dir, 'policy_final.json'))
    assert final.space_name == 'autoaugment' and len(final) == 2 * 5
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))
    # the M copies per step: 8 training images of 4 classes, batch 4
    assert _cost(work_dir)['iters_total'] == 2 * 8


def _tiny_coco(root, classes):
    """Four 64 x 64 images with one or two boxes of the two classes."""
    rng = np.random.default_rng(1)
    images, annotations = [], []
    for i in range(4):
        img = rng.integers(0, 60, (64, 64, 3), dtype=np.uint8)
        boxes = [(8 + 4 * i, 10, 20, 24), (36, 30 - 2 * i, 18, 22)][:1 +
                                                                     i % 2]
        for j, (x, y, w, h) in enumerate(boxes):
            img[y:y + h, x:x + w] = (200, 60 * j, 40)
            annotations.append(
                dict(id=len(annotations) + 1, image_id=i + 1,
                     category_id=10 + j, bbox=[x, y, w, h], area=w * h,
                     iscrowd=0,
                     segmentation=[[x, y, x + w, y, x + w, y + h, x,
                                    y + h]]))
        mmcv.imwrite(img, osp.join(root, 'images', f'{i}.jpg'))
        images.append(dict(id=i + 1, file_name=f'{i}.jpg', width=64,
                           height=64))
    # category ids need not start at 1: the names decide
    coco = dict(images=images, annotations=annotations,
                categories=[dict(id=10 + k, name=n)
                            for k, n in enumerate(classes)])
    os.makedirs(osp.join(root, 'annotations'), exist_ok=True)
    with open(osp.join(root, 'annotations', 'all.json'), 'w') as f:
        json.dump(coco, f)


def test_detection_template_trains_on_own_coco_classes(workspace):
    root = str(workspace / 'my_coco') + '/'
    classes = ('ball', 'crate')
    _tiny_coco(root, classes)
    policy = Policy('fastaa', [[('Rotate', 1.0, 0.8), ('Equalize', 0.5, 0)],
                               [('TranslateY', 1.0, 0.7)]])
    policy_file = policy.save(str(workspace / 'det_policy.json'))
    cfg = write_template(
        workspace, 'faster-rcnn_r50_fpn_custom-coco_policy-aug.py',
        data_root=repr(root), classes=repr(classes),
        train_ann="'annotations/all.json'", train_images="'images/'",
        val_ann="'annotations/all.json'", val_images="'images/'",
        policy=repr(policy_file), image_scale='(64, 64)',
        batch_size='2', max_epochs='1', num_workers='0')
    runner = train(cfg, str(workspace / 'det'), '--cfg-options',
                   'model.backbone.init_cfg=None')
    assert runner.epoch == 1
    dataset = runner.train_dataloader.dataset
    assert dataset.metainfo['classes'] == classes
    assert runner.model.roi_head.bbox_head.num_classes == len(classes)
    labels = sorted({inst['bbox_label'] for i in range(len(dataset))
                     for inst in dataset.get_data_info(i)['instances']})
    assert labels == [0, 1]  # categories 10 and 11, by their names
    assert torch.isfinite(
        torch.tensor(runner.message_hub.get_scalar('train/loss').current()))
    step = dataset.pipeline.transforms[4]
    assert type(step).__name__ == 'DetPolicyAugment'
