# Copyright (c) mmautoaug contributors. All rights reserved.
"""A space may give a geometric op its own sampling and fill (the ``aws``
space: bicubic ShearX/Y, a black Rotate, the rest nearest and grey 128).
Every export carries them where the target can state them and warns with
what changes where it cannot; tools/policy/show.py draws with them."""
import importlib.util
import json
import os.path as osp
import warnings

import numpy as np
import pytest
import torch

from mmautoaug.augment import AWS, apply_image_op
from mmautoaug.policy import (ConversionWarning, Policy, from_mmdet,
                              from_mmpretrain, to_albumentations, to_kornia,
                              to_mmdet, to_mmpretrain, to_timm,
                              to_torchvision)
from mmautoaug.registry import TRANSFORMS
from mmautoaug.utils import register_all_modules

register_all_modules()
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
#: Rotate at 30 degrees (black corners), ShearX 0.3 (bicubic, grey 128),
#: TranslateY (nearest, grey 128).
ROTATE = Policy('aws', [[('Rotate', 1.0, 1.0)]])
SHEAR = Policy('aws', [[('ShearX', 1.0, 1.0)]])
MIXED = Policy('aws', [[('Rotate', 1.0, 1.0), ('ShearX', 1.0, 1.0)],
                       [('TranslateY', 1.0, 2 / 3), ('Invert', 1.0, 0.0)]])
WHITE = np.full((40, 40, 3), 255, np.uint8)


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', ConversionWarning)
        return fn(*args, **kwargs)


def _ours(op, img=WHITE, m=1.0):
    """Our image at both signs, sampled and filled as the space has op."""
    r = AWS.range(op)
    return [apply_image_op(img, op, r.param(m, s), fill=AWS.fill_for(op),
                           interpolation=AWS.interpolation_for(op))
            for s in (1, -1)]


def _agreement(theirs, ours):
    """The best share of pixels within one level of one of our signs."""
    return max(float((np.abs(theirs.astype(int) - o.astype(int)) <= 1)
                     .all(-1).mean()) for o in ours)


def test_mmpretrain_carries_the_ops_own_fill_and_filter():
    with pytest.warns(ConversionWarning,
                      match='ShearX: mmpretrain samples bicubic with '
                      "OpenCV's kernel"):
        cfg = to_mmpretrain(MIXED)
    (rotate, shear), (translate, _) = cfg['policies']
    assert rotate['pad_val'] == (0, 0, 0)
    assert rotate['interpolation'] == 'nearest'
    assert shear['pad_val'] == (128, 128, 128)
    assert shear['interpolation'] == 'bicubic'
    assert translate['pad_val'] == (128, 128, 128)
    assert translate['interpolation'] == 'nearest'
    # the built transform rotates a white image with black corners, as ours
    # (with the space's grey the corners, a fifth of the image, differ)
    theirs = TRANSFORMS.build(to_mmpretrain(ROTATE))(
        dict(img=WHITE.copy()))['img']
    assert (theirs == 0).all(-1).mean() > 0.15
    assert _agreement(theirs, _ours('Rotate')) > 0.97
    # read back into the aws space: only the kernel is noted
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter('always', ConversionWarning)
        back = from_mmpretrain(cfg, space='aws')
    text = '\n'.join(str(w.message) for w in seen)
    assert 'pad_val' not in text and 'read as' not in text
    assert "ShearX: mmpretrain samples bicubic" in text
    for got, want in zip(back.sub_policies, MIXED.sub_policies):
        assert [(o.op, o.prob) for o in got] == [(o.op, o.prob) for o in want]
        assert [o.magnitude for o in got] == pytest.approx(
            [o.magnitude for o in want], abs=1e-9)
    # a grey Rotate is not the aws space's
    rotate = dict(cfg['policies'][0][0], pad_val=(128, 128, 128))
    with pytest.warns(ConversionWarning, match='pad_val'):
        from_mmpretrain([[rotate]], space='aws')


def test_mmpretrain_bicubic_shear_is_near_ours():
    from skimage import data
    img = np.ascontiguousarray(data.astronaut()[::8, ::8][:48, :48])
    cfg = _quiet(to_mmpretrain, SHEAR, channel_order='rgb')
    theirs = TRANSFORMS.build(cfg)(dict(img=img.copy()))['img'].astype(int)
    bicubic = _ours('ShearX', img)
    nearest = [apply_image_op(img, 'ShearX', s * 0.3, fill=(128, ) * 3)
               for s in (1, -1)]
    err = min(np.abs(theirs - o.astype(int)).mean() for o in bicubic)
    assert err < 5  # OpenCV's kernel against PIL's, both bicubic (4.5)
    assert err < min(np.abs(theirs - o.astype(int)).mean() for o in nearest)


def test_mmdet_carries_the_ops_own_fill_and_filter():
    with pytest.warns(ConversionWarning, match='ShearX: mmdet samples '
                      'bicubic'):
        cfg = to_mmdet(MIXED)
    (rotate, shear), (translate, _) = cfg['policies']
    assert rotate['img_border_value'] == (0.0, 0.0, 0.0)
    assert rotate['interpolation'] == 'nearest'
    assert shear['img_border_value'] == (128.0, 128.0, 128.0)
    assert shear['interpolation'] == 'bicubic'
    assert translate['interpolation'] == 'nearest'
    theirs = TRANSFORMS.build(to_mmdet(ROTATE))(
        dict(img=WHITE.copy(), img_shape=WHITE.shape[:2]))['img']
    assert (theirs == 0).all(-1).mean() > 0.15
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter('always', ConversionWarning)
        from_mmdet(cfg, space='aws')
    text = '\n'.join(str(w.message) for w in seen)
    assert 'img_border_value' not in text and 'read as' not in text
    # mmdet's own default (bilinear, grey 128) is read with both noted
    with pytest.warns(ConversionWarning, match=r"(?s)img_border_value "
                      r"\(128, 128, 128\) differs.*'bilinear' read as"):
        from_mmdet([[dict(type='Rotate', prob=1.0, level=5,
                          img_border_value=128)]], space='aws')


def test_torchvision_fills_black_and_says_it_cannot_sample_bicubic():
    torch.manual_seed(0)
    tensor = torch.from_numpy(WHITE).permute(2, 0, 1).contiguous()
    theirs = to_torchvision(ROTATE)(tensor).permute(1, 2, 0).numpy()
    assert (theirs == 0).all(-1).mean() > 0.15
    assert _agreement(theirs, _ours('Rotate')) > 0.97
    with pytest.warns(ConversionWarning, match='ShearX: torchvision cannot '
                      'warp tensors bicubically'):
        transform = to_torchvision(SHEAR)
    op = transform.transforms[0].transforms[0]
    assert op.interpolation == 'bilinear' and op.fill == [128.0] * 3
    with pytest.raises(ValueError, match='interpolation'):
        type(op)('ShearX', 1.0, 0.3, interpolation='bicubic')


def test_timm_gives_the_ops_their_own_hparams_and_replays_them():
    pytest.importorskip('timm', reason='timm (an optional peer) is not '
                        'installed')
    import random

    import PIL.Image

    from mmautoaug.policy.converters import timm_transform
    spec = to_timm(MIXED)
    assert spec['hparams']['img_mean'] == [128, 128, 128]
    assert spec['hparams']['interpolation'] == 0
    (rotate, shear), (translate, _) = spec['policy']
    assert rotate[3] == dict(img_mean=[0, 0, 0])
    assert shear[3] == dict(interpolation=3)  # PIL's BICUBIC
    assert len(translate) == 3
    spec = json.loads(json.dumps(spec))  # plain data
    from skimage import data
    img = np.ascontiguousarray(data.astronaut()[::8, ::8][:48, :48])
    for policy, op in ((ROTATE, 'Rotate'), (SHEAR, 'ShearX')):
        aa = timm_transform(to_timm(policy))
        ours = _ours(op, img)
        for seed in range(4):
            random.seed(seed)
            out = np.asarray(aa(PIL.Image.fromarray(img)))
            assert any(np.array_equal(out, o) for o in ours), (op, seed)


def test_albumentations_carries_them_and_warns_for_the_kernel():
    with pytest.warns(ConversionWarning, match='ShearX: albumentations '
                      'samples bicubic'):
        data = to_albumentations(MIXED)
    (rotate, shear), (translate, _) = [
        s['transforms'] for s in data['transform']['transforms']]
    for signs, fill, interpolation in ((rotate, 0.0, 0), (shear, 128.0, 2),
                                       (translate, 128.0, 0)):
        for affine in signs['transforms']:
            assert affine['fill'] == [fill] * 3
            assert affine['interpolation'] == interpolation
    A = pytest.importorskip('albumentations')
    out = A.from_dict(json.loads(json.dumps(_quiet(
        to_albumentations, ROTATE))))(image=WHITE)['image']
    assert (out == 0).all(-1).mean() > 0.15
    assert _agreement(out, _ours('Rotate')) > 0.97


def test_kornia_warns_with_what_differs_for_each_op():
    with pytest.warns(ConversionWarning) as seen:
        to_kornia(MIXED)
    text = '\n'.join(str(w.message) for w in seen)
    assert 'Rotate: kornia samples bilinearly (ours: nearest)' in text
    assert 'ShearX: kornia samples bilinearly (ours: bicubic) and fills ' \
        'with black (ours: (128, 128, 128))' in text
    rotate_line = [line for line in text.splitlines() if 'Rotate:' in line]
    assert rotate_line and all('fills' not in line for line in rotate_line)


def test_show_draws_each_op_with_its_fill_and_filter(tmp_path, monkeypatch):
    pytest.importorskip('matplotlib')
    import mmautoaug.augment.image_ops as image_ops
    path = osp.join(REPO, 'tools', 'policy', 'show.py')
    spec = importlib.util.spec_from_file_location('policy_tool_show', path)
    show = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(show)
    calls = {}
    apply = image_ops.apply_image_op

    def recording(img, op, param=None, **kwargs):
        calls[op] = (tuple(kwargs['fill']), kwargs['interpolation'])
        return apply(img, op, param, **kwargs)

    monkeypatch.setattr(image_ops, 'apply_image_op', recording)
    show.draw_grid(MIXED, WHITE, 1, 0, str(tmp_path / 'g.png'))
    assert calls['Rotate'] == ((0, 0, 0), 'nearest')
    assert calls['ShearX'] == ((128, 128, 128), 'bicubic')
    assert calls['TranslateY'] == ((128, 128, 128), 'nearest')
    table = show.policy_table(MIXED)
    assert 'sampled bicubic' in table and 'filled with (0, 0, 0)' in table
