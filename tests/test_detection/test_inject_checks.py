# Copyright (c) mmautoaug contributors. All rights reserved.
"""inject_policy / tools/policy/inject.py refuse at write time what would
fail at run time, and the mmdet export filters what it pushes out
(issue #11)."""
import copy
import os.path as osp
import runpy
import sys
import warnings

import numpy as np
import pytest
from mmcv.transforms import Compose
from mmengine.registry import DefaultScope

from mmautoaug.detection import inject_policy, read_config
from mmautoaug.detection.transforms import DroppedOpWarning
from mmautoaug.policy import Policy
from .test_transform_bad_input import advaa_like_policy

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
RETINANET = 'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py'
MASK_RCNN = 'mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py'
ROTATE = Policy('fastaa', [[('Rotate', 0.8, 0.6), ('Equalize', 0.5, 0.0)]])


def _run_tool(argv, capsys):
    old = sys.argv
    sys.argv = ['inject.py'] + argv
    try:
        with pytest.raises(SystemExit) as exit_info:
            runpy.run_path(
                osp.join(ROOT, 'tools', 'policy', 'inject.py'),
                run_name='__main__')
    finally:
        sys.argv = old
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith('error: ') and 'Traceback' not in err
    return err


def _pipeline(with_mask=False, poly2mask=True):
    load = dict(type='LoadAnnotations', with_bbox=True, with_mask=with_mask)
    if not poly2mask:
        load['poly2mask'] = False
    return dict(train_dataloader=dict(dataset=dict(pipeline=[
        dict(type='LoadImageFromFile'), load,
        dict(type='RandomFlip', prob=0.5),
        dict(type='PackDetInputs')
    ])))


def test_recompute_bbox_needs_masks(tmp_path, capsys):
    message = ('recompute_bbox=True takes boxes from masks, but the train '
               'pipeline loads none (no LoadAnnotations with '
               'with_mask=True); drop recompute_bbox (--recompute-bbox) or '
               'load masks')
    with pytest.raises(ValueError, match=r'^recompute_bbox=True takes'):
        inject_policy(read_config(RETINANET), ROTATE, recompute_bbox=True)
    path = ROTATE.save(str(tmp_path / 'p.json'))
    err = _run_tool([RETINANET, path, '--out', str(tmp_path / 'r.py'),
                     '--recompute-bbox'], capsys)
    assert err == f'error: {message}\n'
    assert not (tmp_path / 'r.py').exists()
    # Mask R-CNN loads masks: accepted
    new = inject_policy(read_config(MASK_RCNN), ROTATE, recompute_bbox=True)
    assert new.train_dataloader.dataset.pipeline[-2].recompute_bbox is True


def test_what_the_transform_refuses_is_refused_at_write_time(tmp_path,
                                                             capsys):
    only_pairing = Policy('autoaugment', [[('SamplePairing', 1.0, 0.5)]])
    with pytest.raises(ValueError, match='every op of the policy is in'):
        inject_policy(_pipeline(), only_pairing)
    path = only_pairing.save(str(tmp_path / 'pairing.json'))
    err = _run_tool([RETINANET, path, '--out', str(tmp_path / 'r.py')],
                    capsys)
    assert "every op of the policy is in ['SamplePairing']" in err
    with pytest.raises(ValueError,
                       match=r"DetPolicyAugment: .*unexpected keyword "
                       r"argument 'min_size'"):
        inject_policy(_pipeline(), ROTATE, min_size=2)
    with pytest.raises(ValueError, match=r"skip_ops \['Blur'\] are not ops"):
        inject_policy(_pipeline(), ROTATE, skip_ops=['Blur'])


def test_an_advaa_policy_is_injected_without_skip_ops(tmp_path):
    policy = advaa_like_policy()
    path = policy.save(str(tmp_path / 'policy.json'))
    with pytest.warns(DroppedOpWarning, match='left out SamplePairing'):
        new = inject_policy(read_config(MASK_RCNN), path,
                            recompute_bbox=True)
    pipeline = new.train_dataloader.dataset.pipeline
    assert pipeline[-2].type == 'mmautoaug.DetPolicyAugment'
    assert 'skip_ops' not in pipeline[-2]
    with DefaultScope.overwrite_default_scope('mmdet'):
        with pytest.warns(DroppedOpWarning):
            step = Compose([copy.deepcopy(pipeline[-2])])
    from mmdet.structures.bbox import HorizontalBoxes
    from mmdet.structures.mask import BitmapMasks
    masks = np.zeros((1, 40, 40), np.uint8)
    masks[0, 10:30, 12:28] = 1
    out = step(dict(
        img=np.full((40, 40, 3), 90, np.uint8),
        gt_bboxes=HorizontalBoxes(np.array([[12., 10, 28, 30]])),
        gt_bboxes_labels=np.array([0]),
        gt_masks=BitmapMasks(masks, 40, 40)))
    assert out['img'].shape == (40, 40, 3)


def test_mmdet_export_filters_boxes_pushed_out():
    strong = Policy('fastaa', [[('TranslateX', 1.0, 1.0)],
                               [('TranslateY', 1.0, 1.0)]])
    new = inject_policy(_pipeline(with_mask=True), strong, backend='mmdet')
    steps = new.train_dataloader.dataset.pipeline
    assert [s.type for s in steps[-3:]] == [
        'mmdet.AutoAugment', 'mmdet.FilterAnnotations', 'PackDetInputs']
    assert steps[-2].to_dict() == dict(
        type='mmdet.FilterAnnotations', min_gt_bbox_wh=(1.0, 1.0),
        by_box=True, by_mask=True, keep_empty=False)
    no_masks = inject_policy(_pipeline(), strong, backend='mmdet')
    assert no_masks.train_dataloader.dataset.pipeline[-2].by_mask is False
    from mmdet.structures.bbox import HorizontalBoxes
    from mmdet.structures.mask import BitmapMasks
    with DefaultScope.overwrite_default_scope('mmdet'):
        augment = Compose(copy.deepcopy(steps[-3:-2]))
        both = Compose(copy.deepcopy(steps[-3:-1]))
    rng = np.random.default_rng(0)
    zero_before = zero_after = total = 0
    for _ in range(30):
        xy = rng.uniform(0, 48, (6, 2))
        boxes = np.concatenate([xy, xy + rng.uniform(4, 16, (6, 2))], 1)
        boxes = np.clip(boxes, 0, 64).astype(np.float32)
        masks = np.zeros((6, 64, 64), np.uint8)
        for k, (x1, y1, x2, y2) in enumerate(boxes.astype(int)):
            masks[k, y1:y2, x1:x2] = 1
        sample = dict(
            img=np.full((64, 64, 3), 90, np.uint8),
            img_shape=(64, 64),
            gt_bboxes=HorizontalBoxes(boxes),
            gt_bboxes_labels=np.zeros(6, np.int64),
            gt_ignore_flags=np.zeros(6, bool),
            gt_masks=BitmapMasks(masks, 64, 64))
        seed = int(rng.integers(2**31))
        np.random.seed(seed)
        alone = augment(copy.deepcopy(sample))['gt_bboxes']
        np.random.seed(seed)
        filtered = both(copy.deepcopy(sample))['gt_bboxes']
        total += len(alone)
        zero_before += int(((alone.widths <= 1) | (alone.heights <= 1)).sum())
        zero_after += int(
            ((filtered.widths <= 1) | (filtered.heights <= 1)).sum())
    assert zero_before / total > 0.05, 'mmdet AutoAugment leaves zero boxes'
    assert zero_after == 0, 'FilterAnnotations removes them'


def test_mmdet_export_warns_about_polygon_rotate():
    with pytest.warns(UserWarning,
                      match=r"backend='mmdet': the config keeps polygon "
                      r'masks .* and the policy rotates; mmdet\'s Rotate '
                      r'turns polygons about the top-left corner, not the '
                      r'image centre \(open-mmlab/mmdetection#11758\)'):
        inject_policy(_pipeline(with_mask=True, poly2mask=False), ROTATE,
                      backend='mmdet')
    no_rotate = Policy('fastaa', [[('Equalize', 0.5, 0.0)]])
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        # bitmaps (mmdet's default poly2mask=True), or no Rotate: no warning
        inject_policy(_pipeline(with_mask=True), ROTATE, backend='mmdet')
        inject_policy(_pipeline(with_mask=True, poly2mask=False), no_rotate,
                      backend='mmdet')


def test_unreadable_configs_and_outputs_are_one_sentence(tmp_path, capsys):
    path = ROTATE.save(str(tmp_path / 'p.json'))
    binary = tmp_path / 'bin.py'
    binary.write_bytes(b'\x00\xff\xfe')
    err = _run_tool([str(binary), path, '--out', str(tmp_path / 'o.py')],
                    capsys)
    assert err == (f"error: config file '{binary}' is not UTF-8 text (byte "
                   'at position 1)\n')
    err = _run_tool(['mmdet::nope/none.py', path, '--out',
                     str(tmp_path / 'o.py')], capsys)
    assert err.startswith("error: could not read config 'mmdet::nope/none.py'")
    blocker = tmp_path / 'file'
    blocker.write_text('')
    out = str(blocker / 'o.py')
    err = _run_tool([RETINANET, path, '--out', out], capsys)
    assert err.startswith(
        f"error: --out: cannot create the folder of '{out}' (")


def test_recompute_bbox_is_on_wherever_masks_are_loaded():
    mask_rcnn = inject_policy(read_config(MASK_RCNN), ROTATE)
    assert mask_rcnn.train_dataloader.dataset.pipeline[-2].recompute_bbox
    off = inject_policy(read_config(MASK_RCNN), ROTATE, recompute_bbox=False)
    assert off.train_dataloader.dataset.pipeline[-2].recompute_bbox is False
    retinanet = inject_policy(read_config(RETINANET), ROTATE)
    assert 'recompute_bbox' not in retinanet.train_dataloader.dataset.pipeline[
        -2]
