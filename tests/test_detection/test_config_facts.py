# Copyright (c) mmautoaug contributors. All rights reserved.
"""What the detection configs and their docs say is true (issue #11):
masks mean recomputed boxes, the demo's classes, the pretrain work dir."""
import glob
import os.path as osp
import re

import pytest
from mmengine.config import Config

from mmautoaug.datasets.demo import SHAPE_NAMES

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = sorted(
    glob.glob(osp.join(ROOT, 'configs', 'detection', '**', '*.py'),
              recursive=True))


def _walk_steps(dataset):
    for step in dataset.get('pipeline') or []:
        yield step
    if isinstance(dataset.get('dataset'), dict):
        yield from _walk_steps(dataset['dataset'])


@pytest.mark.parametrize(
    'path', [p for p in CONFIGS if '_base_' not in p],
    ids=lambda p: osp.relpath(p, ROOT))
def test_pipelines_that_load_masks_recompute_boxes(path):
    cfg = Config.fromfile(path)
    steps = list(_walk_steps(cfg.train_dataloader.dataset))
    masks = any(s['type'].endswith('LoadAnnotations') and s.get('with_mask')
                for s in steps)
    policy = [s for s in steps if s['type'].endswith('DetPolicyAugment')]
    for step in policy:
        assert step.get('recompute_bbox', False) == masks, path
    if 'mask-rcnn' in osp.basename(path) and policy:
        assert masks


def test_demo_coco_names_its_classes():
    text = open(osp.join(ROOT, 'configs', 'detection', '_base_',
                         'demo_coco.py')).read()
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', 'detection', '_base_', 'demo_coco.py'))
    assert cfg.demo_num_classes == len(SHAPE_NAMES)
    assert ', '.join(SHAPE_NAMES) in text
    assert not re.search(r'\b(triangle|star)\b', text)


def test_readme_names_where_the_demo_sets_come_from():
    readme = open(osp.join(ROOT, 'README.md')).read()
    data = readme[readme.index('## Data'):]
    data = data[:data.index('\n## ', 4)]
    assert 'scikit-image' not in data
    assert 'scikit-learn' in data and 'china.jpg' in data
    from mmautoaug.datasets.demo import demo_coco
    assert "('china.jpg', 'flower.jpg')" in open(demo_coco.__file__).read()


def test_cls2det_example_names_what_the_pretrain_config_writes():
    pretrain = osp.join(ROOT, 'configs', 'pretrain',
                        'resnet50_8xb32-policy_in1k.py')
    cfg = Config.fromfile(pretrain)
    work_dir = f'work_dirs/{osp.splitext(osp.basename(pretrain))[0]}'
    assert cfg.get('work_dir') is None  # tools/train.py's default applies
    assert cfg.default_hooks.checkpoint.interval == 1
    checkpoint = f'{work_dir}/epoch_{cfg.train_cfg.max_epochs}.pth'
    for doc in ('tools/model_converters/cls2det_backbone.py',
                'configs/pretrain/resnet50_8xb32-policy_in1k.py'):
        text = open(osp.join(ROOT, doc)).read()
        named = re.findall(r'work_dirs/\S+\.pth', text)
        assert named and all(
            n in (checkpoint, f'{work_dir}/backbone.pth') for n in named), (
                doc, named)
    policy_base = open(
        osp.join(ROOT, 'configs', 'detection', '_base_', 'policy.py')).read()
    assert f"'{work_dir}/backbone.pth'" in policy_base
