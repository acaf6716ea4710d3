# Copyright (c) mmautoaug contributors. All rights reserved.
"""Every config whose train pipeline applies a policy tells the ops the
channel order its images really have.

Color, Contrast and the fill colours depend on which channel is red. For
each config (found by loading every config, so configs added later are
checked too), the test writes a colourful RGB image as a PNG, runs the
pipeline's own loading transform on it (or, for data sets that hold RGB
arrays in memory, takes the RGB image), applies the config's policy
transform with its policy replaced by Color at factor 0.1, and requires the
same pixels as Color 0.1 on the RGB image, in the loader's order. In the
train pipelines (a search's second loader included) a ``ClippedCutout``
must paint its fill as (R, G, B), mmpretrain's ``Lighting`` must add
ImageNet's RGB PCA shift to the right channels and keep the order, and
mmpretrain's ``ColorJitter`` (which assumes BGR) must see BGR images.
"""
import copy
import functools
import glob
import os.path as osp

import cv2
import numpy as np
import pytest
from mmengine.config import Config

from mmautoaug.augment.image_ops import apply_image_op
from mmautoaug.registry import TRANSFORMS
from mmautoaug.utils import register_all_modules

register_all_modules()
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = sorted(
    p for p in glob.glob(
        osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in osp.relpath(p, REPO).split(osp.sep))
#: Folders whose every config retrains with a policy.
POLICY_FOLDERS = ('retrain', 'pretrain')
POLICY_TRANSFORMS = ('PolicyAugment', 'DetPolicyAugment')
#: Steps whose result depends on which channel is red.
COLOUR_STEPS = POLICY_TRANSFORMS + ('ClippedCutout', 'Lighting', 'ColorJitter')
#: Data sets that hand the pipeline RGB arrays (no loading transform).
IN_MEMORY_RGB = ('CIFAR10', 'CIFAR100', 'DemoCIFAR10')
#: Color at factor 0.1 (fastaa: 0.1 + 1.8 * magnitude).
#: ImageNet's RGB PCA (AlexNet lighting), as DADA's and Fast AutoAugment's
#: data.py give it; rows are R, G, B.
EIGVAL = np.array([0.2175, 0.0188, 0.0045]) * 255
EIGVEC_RGB = np.array([[-0.5675, 0.7192, 0.4009], [-0.5808, -0.0045, -0.8140],
                       [-0.5836, -0.6948, 0.4203]])
COLOR_POLICY = dict(
    format_version=1,
    space='fastaa',
    sub_policies=[[dict(op='Color', prob=1.0, magnitude=0.0)]])


def _id(path):
    return osp.relpath(path, osp.join(REPO, 'configs'))


def _name(t):
    return t['type'].split('.')[-1] if isinstance(t, dict) else None


@functools.lru_cache(maxsize=None)
def _load(path):
    return Config.fromfile(path)


def _find_pipelines(node, steps, dataset_type=None):
    """(pipeline, data set type) of every pipeline with one of ``steps``."""
    found = []
    if isinstance(node, dict):
        dataset_type = node.get(
            'type', dataset_type) if 'pipeline' in (node) else dataset_type
        pipeline = node.get('pipeline')
        if isinstance(pipeline, list) and any(
                _name(t) in steps for t in pipeline):
            found.append((pipeline, dataset_type))
        for value in node.values():
            found += _find_pipelines(value, steps, dataset_type)
    elif isinstance(node, (list, tuple)):
        for value in node:
            found += _find_pipelines(value, steps, dataset_type)
    return found


def _pipelines(path, steps=POLICY_TRANSFORMS):
    """Train pipelines (the searches' second loader included)."""
    cfg = _load(path).to_dict()
    return _find_pipelines(
        [cfg.get('train_dataloader', {}),
         cfg.get('train_cfg', {})], steps)


def _rgb_image():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (12, 10, 3), dtype=np.uint8)
    img[..., 0] = np.maximum(img[..., 0], 200)  # strongly red
    return img


def _load_like_the_pipeline(pipeline, index, dataset_type, tmp_path):
    """The image as the pipeline holds it before step ``index``, and its
    channel order."""
    rgb = _rgb_image()
    loaders = [t for t in pipeline[:index] if _name(t) == 'LoadImageFromFile']
    if not loaders:
        assert dataset_type and dataset_type.split('.')[-1] in (
            IN_MEMORY_RGB), (
                f'{dataset_type!r} has no loading transform before the '
                'policy; add it to IN_MEMORY_RGB if it holds RGB arrays')
        return rgb, 'rgb'
    path = str(tmp_path / 'rgb.png')
    cv2.imwrite(path, np.ascontiguousarray(rgb[..., ::-1]))  # cv2 writes BGR
    loader = TRANSFORMS.build(copy.deepcopy(loaders[-1]))
    img = loader(dict(img_path=path))['img']
    if np.array_equal(img, rgb):
        return img, 'rgb'
    assert np.array_equal(img, rgb[..., ::-1]), 'the loader changed pixels'
    return img, 'bgr'


def test_policy_configs_are_found():
    with_policy = [p for p in CONFIGS if _pipelines(p)]
    for folder in POLICY_FOLDERS:
        paths = glob.glob(osp.join(REPO, 'configs', folder, '*.py'))
        assert paths
        for path in paths:
            assert path in with_policy, f'{_id(path)}: no policy transform'


@pytest.mark.parametrize('path', CONFIGS, ids=_id)
def test_colour_steps_see_the_real_channel_order(path, tmp_path):
    pipelines = _pipelines(path, COLOUR_STEPS)
    if not pipelines:
        pytest.skip('no policy or colour step in the train pipelines')
    for pipeline, dataset_type in pipelines:
        index = next(i for i, t in enumerate(pipeline)
                     if _name(t) in COLOUR_STEPS)
        img, order = _load_like_the_pipeline(pipeline, index, dataset_type,
                                             tmp_path)
        for t in pipeline[index:]:
            _check_colour_step(path, t, img, order)


def _check_colour_step(path, t, img, order):
    """A step that depends on the channel order, on the loaded image."""
    if _name(t) in POLICY_TRANSFORMS:
        step = dict(copy.deepcopy(t), policy=COLOR_POLICY)
        step.pop('schedule', None)  # a replayed schedule: one policy here
        out = TRANSFORMS.build(step)(dict(img=img.copy()))['img']
        expected = apply_image_op(_rgb_image(), 'Color', 0.1)
        if order == 'bgr':
            expected = expected[..., ::-1]
        assert np.array_equal(out, expected), (
            f'{_id(path)}: the policy step reads {order.upper()} images as '
            f"{step.get('channel_order', 'its default order')}")
    if _name(t) == 'ColorJitter':
        assert order == 'bgr', (
            f'{_id(path)}: mmpretrain ColorJitter assumes BGR images, this '
            f'pipeline holds {order.upper()}')
    if _name(t) == 'Lighting':
        step = TRANSFORMS.build(copy.deepcopy(t))
        np.random.seed(0)
        out = step(dict(img=img.astype(np.float32)))['img']
        np.random.seed(0)
        alpha = np.random.normal(0, step.alphastd, 3)
        shift = EIGVEC_RGB @ (alpha * EIGVAL)
        shift = shift[::-1] if order == 'bgr' else shift
        np.testing.assert_allclose(
            out,
            img.astype(np.float32) + shift.astype(np.float32),
            atol=1e-3,
            err_msg=f'{_id(path)}: Lighting shifts the wrong channels or '
            'changes their order')
    if _name(t) == 'ClippedCutout':
        cut = dict(copy.deepcopy(t), length=64, prob=1.0)
        painted = TRANSFORMS.build(cut)(dict(img=img.copy()))['img']
        fill = np.array(t.get('fill', (125, 123, 114)), np.uint8)
        fill = fill[::-1] if order == 'bgr' else fill
        assert np.all(painted == fill), (
            f'{_id(path)}: ClippedCutout paints {painted[0, 0]} for the '
            f'(R, G, B) fill {tuple(t.get("fill", ()))}')
