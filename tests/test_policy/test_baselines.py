# Copyright (c) mmautoaug contributors. All rights reserved.
"""Baselines are policies: their spaces replay torchvision's TrivialAugmentWide
and RandAugment ops, their magnitudes are drawn as the references draw them,
and every face (per-image, batched, detection, converters) applies them."""
import math
import warnings
from collections import Counter

import numpy as np
import pytest
import torch
import torchvision.transforms.functional as TF
from PIL import Image
from torchvision.transforms import InterpolationMode, RandAugment
from torchvision.transforms import TrivialAugmentWide

from mmautoaug.augment import RANDAUGMENT, TRIVIALAUGMENT_WIDE, get_space
from mmautoaug.augment.batch_ops import augment_batch
from mmautoaug.augment.image_ops import apply_image_op
from mmautoaug.datasets import PolicyAugment
from mmautoaug.models.batch_augment.policy_batch_augment import \
    PolicyBatchAugment
from mmautoaug.policy import (BASELINES, MagnitudeDist, Policy, PolicyError,
                              build_baseline, draw_magnitudes, load_policy,
                              to_mmdet, to_mmpretrain, to_torchvision)

NEAREST = InterpolationMode.NEAREST


def _tv_space(name, height=37, width=53):
    if name == 'trivialaugment_wide':
        return TrivialAugmentWide()._augmentation_space(31)
    return RandAugment()._augmentation_space(31, (height, width))


@pytest.mark.parametrize('name', ['trivialaugment_wide', 'randaugment'])
def test_spaces_state_torchvision_levels(name):
    """Level b of 31 (magnitude b / 30) gives torchvision's parameter.

    torchvision computes its levels in float32 (``torch.linspace``): the
    factors agree to 4e-8; TrivialAugmentWide's translate level 15 is
    15.999999 px there, truncated to 15 px, where the exact 16 px is used
    here (every other level agrees to the pixel).
    """
    space = get_space(name)
    table = _tv_space(name)
    assert list(table) == list(space.ops)
    off_by_float32 = []
    for op, (levels, signed) in table.items():
        r = space.range(op)
        assert r.signed == signed and r.takes_magnitude == (levels.ndim > 0)
        if levels.ndim == 0:
            continue
        for b, level in enumerate(levels.tolist()):
            size = r.axis_length(37, 53)
            ours = r.param(b / 30, size=size)
            if op.startswith('Translate'):
                if int(level) != round(ours * size, 9):
                    off_by_float32.append((op, b, int(level), ours * size))
            elif op == 'Posterize':
                assert ours == int(level)
            elif op in ('Brightness', 'Color', 'Contrast', 'Sharpness'):
                assert ours == pytest.approx(1 + level, abs=5e-8)
            else:
                assert ours == pytest.approx(level, abs=5e-6)
    expected = [] if name == 'randaugment' else [
        ('TranslateX', 15, 15, 16.0), ('TranslateY', 15, 15, 16.0)]
    assert off_by_float32 == expected


@pytest.mark.parametrize('size', [32, 224, 331])
def test_randaugment_translate_is_whole_pixels_of_150_331(size):
    r = RANDAUGMENT.range('TranslateX')
    levels = RandAugment()._augmentation_space(31, (size, size))['TranslateX']
    for b, level in enumerate(levels[0].tolist()):
        assert r.param(b / 30, size=size) * size == pytest.approx(
            int(level), abs=1e-9)


def test_trivialaugment_translate_is_absolute_pixels():
    r = TRIVIALAUGMENT_WIDE.range('TranslateX')
    # 32 px at the top level whatever the image size
    assert r.param(1.0, size=64) == 0.5
    assert r.param(1.0, size=320) == 0.1
    assert r.param(1.0, -1.0, size=128) == -0.25
    with pytest.raises(ValueError, match='pass size='):
        r.param(1.0)


def _pil_image():
    rng = np.random.default_rng(3)
    img = rng.integers(0, 256, (37, 53, 3), dtype=np.uint8)
    img[5:30, 12:40] = (200, 30, 90)
    return img


# torchvision's op calls on a PIL image at a fixed magnitude (those of
# TrivialAugmentWide / RandAugment), and the parameter of ours that is the
# same op: (torchvision call, our op, our parameter)
def _tv_call(op, magnitude, img: Image.Image):
    if op == 'ShearX':
        return TF.affine(img, angle=0.0, translate=[0, 0], scale=1.0,
                         shear=[math.degrees(math.atan(magnitude)), 0.0],
                         interpolation=NEAREST, fill=None, center=[0, 0])
    if op == 'ShearY':
        return TF.affine(img, angle=0.0, translate=[0, 0], scale=1.0,
                         shear=[0.0, math.degrees(math.atan(magnitude))],
                         interpolation=NEAREST, fill=None, center=[0, 0])
    if op == 'TranslateX':
        return TF.affine(img, angle=0.0, translate=[int(magnitude), 0],
                         scale=1.0, interpolation=NEAREST,
                         shear=[0.0, 0.0], fill=None)
    if op == 'TranslateY':
        return TF.affine(img, angle=0.0, translate=[0, int(magnitude)],
                         scale=1.0, interpolation=NEAREST,
                         shear=[0.0, 0.0], fill=None)
    if op == 'Rotate':
        return TF.rotate(img, magnitude, interpolation=NEAREST, fill=None)
    enhance = dict(Brightness=TF.adjust_brightness,
                   Color=TF.adjust_saturation, Contrast=TF.adjust_contrast,
                   Sharpness=TF.adjust_sharpness)
    if op in enhance:
        return enhance[op](img, 1.0 + magnitude)
    if op == 'Posterize':
        return TF.posterize(img, int(magnitude))
    if op == 'Solarize':
        return TF.solarize(img, magnitude)
    if op == 'AutoContrast':
        return TF.autocontrast(img)
    if op == 'Equalize':
        return TF.equalize(img)
    assert op == 'Identity'
    return img


def _our_param(op, magnitude, height, width):
    if op.startswith('Translate'):
        # torchvision moves content right/down for a positive shift
        return -int(magnitude) / (width if op == 'TranslateX' else height)
    if op in ('Brightness', 'Color', 'Contrast', 'Sharpness'):
        return 1.0 + magnitude
    return magnitude


@pytest.mark.parametrize('name', ['trivialaugment_wide', 'randaugment'])
def test_ops_match_torchvision_pixel_for_pixel(name):
    """Every op at levels 0, 7, 15, 22, 30 with both signs: torchvision's
    functional call on a PIL image equals our per-image face."""
    img = _pil_image()
    pil = Image.fromarray(img)
    space = get_space(name)
    for op, (levels, signed) in _tv_space(name).items():
        values = [0.0] if levels.ndim == 0 else [
            float(levels[b]) for b in (0, 7, 15, 22, 30)]
        for value in values:
            for sign in ((1, -1) if signed else (1, )):
                magnitude = sign * value
                ref = np.asarray(_tv_call(op, magnitude, pil))
                ours = apply_image_op(img, op,
                                      _our_param(op, magnitude, 37, 53),
                                      fill=space.fill)
                np.testing.assert_array_equal(
                    ours, ref, err_msg=f'{op} {magnitude}')


def test_trivialaugment_draws_one_op_and_one_of_31_levels():
    policy = build_baseline('trivialaugment_wide')
    assert len(policy) == 14 and policy.format_version == 2
    rng = np.random.default_rng(0)
    ops, levels = Counter(), Counter()
    for _ in range(14000):
        drawn = policy.sample_ops(rng, image_size=(32, 32))
        assert len(drawn) == 1  # one op, always applied
        op, param = drawn[0]
        ops[op] += 1
        if op == 'Rotate':
            level = abs(param) / 135 * 30
            assert level == pytest.approx(round(level), abs=1e-9)
            levels[round(level)] += 1
    assert set(ops) == set(TRIVIALAUGMENT_WIDE.ops)
    assert max(ops.values()) < 1.15 * 1000 and min(ops.values()) > 0.85 * 1000
    assert sorted(levels) == list(range(31))  # every level, both ends


def test_randaugment_applies_n_ops_at_level_m():
    policy = load_policy('randaugment:n=3,m=12')
    assert len(policy) == 14**3 and policy.format_version == 1
    assert policy.meta['name'] == 'randaugment:n=3,m=12'
    rng = np.random.default_rng(1)
    for _ in range(200):
        drawn = policy.sample_ops(rng, image_size=(32, 32))
        assert len(drawn) == 3
        for op, param in drawn:
            if op == 'Rotate':
                assert abs(param) == pytest.approx(12.0)  # 30 * 12 / 30


def test_magnitude_std_draws_around_m():
    """torchvision-scale mstd and timm's string: N(m, std) clipped."""
    policy = load_policy('randaugment:n=1,m=15,mstd=3')
    rotate = [sub for sub in policy.sub_policies if sub[0].op == 'Rotate'][0]
    rng = np.random.default_rng(2)
    draws = np.array([rotate[0].sample_magnitude(rng) for _ in range(4000)])
    assert draws.mean() == pytest.approx(0.5, abs=0.005)
    assert draws.std() == pytest.approx(0.1, abs=0.005)
    timm = load_policy('rand-m9-mstd0.5')
    op = timm.sub_policies[1][1]
    assert (op.prob, op.magnitude, op.magnitude_dist.std) == (0.5, 0.9, 0.05)
    inf = load_policy('rand-m7-mstd101-n3').sub_policies[1][2]
    assert inf.magnitude_dist == MagnitudeDist('uniform', 0.0, 0.7)
    clipped = [inf.sample_magnitude(rng) for _ in range(200)]
    assert min(clipped) >= 0 and max(clipped) <= 0.7


def test_uniformaugment_and_uniform_over_any_space():
    ua = load_policy('uniformaugment')
    assert ua.space_name == 'fastaa' and len(ua) == 15 * 15
    assert all(op.prob == 0.5 for sub in ua.sub_policies for op in sub)
    rng = np.random.default_rng(4)
    draws = [ua.sub_policies[0][0].sample_magnitude(rng) for _ in range(2000)]
    assert 0 <= min(draws) < 0.01 and 0.99 < max(draws) <= 1
    aa = load_policy('uniform:space=autoaugment,n=1')
    assert aa.sub_policies[0][0].magnitude_dist.levels().tolist() == \
        pytest.approx([b / 10 for b in range(10)])
    aws = load_policy('uniform:space=aws,n=1')
    assert len(aws) == 36 and not aws.uses_magnitude_dists


def test_random_policy_is_fixed_by_its_seed():
    a = load_policy('random:space=fastaa,seed=5')
    assert a == load_policy('random:seed=5')
    assert a != load_policy('random:seed=6')
    assert len(a) == 25 and {len(s) for s in a.sub_policies} == {2}
    assert a.format_version == 1  # fixed numbers: a version-1 file
    aa = load_policy('random:space=autoaugment,sub_policies=3,ops=1,seed=0')
    assert all(op.magnitude * 10 == int(op.magnitude * 10)
               for sub in aa.sub_policies for op in sub)


@pytest.mark.parametrize('spec, message', [
    ('trivialaugment', r"did you mean 'trivialaugment_wide'"),
    ('randaugment:n=0', r'n: 0; allowed: an integer >= 1'),
    ('randaugment:m=31', r'm: 31.0; allowed: a level in \[0, 30\]'),
    ('randaugment:q=1', r"allowed keys: \['n', 'm', 'bins', 'mstd'\]"),
    ('randaugment:n=two', r"n: 'two' is not a number"),
    ('randaugment:mstd=-1', r'mstd: -1.0; allowed: a number >= 0'),
    ('uniform:space=fast', r"space: 'fast' \(did you mean 'fastaa'\?\)"),
    ('randaugment:n=5', r'exceed 100000 sub-policies'),
    ('rand-m9-mmax20', r'mmax 20.0 is not supported; allowed: 10'),
    ('rand-n2', r'missing the level'),
    ('rand-m9-x1', r"unknown section 'x1'"),
])
def test_bad_specs_name_the_field_and_the_allowed_values(spec, message):
    with pytest.raises(PolicyError, match=message):
        load_policy(spec)


def test_baselines_read_in_words():
    from mmautoaug.policy import describe_op, describe_range
    ta = build_baseline('trivialaugment_wide')
    assert describe_op(ta.space, ta.sub_policies[3][0]) == \
        '+/-16 px, m ~ U[0, 1], 31 levels'
    assert describe_range(RANDAUGMENT, 'TranslateY') == (
        'm in [0, 1] -> 0 .. 0.453 x height (whole pixels), rounded toward '
        'low, mirrored with p=0.5')
    timm = load_policy('rand-m9-mstd0.5-n1').sub_policies[5][0]
    assert describe_op(RANDAUGMENT, timm) == '+/-27 deg, m ~ N(0.9, 0.05)'


def test_every_baseline_builds_with_its_defaults():
    for name in BASELINES:
        policy = build_baseline(name)
        assert policy.meta['baseline'] and policy.meta['source']
        assert load_policy(policy.meta['name']) == policy


# ------------------------------------------------------------- format --
def test_version_1_files_stay_version_1_and_version_2_round_trips(tmp_path):
    v1 = load_policy('dada_cifar10')
    assert v1.to_dict()['format_version'] == 1
    assert 'magnitude_dist' not in v1.to_dict()['sub_policies'][0][0]
    ta = build_baseline('trivialaugment_wide')
    path = ta.save(str(tmp_path / 'ta.json'))
    data = Policy.load(path).to_dict()
    assert data['format_version'] == 2
    assert data['sub_policies'][1][0]['magnitude_dist'] == dict(
        type='uniform', low=0.0, high=1.0, bins=31)
    assert Policy.load(path) == ta


@pytest.mark.parametrize('dist, message', [
    (dict(type='gauss', std=0.1), r"\.magnitude_dist\.type: 'gauss'; "
     r"allowed: \['uniform', 'normal'\]"),
    (dict(type='normal'), r'\.magnitude_dist\.std: missing'),
    (dict(type='normal', std=0), r'\.magnitude_dist\.std: 0; allowed: a '
     r'finite number > 0'),
    (dict(type='normal', std=0.1, low=0.2),
     r"\.magnitude_dist: unknown keys \['low'\] for type 'normal'; "
     r"allowed: \['type', 'std'\]"),
    (dict(type='uniform', low=0.5), r'\.magnitude_dist\.high: missing'),
    (dict(type='uniform', low=0.5, high=1.5),
     r'\.magnitude_dist\.high: 1\.5; allowed: a number in \[0, 1\]'),
    (dict(type='uniform', low=0.6, high=0.5),
     r'\.magnitude_dist: low 0\.6 > high 0\.5; allowed: low <= high'),
    (dict(type='uniform', low=0, high=1, bins=1),
     r'\.magnitude_dist\.bins: 1; allowed: an integer >= 2'),
    ('uniform', r'\.magnitude_dist: expected a dict'),
])
def test_bad_magnitude_dists_name_the_field(dist, message):
    data = dict(format_version=2, space='fastaa', sub_policies=[[
        dict(op='Rotate', prob=1.0, magnitude=0.5, magnitude_dist=dist)]])
    with pytest.raises(PolicyError,
                       match=r'sub_policies\[0\]\[0\]' + message):
        Policy.from_dict(data)


def test_draws_agree_between_numpy_and_torch():
    code = np.array([0, 1, 2, 3, 2])
    center = np.array([0.3, 0.5, 0.5, 0.9, 0.2])
    low, high = np.zeros(5), np.array([1., 1., 1., 1., .5])
    bins, std = np.array([0, 0, 31, 0, 2]), np.array([0, 0, 0, .05, 0])
    u = np.array([0.7, 0.25, 0.99999, 0.3, 0.5])
    z = np.array([1.0, 1.0, 1.0, 2.5, 0.0])
    out = draw_magnitudes(code, center, low, high, bins, std, u, z)
    np.testing.assert_allclose(out, [0.3, 0.25, 1.0, 1.0, 0.5])
    as_t = [torch.as_tensor(a, dtype=torch.float64) for a in
            (center, low, high, bins, std, u, z)]
    out_t = draw_magnitudes(torch.as_tensor(code), *as_t)
    np.testing.assert_array_equal(out_t.numpy(), out)


# ------------------------------------------------------------- faces --
def test_batched_face_applies_pixel_ranges_like_the_per_image_face():
    """TrivialAugment's translate is 32 px on a 64-px-wide image too."""
    rng = np.random.default_rng(0)
    imgs = rng.integers(0, 256, (2, 40, 64, 3), dtype=np.uint8)
    batch = torch.as_tensor(imgs).permute(0, 3, 1, 2).contiguous()
    for space, op in (('trivialaugment_wide', 'TranslateX'),
                      ('randaugment', 'TranslateY')):
        s = get_space(space)
        index = torch.full((2, ), s.index(op))
        out = augment_batch(batch, s, index, torch.tensor([1.0, 0.4]),
                            torch.ones(2, dtype=torch.bool),
                            sign=torch.tensor([1.0, -1.0]))
        for i, (m, sign) in enumerate(((1.0, 1.0), (0.4, -1.0))):
            r = s.range(op)
            param = r.param(m, sign, size=r.axis_length(40, 64))
            ref = apply_image_op(imgs[i], op, param, fill=s.fill)
            np.testing.assert_array_equal(
                out[i].permute(1, 2, 0).numpy(), ref)
    # 32 px: the left half of a 64-px row moves out of the image
    assert TRIVIALAUGMENT_WIDE.param('TranslateX', 1.0, size=64) == 0.5


def test_batched_draws_follow_the_distribution():
    """A TrivialAugment of Solarize only: every threshold drawn on the
    device is one of the 31 levels, and all of them occur."""
    policy = Policy('trivialaugment_wide', [[dict(
        op='Solarize', prob=1.0, magnitude=0.5,
        magnitude_dist=dict(type='uniform', low=0.0, high=1.0, bins=31))]])
    aug = PolicyBatchAugment(policy, seed=0)
    n = 3000
    magnitude = torch.full((n, 1), 0.5, dtype=torch.float64)
    copy = torch.zeros(n, dtype=torch.long)
    sub = torch.zeros(n, dtype=torch.long)
    drawn = aug._draw_magnitudes(magnitude, copy, sub, aug._rng(
        torch.device('cpu')))
    levels = (drawn * 30).squeeze(1)
    assert torch.allclose(levels, levels.round(), atol=1e-9)
    counts = torch.bincount(levels.round().long(), minlength=31)
    assert counts.numel() == 31 and int(counts.min()) > 60
    # and the whole forward runs: a constant 200 image solarizes (to 55)
    # for every threshold <= 200, i.e. level >= 7 (255 - 8.5 * level)
    out = aug(torch.full((n, 3, 4, 4), 200.0))
    frac = float((out[:, 0, 0, 0] == 55).float().mean())
    assert frac == pytest.approx(24 / 31, abs=0.03)


def test_per_image_transform_takes_baseline_specs():
    img = _pil_image()
    t = PolicyAugment('randaugment:n=2,m=9', seed=0)
    outs = [t(dict(img=img.copy()))['img'] for _ in range(20)]
    assert any(not np.array_equal(o, img) for o in outs)
    assert all(o.shape == img.shape for o in outs)


def test_detection_transform_moves_boxes_by_absolute_pixels():
    from mmdet.structures.bbox import HorizontalBoxes

    from mmautoaug.detection import DetPolicyAugment
    policy = Policy('trivialaugment_wide', [[('TranslateX', 1.0, 1.0)]])
    aug = DetPolicyAugment(policy, seed=0)
    for width in (64, 128):
        results = aug(dict(img=np.zeros((40, width, 3), np.uint8),
                           gt_bboxes=HorizontalBoxes(
                               np.array([[30., 8, 34, 12]], np.float32)),
                           gt_bboxes_labels=np.array([1])))
        x0 = float(results['gt_bboxes'].tensor[0, 0])
        assert abs(x0 - 30) == 32  # 32 px on any width


@pytest.mark.parametrize('space, op, m', [
    ('trivialaugment_wide', 'TranslateX', 0.5),  # 16 px absolute
    ('randaugment', 'TranslateX', 0.6),  # 150/331 of the VALID width
    ('randaugment', 'TranslateY', 0.7),  # ... of the valid height
])
def test_batched_detection_face_moves_boxes_as_the_per_image_face(
        space, op, m):
    """Pixel ranges measure each sample's own image, not the padded batch:
    boxes and the valid pixels move as DetPolicyAugment moves them."""
    from mmdet.structures import DetDataSample
    from mmdet.structures.bbox import HorizontalBoxes
    from mmengine.structures import InstanceData

    from mmautoaug.detection import DetPolicyAugment
    from mmautoaug.models import DetPolicyBatchAugment
    policy = Policy(space, [[(op, 1.0, m)]])
    rng = np.random.default_rng(0)
    shapes = [(40, 56), (48, 36)]  # padded to 48 x 64 below
    imgs = [rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
            for h, w in shapes]
    box = np.array([[16., 18, 20, 22]], np.float32)
    samples, batch = [], torch.zeros(2, 3, 48, 64)
    for i, ((h, w), img) in enumerate(zip(shapes, imgs)):
        batch[i, :, :h, :w] = torch.from_numpy(img).permute(2, 0, 1)
        s = DetDataSample(metainfo=dict(img_shape=(h, w)))
        s.gt_instances = InstanceData(bboxes=torch.from_numpy(box),
                                      labels=torch.tensor([1]))
        samples.append(s)
    out, moved = DetPolicyBatchAugment(policy, seed=0)(batch, samples)
    for i, img in enumerate(imgs):
        # the per-image face, both signs (seeds draw them)
        refs = {}
        for seed in range(20):
            ref = DetPolicyAugment(policy, seed=seed)(dict(
                img=img.copy(), gt_bboxes=HorizontalBoxes(box.copy()),
                gt_bboxes_labels=np.array([1])))
            refs[tuple(ref['gt_bboxes'].tensor[0].tolist())] = ref['img']
        assert len(refs) == 2 and tuple(box[0].tolist()) not in refs
        got = tuple(moved[i].gt_instances.bboxes[0].tolist())
        assert got in refs, (i, got, list(refs))
        h, w = shapes[i]
        np.testing.assert_array_equal(
            out[i, :, :h, :w].permute(1, 2, 0).round().byte().numpy(),
            refs[got])


def test_converters_take_baselines():
    ta = build_baseline('trivialaugment_wide')
    out = to_torchvision(ta)(torch.zeros(3, 32, 32, dtype=torch.uint8))
    assert out.shape == (3, 32, 32)
    with pytest.raises(PolicyError, match='pass image_size'):
        to_mmpretrain(ta)
    with pytest.warns(UserWarning, match='31 levels becomes a continuous'):
        cfg = to_mmpretrain(ta, image_size=32, scope=None)
    rotate = cfg['policies'][5][0]
    assert rotate['type'] == 'Rotate' and rotate['magnitude_range'] == (
        0.0, 135.0) and rotate['magnitude_std'] == 'inf'
    with pytest.raises(PolicyError, match='absolute pixels'):
        to_mmdet(ta)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        mstd = to_mmpretrain(load_policy('randaugment:n=1,m=9,mstd=3'),
                             image_size=32, scope=None)
    shear = mstd['policies'][1][0]
    assert (shear['magnitude_level'], shear['magnitude_std'],
            shear['magnitude_range']) == (0.3, 0.1, (0.0, 0.3))


@pytest.mark.parametrize('target', ['to_timm', 'to_kornia',
                                    'to_albumentations'])
def test_exports_with_fixed_values_refuse_drawn_magnitudes(target):
    """timm / kornia / albumentations policy lists state one value per op:
    a baseline's drawn magnitudes and pixel ranges are refused by name (or
    dropped with a warning), never exported as a fixed value."""
    import mmautoaug.policy as policies
    convert = getattr(policies, target)
    with pytest.raises(PolicyError, match=r'sub_policies\[0\]\[0\]: ShearX '
                       r'draws its magnitude at each application'):
        convert(load_policy('uniformaugment:n=1'))
    with pytest.raises(PolicyError, match=r"TranslateX of the 'randaugment' "
                       r'space is measured in pixels'):
        convert(load_policy('randaugment:n=1,m=9'))
    with pytest.warns(UserWarning, match='draws its magnitude'):
        convert(load_policy('uniformaugment:n=1'), unsupported='drop')
