# Copyright (c) mmautoaug contributors. All rights reserved.
import copy
import os.path as osp
import runpy
import sys

import pytest
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmautoaug.detection import DetPolicyAugment, inject_policy, read_config
from mmautoaug.policy import Policy

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

STOCK = {
    'retinanet': 'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py',
    'faster_rcnn': 'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py',
    'mask_rcnn': 'mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py',
}
POLICY = Policy(
    'fastaa',
    [[('Rotate', 0.8, 0.6),
      ('Cutout', 0.5, 0.5)], [('ShearX', 1.0, 0.3), ('Equalize', 0.4, 0.0)]])


def _types(pipeline):
    return [s['type'] for s in pipeline]


def _build(pipeline):
    with DefaultScope.overwrite_default_scope('mmdet'):
        return Compose(copy.deepcopy(pipeline))


@pytest.fixture(scope='module')
def policy_file(tmp_path_factory):
    return POLICY.save(str(tmp_path_factory.mktemp('policy') / 'p.json'))


@pytest.mark.parametrize('name', sorted(STOCK))
def test_stock_configs_get_a_pipeline_that_builds(name, policy_file, tmp_path):
    cfg = read_config(STOCK[name])
    stock_pipeline = copy.deepcopy(cfg.train_dataloader.dataset.pipeline)
    new = inject_policy(cfg, policy_file)
    assert cfg.train_dataloader.dataset.pipeline == stock_pipeline
    pipeline = new.train_dataloader.dataset.pipeline
    assert _types(pipeline) == _types(stock_pipeline)[:-1] + [
        'mmautoaug.DetPolicyAugment', 'PackDetInputs'
    ]
    assert _types(stock_pipeline)[-2] == 'RandomFlip'
    assert new.train_pipeline == pipeline
    assert 'mmautoaug.detection' in new.custom_imports['imports']
    built = _build(pipeline)
    augs = [t for t in built.transforms if isinstance(t, DetPolicyAugment)]
    assert len(augs) == 1 and augs[0].policy == POLICY
    # the written config reads back the same
    out = str(tmp_path / f'{name}_policy.py')
    new.dump(out)
    again = Config.fromfile(out)
    assert again.train_dataloader.dataset.pipeline == pipeline
    assert again.model == new.model


def test_wrappers_are_followed(policy_file):
    load = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations')]
    tail = [dict(type='RandomFlip', prob=0.5), dict(type='PackDetInputs')]
    coco = dict(type='CocoDataset', pipeline=load + tail)
    cfg = dict(
        train_dataloader=dict(
            dataset=dict(
                type='ConcatDataset',
                datasets=[
                    dict(
                        type='RepeatDataset',
                        times=2,
                        dataset=copy.deepcopy(coco)),
                    dict(
                        type='MultiImageMixDataset',
                        dataset=dict(type='CocoDataset', pipeline=load),
                        pipeline=[
                            dict(type='mmdet.Mosaic', img_scale=(64, 64))
                        ] + tail),
                ])))
    new = inject_policy(cfg, policy_file)
    repeat, mix = new.train_dataloader.dataset.datasets
    assert _types(repeat.dataset.pipeline)[-2] == 'mmautoaug.DetPolicyAugment'
    assert _types(mix.pipeline) == [
        'mmdet.Mosaic', 'RandomFlip', 'mmautoaug.DetPolicyAugment',
        'PackDetInputs'
    ]
    assert _types(mix.dataset.pipeline) == _types(load), 'loading untouched'
    assert 'train_pipeline' not in new


def test_positions_and_transform_arguments(policy_file):
    pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='mmdet.RandomFlip', prob=0.5),
        dict(type='Resize', scale=(64, 64)),
        dict(type='PackDetInputs')
    ]
    cfg = dict(
        train_dataloader=dict(dataset=dict(pipeline=pipeline)),
        custom_imports=dict(imports='my_module'))
    after = inject_policy(cfg, policy_file, min_box_size=2.0)
    steps = after.train_dataloader.dataset.pipeline
    assert _types(steps)[2] == 'mmautoaug.DetPolicyAugment'
    assert steps[2].min_box_size == 2.0
    assert after.custom_imports == dict(
        imports=['my_module', 'mmautoaug.detection'],
        allow_failed_imports=False)
    before_pack = inject_policy(cfg, policy_file, 'before_pack')
    assert _types(before_pack.train_dataloader.dataset.pipeline)[3] == \
        'mmautoaug.DetPolicyAugment'
    first = inject_policy(cfg, POLICY, 0)
    step = first.train_dataloader.dataset.pipeline[0]
    assert step.policy == POLICY.to_dict(), 'a Policy is stored as data'


def test_bad_input_gets_clear_errors(policy_file):
    no_flip = dict(
        train_dataloader=dict(
            dataset=dict(pipeline=[
                dict(type='LoadImageFromFile'),
                dict(type='PackDetInputs')
            ])))
    with pytest.raises(ValueError, match="no RandomFlip.*before_pack"):
        inject_policy(no_flip, policy_file)
    with pytest.raises(ValueError, match='position must be one of'):
        inject_policy(no_flip, policy_file, 'after_resize')
    with pytest.raises(ValueError, match='outside the train pipeline'):
        inject_policy(no_flip, policy_file, 7)
    with pytest.raises(ValueError, match='backend must be one of'):
        inject_policy(no_flip, policy_file, 'before_pack', backend='tv')
    with pytest.raises(ValueError, match=r"\['min_box_size'\] do not apply"):
        inject_policy(
            no_flip,
            policy_file,
            'before_pack',
            backend='mmdet',
            min_box_size=2)
    twice = inject_policy(no_flip, policy_file, 'before_pack')
    with pytest.raises(ValueError, match='already has'):
        inject_policy(twice, policy_file, 'before_pack')
    with pytest.raises(ValueError, match='PackDetInputs'):
        inject_policy(
            dict(
                train_dataloader=dict(
                    dataset=dict(pipeline=[dict(type='PackInputs')]))),
            policy_file)
    with pytest.raises(ValueError, match='train_dataloader'):
        inject_policy(dict(model=dict()), policy_file)
    with pytest.raises(FileNotFoundError, match='does not exist'):
        inject_policy(no_flip, 'missing/policy.json', 'before_pack')


def test_tool_writes_a_config_that_loads(policy_file, tmp_path, capsys):
    out = str(tmp_path / 'mask_rcnn_policy.py')
    argv = sys.argv
    sys.argv = [
        'inject.py', STOCK['mask_rcnn'], policy_file, '--out', out,
        '--min-box-size', '2', '--recompute-bbox'
    ]
    try:
        runpy.run_path(
            osp.join(ROOT, 'tools', 'policy', 'inject.py'),
            run_name='__main__')
    finally:
        sys.argv = argv
    assert 'DetPolicyAugment' in capsys.readouterr().out
    cfg = Config.fromfile(out)
    step = cfg.train_dataloader.dataset.pipeline[-2]
    assert step.type == 'mmautoaug.DetPolicyAugment'
    assert step.policy == osp.abspath(policy_file) and step.min_box_size == 2
    assert step.recompute_bbox is True
    _build(cfg.train_dataloader.dataset.pipeline)


def test_tool_exports_mmdet_autoaugment(policy_file, tmp_path):
    out = str(tmp_path / 'retinanet_aa.py')
    argv = sys.argv
    sys.argv = [
        'inject.py', STOCK['retinanet'], policy_file, '--out', out,
        '--backend', 'mmdet'
    ]
    try:
        with pytest.warns(UserWarning, match='Cutout'):
            runpy.run_path(
                osp.join(ROOT, 'tools', 'policy', 'inject.py'),
                run_name='__main__')
    finally:
        sys.argv = argv
    cfg = Config.fromfile(out)
    assert 'custom_imports' not in cfg, 'plain mmdet can read it'
    # mmdet's AutoAugment, then its FilterAnnotations (issue #11)
    assert [s.type for s in cfg.train_dataloader.dataset.pipeline[-3:]] == [
        'mmdet.AutoAugment', 'mmdet.FilterAnnotations', 'PackDetInputs']
    _build(cfg.train_dataloader.dataset.pipeline)


def test_tool_fails_in_one_sentence(policy_file, tmp_path, capsys):
    argv = sys.argv
    sys.argv = [
        'inject.py', STOCK['retinanet'], policy_file, '--out',
        str(tmp_path / 'x.py'), '--position', 'middle'
    ]
    try:
        with pytest.raises(SystemExit) as exit_info:
            runpy.run_path(
                osp.join(ROOT, 'tools', 'policy', 'inject.py'),
                run_name='__main__')
    finally:
        sys.argv = argv
    assert exit_info.value.code == 2
    assert 'position must be one of' in capsys.readouterr().err


def test_mmdet_backend_writes_mmdet_autoaugment(policy_file):
    import numpy as np
    from mmdet.structures.bbox import HorizontalBoxes

    from mmautoaug.policy import ConversionWarning
    cfg = read_config(STOCK['retinanet'])
    with pytest.warns(ConversionWarning, match='Cutout'):
        new = inject_policy(cfg, policy_file, backend='mmdet')
    pipeline = new.train_dataloader.dataset.pipeline
    step = pipeline[-3]
    assert step.type == 'mmdet.AutoAugment' and len(step.policies) == 2
    assert pipeline[-2].type == 'mmdet.FilterAnnotations'
    assert 'custom_imports' not in new, 'runs without mmautoaug'
    built = _build(pipeline[-3:-2])
    out = built(
        dict(
            img=np.full((40, 40, 3), 90, np.uint8),
            img_shape=(40, 40),
            gt_bboxes=HorizontalBoxes(np.array([[10., 10, 20, 20]])),
            gt_bboxes_labels=np.array([0]),
            gt_ignore_flags=np.array([False])))
    assert out['img'].shape == (40, 40, 3)
