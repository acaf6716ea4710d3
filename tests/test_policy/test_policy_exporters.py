# Copyright (c) mmautoaug contributors. All rights reserved.
"""Exports to albumentations, kornia and timm: applied by the library itself
and compared with the op library pixel for pixel where the export claims to
be exact; every refusal names the op; every change warns with its size."""
import json
import os.path as osp
import random
import sys
import warnings

import numpy as np
import pytest
import torch

from mmautoaug.augment import apply_image_op, get_space
from mmautoaug.policy import (ConversionWarning, Policy, PolicyError,
                              to_albumentations, to_kornia, to_timm)
from mmautoaug.policy.converters._common import Notes, uniform_repeats

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
RNG = np.random.default_rng(0)
IMG = RNG.integers(0, 256, (23, 31, 3), dtype=np.uint8)
MAGNITUDES = (0.0, 0.1, 0.37, 0.5, 0.8, 1.0)


def _ours(space, op, m, img=IMG):
    """Our image for every sign the op may take (sampled and filled as the
    space has the op: the aws space's shears bicubic, its Rotate black)."""
    r = space.range(op)
    return [apply_image_op(img, op, r.param(m, s), fill=space.fill_for(op),
                           interpolation=space.interpolation_for(op),
                           cutout_fill=space.cutout_fill)
            for s in ((1, -1) if r.signed else (1, ))]


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', ConversionWarning)
        return fn(*args, **kwargs)


# --------------------------------------------------------------------- timm
@pytest.mark.parametrize('space', ['fastaa', 'autoaugment', 'aws'])
def test_timm_replays_every_op_pixel_for_pixel(space):
    pytest.importorskip('timm', reason='timm (an optional peer) is not '
                        'installed')
    import PIL.Image
    from mmautoaug.policy.converters import timm_transform
    sp = get_space(space)
    for op in sp.ops:
        if op in ('Cutout', 'SamplePairing', 'Identity'):
            continue
        for m in MAGNITUDES:
            if op == 'Posterize' and sp.param(op, m) < 1:
                continue  # 0 bits: PIL refuses it (see the next test)
            aa = timm_transform(to_timm(Policy(space, [[(op, 1.0, m)]])))
            ours = _ours(sp, op, m)
            matched = set()
            for seed in range(6):
                random.seed(seed)
                out = np.asarray(aa(PIL.Image.fromarray(IMG)))
                hits = [k for k, o in enumerate(ours)
                        if np.array_equal(out, o)]
                assert hits, f'{space} {op} m={m}: timm differs'
                matched.update(hits)
            if sp.range(op).signed and sp.param(op, m) != sp.range(op).center:
                assert matched == {0, 1}, f'{op}: one sign only'


def test_timm_levels_and_hparams():
    spec = to_timm(Policy('fastaa', [[('TranslateX', 0.5, 1.0),
                                      ('Posterize', 0.3, 0.6)],
                                     [('Solarize', 1.0, 0.6),
                                      ('Color', 0.2, 0.25)]]))
    assert spec['hparams'] == dict(img_mean=[0, 0, 0], interpolation=0,
                                   magnitude_std=0, translate_pct=0.45)
    (tx, post), (sol, color) = spec['policy']
    assert tx == ['TranslateXRel', 0.5, 10.0]
    # fastaa Posterize 0.6 -> int(4 + 2.4) = 6 bits
    assert post[0] == 'PosterizeOriginal' and int(post[2] / 10 * 4) + 4 == 6
    # Solarize 153.6 inverts levels >= 154: timm's int() threshold is 154
    assert sol[0] == 'Solarize' and int(sol[2] / 10 * 256) == 154
    assert color == ['Color', 0.2, pytest.approx((0.55 - 0.1) / 1.8 * 10)]
    # the space's own translation range goes into the hparams
    spec = to_timm(Policy('autoaugment', [[('TranslateY', 1.0, 0.5)]]))
    assert spec['hparams']['translate_pct'] == pytest.approx(150 / 331)
    assert spec['policy'] == [[['TranslateYRel', 1.0, 5.0]]]


def test_timm_refuses_cutout_and_drops_it_on_request():
    policy = Policy('fastaa', [[('Cutout', 0.5, 0.5), ('Invert', 0.4, 0)]])
    with pytest.raises(PolicyError, match=r'sub_policies\[0\]\[0\]: Cutout '
                       'has no timm'):
        to_timm(policy)
    with pytest.warns(ConversionWarning, match='Cutout.*dropped'):
        spec = to_timm(policy, unsupported='drop')
    assert spec['policy'] == [[['Invert', 0.4, 0.0]]]
    with pytest.raises(ValueError, match='unsupported'):
        to_timm(policy, unsupported='ignore')


def test_timm_warns_posterize_to_zero_bits_with_its_size():
    with pytest.warns(ConversionWarning, match=r'0 bits.*change \+1'):
        spec = to_timm(Policy('autoaugment', [[('Posterize', 1.0, 1.0)]]))
    assert spec['policy'][0][0][0] == 'Posterize'


def test_weights_become_repeats_with_the_size_of_each_change():
    notes = Notes('x')
    assert uniform_repeats([0.5, 0.3, 0.2], 1000, notes, 'lib') == [5, 3, 2]
    assert notes.items == []
    counts = uniform_repeats([0.3335, 0.3335, 0.333], 10, notes, 'lib')
    assert counts == [4, 3, 3] and len(notes.items) == 3
    assert 'weights[0]' in notes.items[0] and '+0.0665' in notes.items[0]
    spec = _quiet(to_timm, Policy('fastaa', [[('Invert', 1, 0)],
                                             [('Equalize', 1, 0)]],
                                  weights=[0.75, 0.25]))
    assert [s[0][0] for s in spec['policy']] == ['Invert'] * 3 + ['Equalize']


# ------------------------------------------------------------------- kornia
def test_kornia_signs_become_copies_and_weights_repeats():
    policy = Policy('fastaa', [[('Rotate', 0.5, 0.75), ('ShearX', 1, 0.9)],
                               [('Equalize', 0.8, 0.0)]],
                    weights=[0.5, 0.5])
    listed = _quiet(to_kornia, policy)
    # sub-policy 0: 4 sign combinations; sub-policy 1 listed as often
    rotations = [s for s in listed if s[0][0] == 'rotate']
    assert len(rotations) == 4 and len(listed) == 8
    combos = {(s[0][2], s[1][2]) for s in rotations}
    assert combos == {(7, 6), (7, 3), (2, 6), (2, 3)}
    # bins hold our values: Rotate 15 in [12, 18]; ShearX 0.24 -> kornia's
    # atan(0.24) / pi = 0.075 in bin 6 = [0.06, 0.12]
    assert listed[-1] == [['equalize', 0.8, None]]


def test_kornia_warns_with_the_interval_it_draws_from():
    with pytest.warns(ConversionWarning, match=r'Rotate 15 becomes uniform '
                      r'in \[12, 18\] \(kornia bin 7; up to 3 apart\)'):
        to_kornia(Policy('fastaa', [[('Rotate', 1.0, 0.75)]]))


@pytest.mark.parametrize('op', ['Contrast', 'Color', 'Cutout'])
def test_kornia_refuses_what_it_defines_otherwise(op):
    with pytest.raises(PolicyError, match=rf'sub_policies\[0\]\[1\]: {op}'):
        to_kornia(Policy('fastaa', [[('Invert', 1, 0), (op, 1.0, 0.3)]]))


def test_kornia_applies_the_exact_ops_exactly():
    pytest.importorskip('kornia', reason='kornia (an optional peer) is not '
                        'installed')
    from mmautoaug.policy.converters import kornia_transform
    x = torch.from_numpy(IMG).permute(2, 0, 1)[None].float() / 255
    x = x.repeat(8, 1, 1, 1)
    for op, m in (('Invert', 0.0), ('Equalize', 0.0), ('Posterize', 0.0),
                  ('Posterize', 0.3), ('Posterize', 0.6), ('Posterize', 0.8)):
        policy = Policy('fastaa', [[(op, 1.0, m)]])
        aa = kornia_transform(_quiet(to_kornia, policy))
        ours = _ours(policy.space, op, m)[0]
        for seed in range(3):
            torch.manual_seed(seed)
            out = (aa(x.clone()) * 255).round().byte().permute(0, 2, 3, 1)
            assert all(np.array_equal(o.numpy(), ours) for o in out), \
                f'{op} m={m}'


# ----------------------------------------------------------- albumentations
def _albu(policy, **kwargs):
    A = pytest.importorskip('albumentations', reason='albumentations (an '
                            'optional peer) is not installed')
    data = _quiet(to_albumentations, policy, **kwargs)
    # what A.load reads: the JSON text
    return A.from_dict(json.loads(json.dumps(data)))


@pytest.mark.parametrize('op,m', [('Brightness', 0.3), ('Brightness', 0.8),
                                  ('Solarize', 0.6), ('Posterize', 0.3),
                                  ('Invert', 0.0)])
def test_albumentations_exact_ops_are_exact(op, m):
    t = _albu(Policy('fastaa', [[(op, 1.0, m)]]))
    out = t(image=IMG)['image']
    assert np.array_equal(out, _ours(get_space('fastaa'), op, m)[0])


@pytest.mark.parametrize('op,m,tol', [('Contrast', 0.2, 1), ('Color', 0.9, 1),
                                      ('Sharpness', 0.9, 1),
                                      ('AutoContrast', 0.0, 1),
                                      ('Equalize', 0.0, 4)])
def test_albumentations_close_ops_are_within_their_stated_levels(op, m, tol):
    t = _albu(Policy('fastaa', [[(op, 1.0, m)]]))
    out = t(image=IMG)['image'].astype(int)
    ours = _ours(get_space('fastaa'), op, m)[0].astype(int)
    inner = (slice(1, -1), slice(1, -1))  # Sharpness: the border differs
    assert np.abs(out - ours)[inner].max() <= tol


def test_albumentations_geometric_ops_take_both_signs():
    img = RNG.integers(0, 256, (32, 40, 3), dtype=np.uint8)
    space = get_space('fastaa')
    # TranslateX 0.25 x 40 px = 10 px: whole pixels, so exact
    for op, m, need in (('TranslateX', 0.5 + 0.25 / 0.9, 1.0),
                        ('Rotate', 0.75, 0.99)):
        t = _albu(Policy('fastaa', [[(op, 1.0, m)]]))
        r = space.range(op)
        ours = [apply_image_op(img, op, r.param(m, s)) for s in (1, -1)]
        seen = set()
        for _ in range(16):
            out = t(image=img)['image']
            fits = [(out == o).all(-1).mean() for o in ours]
            assert max(fits) >= need, (op, fits)
            seen.add(int(np.argmax(fits)))
        assert seen == {0, 1}, op


def test_albumentations_picks_sub_policies_by_their_weights():
    t = _albu(Policy('fastaa', [[('Invert', 1.0, 0.0)],
                                [('Invert', 0.0, 0.0)]],
                     weights=[0.8, 0.2]))
    t.set_random_seed(0)
    inverted = np.mean([t(image=IMG)['image'][0, 0, 0] != IMG[0, 0, 0]
                        for _ in range(400)])
    assert abs(inverted - 0.8) < 0.06


def test_albumentations_refuses_blur_and_sample_pairing():
    with pytest.raises(PolicyError, match=r'sub_policies\[0\]\[0\]: '
                       'Sharpness 0.46 < 1 blurs'):
        to_albumentations(Policy('fastaa', [[('Sharpness', 1.0, 0.2)]]))
    with pytest.raises(PolicyError, match='SamplePairing has no'):
        to_albumentations(Policy('autoaugment',
                                 [[('SamplePairing', 1.0, 0.5)]]))
    with pytest.warns(ConversionWarning, match='shears about the image '
                      'centre'):
        to_albumentations(Policy('fastaa', [[('ShearX', 1.0, 0.9)]]))


# ------------------------------------------------------------------- the tool
@pytest.mark.parametrize('target', ['albumentations', 'kornia', 'timm'])
def test_convert_tool_writes_each_library_form(target, tmp_path, capsys):
    sys.path.insert(0, osp.join(ROOT, 'tools', 'policy'))
    import convert
    out = str(tmp_path / f'{target}.json')
    # the CIFAR-10 policy has Contrast/Sharpness below 1 that some refuse
    args = ['autoaugment_cifar10', '--to', target, '--out', out]
    if target != 'timm':
        assert convert.main(args) == 2
        assert 'error: to_' in capsys.readouterr().err
        args.append('--drop-unsupported')
    assert convert.main(args) == 0
    with open(out) as f:
        data = json.load(f)
    expected = dict(albumentations=to_albumentations, kornia=to_kornia,
                    timm=to_timm)[target]
    unsupported = 'error' if target == 'timm' else 'drop'
    assert data == json.loads(json.dumps(_quiet(
        expected, Policy.load(_zoo('autoaugment_cifar10')),
        unsupported=unsupported)))


def _zoo(name):
    from mmautoaug.policy import zoo_path
    return zoo_path(name)
