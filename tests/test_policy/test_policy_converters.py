# Copyright (c) mmautoaug contributors. All rights reserved.
import warnings

import numpy as np
import pytest
import torch
from mmdet.structures.bbox import HorizontalBoxes
from skimage import data
from torchvision.transforms import v2

from mmautoaug.augment import FASTAA
from mmautoaug.augment.image_ops import apply_image_op
from mmautoaug.policy import (ConversionWarning, Policy, PolicyError,
                              from_genotype, from_mmdet, from_mmpretrain,
                              parse_genotype, to_mmdet, to_mmpretrain,
                              to_torchvision)
from mmautoaug.policy.converters._common import op_value
from mmautoaug.registry import TRANSFORMS
from mmautoaug.utils import register_all_modules

register_all_modules()

#: Every op mmpretrain can state exactly, at magnitudes off any grid.
EXACT = Policy('fastaa', [
    [('Rotate', 1.0, 0.75), ('Posterize', 0.4, 0.75)],
    [('Contrast', 0.5, 0.3), ('ShearY', 0.3, 0.1), ('TranslateX', 0.3, 0.9),
     ('Solarize', 0.2, 0.4)],
    [('Equalize', 0.5, 0.0), ('Color', 0.5, 0.7), ('Brightness', 0.5, 0.2),
     ('Sharpness', 0.5, 0.9), ('AutoContrast', 0.1, 0.0),
     ('Invert', 0.1, 0.0), ('ShearX', 0.6, 0.35), ('TranslateY', 0.2, 0.05)],
])
#: Magnitudes mmdet states exactly (its values are rounded to 0.1).
ON_MMDET_GRID = Policy('fastaa', [
    [('Rotate', 1.0, 0.75), ('Posterize', 0.4, 0.5)],
    [('Contrast', 0.5, 0.5), ('TranslateX', 0.3, 5 / 6),
     ('Solarize', 0.2, 0.5)],
    [('Equalize', 0.5, 0.0), ('Color', 0.5, 1 / 3), ('Invert', 0.1, 0.0)],
], [0.5, 0.3, 0.2])


def _photo(size=48, bgr=True):
    img = data.astronaut()[::8, ::8][:size, :size]
    return np.ascontiguousarray(img[..., ::-1] if bgr else img)


def _same_behaviour(a: Policy, b: Policy):
    """Same ops, probabilities and applied parameters (magnitudes may
    differ where integer parameters make several magnitudes equivalent)."""
    assert a.space_name == b.space_name and len(a) == len(b)
    for sa, sb in zip(a.sub_policies, b.sub_policies):
        assert [(o.op, o.prob) for o in sa] == [(o.op, o.prob) for o in sb]
        for oa, ob in zip(sa, sb):
            va, _ = op_value(a.space, oa.op, oa.magnitude)
            vb, _ = op_value(b.space, ob.op, ob.magnitude)
            assert va == pytest.approx(vb, abs=1e-9), oa.op
    np.testing.assert_allclose(a.probabilities(), b.probabilities())


# ------------------------------------------------------------ mmpretrain --
def test_mmpretrain_round_trip_is_exact_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter('error', ConversionWarning)
        cfg = to_mmpretrain(EXACT)
        back = from_mmpretrain(cfg, space='fastaa')
    assert cfg['type'] == 'mmpretrain.AutoAugment'
    rotate = cfg['policies'][0][0]
    assert rotate == dict(type='mmpretrain.Rotate', prob=1.0, angle=15.0,
                          random_negative_prob=0.5, pad_val=(0, 0, 0),
                          interpolation='nearest')
    # fastaa Contrast factor 0.1 + 1.8 * 0.3 = 0.64 is mmpretrain's 1 - 0.36
    assert cfg['policies'][1][0]['magnitude'] == pytest.approx(-0.36)
    assert cfg['policies'][1][0]['random_negative_prob'] == 0.0
    assert cfg['policies'][0][1]['bits'] == 7
    _same_behaviour(EXACT, back)


@pytest.mark.parametrize('op, magnitude', [
    ('Solarize', 0.4), ('Posterize', 0.3), ('Invert', 0.0),
    ('Equalize', 0.0), ('AutoContrast', 0.0), ('Brightness', 0.7),
    ('Contrast', 0.2), ('Color', 0.8), ('Sharpness', 0.9)])
def test_mmpretrain_transform_reproduces_our_pixels(op, magnitude):
    """The built mmpretrain transform (prob 1) and our op agree to one grey
    level (mmcv's sharpness leaves the 1-pixel border unsmoothed, PIL does
    not: compared inside)."""
    policy = Policy('fastaa', [[(op, 1.0, magnitude)]])
    transform = TRANSFORMS.build(to_mmpretrain(policy))
    img = _photo()
    theirs = transform(dict(img=img.copy()))['img'].astype(int)
    (_, param), = policy.sample_ops(np.random.default_rng(0))
    ours = apply_image_op(img, op, param, channel_order='bgr').astype(int)
    inside = np.s_[1:-1, 1:-1] if op == 'Sharpness' else np.s_[:, :]
    assert np.abs(theirs - ours)[inside].max() <= 1


def test_mmpretrain_weighted_policy_becomes_random_choice():
    policy = Policy('fastaa', EXACT.sub_policies, [0.2, 0.3, 0.5])
    cfg = to_mmpretrain(policy, scope=None)
    assert cfg['type'] == 'RandomChoice' and cfg['prob'] == [0.2, 0.3, 0.5]
    assert cfg['transforms'][0][0]['type'] == 'Rotate'
    built = TRANSFORMS.build(to_mmpretrain(policy))
    assert built.prob == [0.2, 0.3, 0.5]
    _same_behaviour(policy, from_mmpretrain(cfg))


def test_mmpretrain_imagenet_preset_is_read_with_notes():
    with pytest.warns(ConversionWarning) as record:
        policy = from_mmpretrain(dict(type='AutoAugment',
                                      policies='imagenet'))
    text = str(record[0].message)
    assert "factor 1 +/- 0.4 (random negation 0.5) kept as 1 + 0.4" in text
    assert "interpolation 'bicubic' read as 'nearest'" in text
    assert len(policy) == 25
    posterize, rotate = policy.sub_policies[0]
    assert (posterize.op, posterize.magnitude) == ('Posterize', 0.0)
    assert (rotate.op, rotate.prob, rotate.magnitude) == ('Rotate', 0.6, 1.0)
    solarize = policy.sub_policies[1][0]  # thr = 256 / 9 * 4
    assert solarize.magnitude == pytest.approx(4 / 9)
    with pytest.raises(PolicyError, match='imagenet'):
        from_mmpretrain(dict(type='AutoAugment', policies='imagenett'))


def test_mmpretrain_magnitude_levels_are_read():
    cfg = [[dict(type='Rotate', magnitude_range=(0, 30), magnitude_level=5,
                 prob=1.0)]]
    policy = from_mmpretrain(cfg, space='autoaugment')
    assert policy.sub_policies[0][0].magnitude == pytest.approx(0.5)


def test_mmpretrain_cutout_needs_an_image_size():
    policy = Policy('fastaa', [[('Cutout', 0.5, 0.5)]])
    with pytest.raises(PolicyError, match="Cutout's side is a fraction of "
                       'the image width .* pass image_size'):
        to_mmpretrain(policy)
    cfg = to_mmpretrain(policy, image_size=40)
    assert cfg['policies'][0][0]['shape'] == 4
    assert cfg['policies'][0][0]['pad_val'] == (114, 123, 125)  # BGR
    back = from_mmpretrain(cfg, image_size=40)
    assert back.sub_policies[0][0].magnitude == pytest.approx(0.5)


def test_unmappable_ops_warn_or_fail_strictly():
    policy = Policy('autoaugment', [[('SamplePairing', 0.5, 0.5),
                                     ('Rotate', 0.5, 0.5)]])
    with pytest.warns(ConversionWarning, match=r'sub_policies\[0\]\[0\]: '
                      'SamplePairing has no mmpretrain transform; dropped'):
        cfg = to_mmpretrain(policy)
    assert [t['type'] for t in cfg['policies'][0]] == ['mmpretrain.Rotate']
    with pytest.raises(PolicyError, match='strict=True refuses'):
        to_mmpretrain(policy, strict=True)
    with pytest.raises(PolicyError, match=r"policies\[0\]\[0\]\.type: "
                       r"'Rotat' is not a mmpretrain AutoAugment op \(did "
                       r"you mean 'Rotate'\?\)"):
        from_mmpretrain([[dict(type='Rotat', angle=3.0)]])


def test_values_outside_the_space_are_clipped_with_a_note():
    with pytest.warns(ConversionWarning, match=r"Rotate 45 is outside the "
                      r"'fastaa' space's range \[-30, 30\]; clipped"):
        policy = from_mmpretrain([[dict(type='Rotate', angle=45.0,
                                        prob=0.5)]])
    assert policy.sub_policies[0][0].magnitude == 1.0


# ----------------------------------------------------------------- mmdet --
def test_mmdet_rounding_is_reported_with_its_size():
    policy = Policy('fastaa', [[('TranslateX', 0.5, 0.9),
                                ('Contrast', 0.5, 0.3)]])
    with pytest.warns(ConversionWarning) as record:
        cfg = to_mmdet(policy)
    text = str(record[0].message)
    assert ('TranslateX 0.36 becomes 0.4 (change +0.04): mmdet rounds its '
            'magnitude 0.36 x width to 0.1') in text
    assert 'Contrast 0.64 becomes 0.6 (change -0.04)' in text
    assert cfg['policies'][0][0]['max_mag'] == 0.36


def test_mmdet_round_trip_on_its_grid_and_it_runs_on_boxes():
    with warnings.catch_warnings():
        warnings.simplefilter('error', ConversionWarning)
        cfg = to_mmdet(ON_MMDET_GRID)
        back = from_mmdet(cfg)
    assert cfg['type'] == 'mmdet.AutoAugment'
    assert cfg['prob'] == [0.5, 0.3, 0.2]
    assert cfg['policies'][0][0]['img_border_value'] == (0.0, 0.0, 0.0)
    _same_behaviour(ON_MMDET_GRID, back)
    transform = TRANSFORMS.build(cfg)
    boxes = HorizontalBoxes(torch.tensor([[4., 4., 20., 30.]]))
    out = transform(dict(img=_photo(), img_shape=(48, 48),
                         gt_bboxes=boxes))
    assert out['img'].shape == (48, 48, 3)


def test_mmdet_signed_factors_become_an_exact_random_choice():
    policy = Policy('aws', [[('Color', 0.7, 2 / 3)]])  # factor 1 +/- 0.6
    cfg = to_mmdet(policy)
    choice = cfg['policies'][0][0]
    assert choice['type'] == 'RandomChoice'
    assert [b[0]['max_mag'] for b in choice['transforms']] == [1.6, 0.4]
    _same_behaviour(policy, from_mmdet(cfg, space='aws'))
    transform = TRANSFORMS.build(cfg)
    assert transform(dict(img=_photo(), img_shape=(48, 48)))['img'].shape \
        == (48, 48, 3)


def test_mmdet_default_policies_are_read():
    with pytest.warns(ConversionWarning, match='SolarizeAdd has no op'):
        policy = from_mmdet(dict(type='AutoAugment'))
    assert len(policy) == 25
    equalize, shear = policy.sub_policies[0]  # ('Equalize', 0.8, 1),
    assert (equalize.op, equalize.prob) == ('Equalize', 0.8)  # ('ShearY',
    value, _ = op_value(policy.space, 'ShearY', shear.magnitude)  # 0.8, 4)
    assert value == pytest.approx(np.tan(np.radians(12.0)))


# ----------------------------------------------------------- torchvision --
@pytest.mark.parametrize('op, magnitude', [
    ('Solarize', 0.4), ('Solarize', 1.0), ('Posterize', 0.3),
    ('Invert', 0.0), ('Equalize', 0.0), ('AutoContrast', 0.0),
    ('Brightness', 0.7), ('Contrast', 0.2), ('Color', 0.8),
    ('Sharpness', 0.9)])
def test_torchvision_callable_reproduces_our_pixels(op, magnitude):
    policy = Policy('fastaa', [[(op, 1.0, magnitude)]])
    transform = to_torchvision(policy)
    assert isinstance(transform, v2.RandomChoice)
    img = _photo(bgr=False)
    tensor = torch.from_numpy(img).permute(2, 0, 1).contiguous()
    theirs = transform(tensor).permute(1, 2, 0).numpy().astype(int)
    (_, param), = policy.sample_ops(np.random.default_rng(0))
    ours = apply_image_op(img, op, param).astype(int)
    assert np.abs(theirs - ours).max() <= 1


def test_torchvision_geometric_ops_follow_our_sign_convention():
    img = _photo(bgr=False)
    tensor = torch.from_numpy(img).permute(2, 0, 1).contiguous()
    for op, m in [('TranslateX', 0.75), ('ShearX', 0.8), ('Rotate', 0.9)]:
        transform = to_torchvision(Policy('fastaa', [[(op, 1.0, m)]]))
        theirs = transform(tensor).permute(1, 2, 0).numpy().astype(int)
        value, _ = op_value(FASTAA, op, m)
        candidates = [apply_image_op(img, op, s * value).astype(int)
                      for s in (1, -1)]
        agree = max(np.mean(np.abs(theirs - c) <= 1) for c in candidates)
        assert agree > 0.97, op


def test_torchvision_cutout_paints_the_library_square():
    torch.manual_seed(0)
    policy = Policy('fastaa', [[('Cutout', 1.0, 1.0)]])  # side 0.2 x 40
    img = torch.zeros(3, 40, 40, dtype=torch.uint8)
    out = to_torchvision(policy)(img)
    painted = (out[0] == 125) & (out[1] == 123) & (out[2] == 114)
    rows, cols = painted.any(1).sum().item(), painted.any(0).sum().item()
    assert 1 <= rows <= 9 and 1 <= cols <= 9 and painted.sum() == rows * cols


def test_torchvision_drops_sample_pairing_with_a_warning():
    policy = Policy('autoaugment', [[('SamplePairing', 1.0, 0.5)]])
    with pytest.warns(ConversionWarning, match='SamplePairing has no '
                      'torchvision op'):
        transform = to_torchvision(policy)
    img = torch.arange(12, dtype=torch.uint8).view(3, 2, 2)
    assert torch.equal(transform(img), img)


# -------------------------------------------------------------- genotype --
def test_genotype_text_is_read():
    text = """def dada_like():
        return [[('Rotate', 0.5, 0.7), ('Invert', 0.2, 0.1)],
                [('Cutout', 0.4, 0.3), ('Color', 0.1, 0.9)]]
    """
    policy = from_genotype(parse_genotype(text), meta=dict(source='test'))
    assert policy.space_name == 'fastaa' and len(policy) == 2
    assert policy.sub_policies[1][0].op == 'Cutout'
    with pytest.raises(PolicyError, match=r"sub_policies\[0\]\[0\]\.op: "
                       "'Rotation' is not an op"):
        from_genotype([[('Rotation', 0.5, 0.7)]])
    with pytest.raises(PolicyError, match='no list literal'):
        parse_genotype('nothing here')


def test_bare_names_build_under_their_own_default_scope():
    from mmdet.registry import TRANSFORMS as MMDET_TRANSFORMS
    from mmengine.registry import DefaultScope
    from mmpretrain.registry import TRANSFORMS as MMPRETRAIN_TRANSFORMS
    policy = Policy('fastaa', [[('Rotate', 1.0, 0.75),
                                ('Equalize', 1.0, 0.0)]])
    img = _photo(16)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        t = MMPRETRAIN_TRANSFORMS.build(to_mmpretrain(policy, scope=None))
        assert t(dict(img=img.copy()))['img'].shape == img.shape
    with DefaultScope.overwrite_default_scope('mmdet'):
        t = MMDET_TRANSFORMS.build(to_mmdet(policy, scope=None))
        out = t(dict(img=img.copy(), img_shape=img.shape[:2]))
        assert out['img'].shape == img.shape
