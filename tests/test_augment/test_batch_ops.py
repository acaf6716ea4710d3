# Copyright (c) mmautoaug contributors. All rights reserved.
"""The batched face agrees with the per-image face, on any device."""
import numpy as np
import pytest
import torch

from mmautoaug.augment import (AUTOAUGMENT, AWS, FASTAA, GEOMETRIC_OPS,
                               OP_PARAMS, apply_batch_op, apply_image_op,
                               apply_sub_policies, augment_batch)
from .conftest import PARAMS, ReplayRng, pil_reference

DEVICES = ['cpu'] + (['cuda'] if torch.cuda.is_available() else [])
OPS = list(OP_PARAMS)


def _batch(images, dtype=torch.uint8):
    """(N, 3, H, W) of equally sized HxWx3 images."""
    return torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).to(dtype)


def _image(t):
    return t.permute(1, 2, 0).cpu().numpy()


@pytest.fixture(scope='module')
def square_photos(photos, random_images):
    imgs = [v for k, v in photos.items() if v.shape[:2] == (64, 64)]
    return imgs + [
        np.ascontiguousarray(np.pad(v, ((0, 32), (0, 32), (0, 0))))
        for v in random_images.values() if v.shape[0] == 32
    ]


def _all_cases():
    """Every (op, param) of PARAMS (Cutout/SamplePairing tested apart)."""
    return [(op, v) for op, vs in PARAMS.items() for v in vs]


@pytest.mark.parametrize('device', DEVICES)
@pytest.mark.parametrize('dtype', [torch.uint8, torch.float32])
def test_one_call_equals_per_image(square_photos, device, dtype):
    """A different op and parameter per sample, in one call, equals the
    per-image face pixel for pixel (colour ops: exact, which is within the
    1 grey level the design allows; geometric ops: everywhere, not only
    away from the border)."""
    cases = _all_cases()
    imgs = [square_photos[i % len(square_photos)] for i in range(len(cases))]
    x = _batch(imgs, dtype).to(device)
    op_index = torch.tensor([OPS.index(op) for op, _ in cases])
    param = torch.tensor([0.0 if v is None else v for _, v in cases],
                         dtype=torch.float64)
    fill = (128, 64, 0)
    out = apply_batch_op(
        x, op_index.to(device), param.to(device), ops=OPS, fill=fill)
    assert out.dtype == dtype and out.device.type == device
    assert out.shape == x.shape
    for i, (op, v) in enumerate(cases):
        want = apply_image_op(imgs[i], op, v, fill=fill)
        got = _image(out[i])
        assert np.array_equal(
            got,
            want), (f'{op}({v}): {np.mean(got != want):.2%} pixels differ')


def test_float_input_keeps_dtype_and_untouched_samples():
    x = torch.rand(4, 3, 8, 8, dtype=torch.float64) * 255
    out = apply_batch_op(
        x,
        torch.tensor([0, 1, 1, 0]),
        torch.tensor([0.0, 1.5, 0.5, 0.0]),
        ops=['Identity', 'Brightness'])
    assert out.dtype == torch.float64
    assert torch.equal(out[[0, 3]], x[[0, 3]])  # Identity: untouched
    # an applied op reads the uint8 image the sample truncates to
    want = apply_image_op(_image(x[1]).astype(np.uint8), 'Brightness', 1.5)
    assert np.array_equal(_image(out[1]), want)


def test_grey_batches(photos):
    from PIL import Image
    grey = [
        np.asarray(Image.fromarray(photos[k]).convert('L'))
        for k in ('astronaut', 'chelsea')
    ]
    x = torch.from_numpy(np.stack(grey))[:, None]
    for op in ('Color', 'Contrast', 'Sharpness', 'Rotate', 'Equalize'):
        v = 0.0 if not OP_PARAMS[op] else 17.0 if op == 'Rotate' else 1.7
        out = apply_batch_op(
            x,
            torch.zeros(2, dtype=torch.long),
            torch.full((2, ), v),
            ops=[op],
            fill=(9, 9, 9))
        for i in range(2):
            want = apply_image_op(grey[i], op, v, fill=(9, 9, 9))
            assert np.array_equal(out[i, 0].numpy(), want), op


@pytest.mark.parametrize('device', DEVICES)
def test_cutout_replays_the_per_image_face(photos, device):
    imgs = [photos['astronaut'], photos['chelsea'], photos['coffee']]
    x = _batch(imgs).to(device)
    side = torch.tensor([0.2, 0.625, 0.0], device=device)
    gen = torch.Generator(device).manual_seed(7)
    out = apply_batch_op(
        x,
        torch.zeros(3, dtype=torch.long, device=device),
        side,
        ops=['Cutout'],
        generator=gen)
    # the same draws: centre x for every sample, then centre y
    centre = torch.rand(
        2,
        3,
        generator=torch.Generator(device).manual_seed(7),
        device=device,
        dtype=torch.float64).cpu().numpy()
    for i, img in enumerate(imgs):
        want = apply_image_op(
            img,
            'Cutout',
            float(side[i]),
            rng=ReplayRng([centre[0, i], centre[1, i]]))
        assert np.array_equal(_image(out[i]), want)
    assert not torch.equal(out[0], x[0]) and torch.equal(out[2], x[2])


@pytest.mark.parametrize('device', DEVICES)
def test_clipped_cutout_replays_the_per_image_face(photos, device):
    imgs = [photos['astronaut'], photos['chelsea'], photos['coffee']]
    x = _batch(imgs).to(device)
    length = torch.tensor([16.0, 40.0, 0.0], device=device)
    out = apply_batch_op(
        x,
        torch.zeros(3, dtype=torch.long, device=device),
        length,
        ops=['ClippedCutout'],
        generator=torch.Generator(device).manual_seed(11))
    centre = torch.rand(
        2,
        3,
        generator=torch.Generator(device).manual_seed(11),
        device=device,
        dtype=torch.float64).cpu().numpy()
    for i, img in enumerate(imgs):
        want = apply_image_op(
            img,
            'ClippedCutout',
            float(length[i]),
            rng=ReplayRng([centre[0, i], centre[1, i]]))
        assert np.array_equal(_image(out[i]), want)
    assert not torch.equal(out[0], x[0]) and torch.equal(out[2], x[2])
    with pytest.raises(ValueError, match='ClippedCutout side must be >= 0'):
        apply_batch_op(x, torch.zeros(3, dtype=torch.long, device=device),
                       -length - 1, ops=['ClippedCutout'])


def test_sample_pairing(photos):
    imgs = [photos['astronaut'], photos['chelsea']]
    pair = [photos['coffee'], photos['astronaut']]
    out = apply_batch_op(
        _batch(imgs),
        torch.tensor([0, 0]),
        torch.tensor([0.4, 0.13]),
        ops=['SamplePairing'],
        pair=_batch(pair))
    for i in range(2):
        want = apply_image_op(
            imgs[i], 'SamplePairing', [0.4, 0.13][i], pair=pair[i])
        assert np.array_equal(_image(out[i]), want)


def test_empty_and_tiny_batches():
    empty = torch.zeros(0, 3, 32, 32)
    out = apply_batch_op(
        empty, torch.zeros(0, dtype=torch.long), torch.zeros(0), ops=OPS)
    assert out.shape == (0, 3, 32, 32)
    out = augment_batch(empty, FASTAA, torch.zeros(0, dtype=torch.long),
                        torch.zeros(0), torch.zeros(0, dtype=torch.bool))
    assert out.shape == (0, 3, 32, 32)
    one = torch.tensor([10, 200, 30], dtype=torch.uint8).view(1, 3, 1, 1)
    for op, vs in PARAMS.items():
        for v in vs:
            got = apply_batch_op(
                one,
                torch.tensor([0]),
                torch.tensor([0.0 if v is None else v]),
                ops=[op])
            want = apply_image_op(_image(one[0]), op, v)
            assert np.array_equal(_image(got[0]), want), (op, v)


def test_bad_batches():
    x = torch.zeros(2, 3, 8, 8)
    idx, p = torch.zeros(2, dtype=torch.long), torch.zeros(2)
    with pytest.raises(ValueError, match=r'images: shape \(3, 8, 8\)'):
        apply_batch_op(x[0], idx, p, ops=OPS)
    with pytest.raises(ValueError, match='images:.*C in'):
        apply_batch_op(torch.zeros(2, 4, 8, 8), idx, p, ops=OPS)
    with pytest.raises(TypeError, match='images: dtype torch.int32'):
        apply_batch_op(x.int(), idx, p, ops=OPS)
    with pytest.raises(TypeError, match='images: expected a torch.Tensor'):
        apply_batch_op(x.numpy(), idx, p, ops=OPS)
    with pytest.raises(ValueError, match=r'op_index: expected.*\(2,\)'):
        apply_batch_op(x, idx[:1], p, ops=OPS)
    with pytest.raises(ValueError, match=r'param: expected.*\(2,\)'):
        apply_batch_op(x, idx, torch.zeros(2, 1), ops=OPS)
    with pytest.raises(TypeError, match='op_index: dtype torch.float32'):
        apply_batch_op(x, p, p, ops=OPS)
    with pytest.raises(ValueError, match=r'op_index: values must lie in'):
        apply_batch_op(x, idx + 5, p, ops=OPS[:3])
    with pytest.raises(ValueError, match="op: 'Sharpen'"):
        apply_batch_op(x, idx, p, ops=['Sharpen'])
    with pytest.raises(ValueError, match='pair: SamplePairing needs'):
        apply_batch_op(x, idx, p, ops=['SamplePairing'])
    with pytest.raises(ValueError, match=r'param: Posterize bits.*\[9.0'):
        apply_batch_op(x, idx, torch.tensor([9.0, 4.0]), ops=['Posterize'])
    with pytest.raises(ValueError, match='param: ops that take a param'):
        apply_batch_op(
            x, idx, torch.tensor([0.1, float('nan')]), ops=['Rotate'])
    # a NaN where the op takes no parameter is ignored
    apply_batch_op(x, idx, torch.tensor([0.1, float('nan')]), ops=['Invert'])
    with pytest.raises(ValueError, match='param: Cutout side'):
        apply_batch_op(x, idx, -p - 1, ops=['Cutout'])
    with pytest.raises(ValueError, match=r'magnitude: expected.*\(2,\)'):
        augment_batch(x, FASTAA, idx, torch.zeros(3), idx.bool())
    with pytest.raises(ValueError, match=r'sign: expected.*\(2,\)'):
        augment_batch(x, FASTAA, idx, p, idx.bool(), sign=torch.ones(3))
    with pytest.raises(ValueError, match="op_index: values.*'fastaa'"):
        augment_batch(x, FASTAA, idx + 15, p, idx.bool())
    with pytest.raises(KeyError, match='unknown search space'):
        augment_batch(x, 'fast', idx, p, idx.bool())
    with pytest.raises(TypeError, match='images: a uint8 batch cannot'):
        augment_batch(x.byte(), FASTAA, idx, p.requires_grad_(), ~idx.bool())


@pytest.mark.parametrize('device', DEVICES)
def test_straight_through_gradient(photos, device):
    imgs = [photos[k] for k in ('astronaut', 'chelsea', 'coffee')] * 2
    x = _batch(imgs, torch.float32).to(device)
    ops = [
        'Brightness', 'Rotate', 'Equalize', 'Brightness', 'Cutout', 'ShearX'
    ]
    op_index = torch.tensor([FASTAA.index(o) for o in ops], device=device)
    applied = torch.tensor([1, 1, 0, 0, 1, 1], dtype=torch.bool, device=device)
    m = torch.tensor([0.8, 0.9, 0.7, 0.6, 0.5, 0.2],
                     device=device,
                     requires_grad=True)
    out = augment_batch(
        x,
        FASTAA,
        op_index,
        m,
        applied,
        generator=torch.Generator(device).manual_seed(0))
    out.sum().backward()
    pixels = x[0].numel()
    want = applied.float() * pixels
    assert torch.equal(m.grad, want)  # d out / d m = 1 per applied pixel
    # the value: augmented where applied, the input elsewhere
    assert torch.equal(out[[2, 3]], x[[2, 3]])
    assert not torch.equal(out[0], x[0])
    # Brightness: a larger magnitude gives a brighter image, the sign of
    # the gradient
    brighter = augment_batch(x[:1], FASTAA, op_index[:1],
                             torch.tensor([0.9], device=device), applied[:1])
    assert brighter.sum() > out[0].sum() > 0 and m.grad[0] > 0


def test_nothing_applied_gives_zero_gradient(photos):
    x = _batch([photos['astronaut'], photos['coffee']], torch.float32)
    m = torch.tensor([0.3, 0.9], requires_grad=True)
    out = augment_batch(x, FASTAA, torch.tensor([0, 12]), m,
                        torch.zeros(2, dtype=torch.bool))
    assert torch.equal(out, x) and out is not x
    out.sum().backward()
    assert torch.equal(m.grad, torch.zeros(2))


def test_input_gradient_passes_where_not_applied(photos):
    # chained ops: the first op's straight-through gradient reaches its
    # magnitude through samples the second op leaves alone
    x = _batch([photos['astronaut'], photos['coffee']], torch.float32)
    x.requires_grad_()
    idx = torch.full((2, ), FASTAA.index('Rotate'))
    out = augment_batch(x, FASTAA, idx, torch.tensor([0.9, 0.9]),
                        torch.tensor([True, False]))
    out.sum().backward()
    assert torch.equal(x.grad[0], torch.zeros_like(x[0]))
    assert torch.equal(x.grad[1], torch.ones_like(x[1]))


def test_relaxed_applied_gradient(photos):
    x = _batch([photos['astronaut'], photos['coffee']], torch.float32)
    a = torch.tensor([1.0, 0.0], requires_grad=True)
    m = torch.tensor([0.9, 0.9])
    idx = torch.full((2, ), FASTAA.index('Invert'))
    out = augment_batch(x, FASTAA, idx, m, a)
    assert torch.equal(out[0], 255 - x[0]) and torch.equal(out[1], x[1])
    out.sum().backward()
    assert torch.allclose(a.grad, (255 - 2 * x).sum((1, 2, 3)))


def test_augment_batch_maps_magnitudes_through_the_space(photos):
    imgs = [photos['astronaut']] * 5
    x = _batch(imgs)
    cases = [('Rotate', 0.75, -1), ('Posterize', 0.6, 1), ('Solarize', 0.3, 1),
             ('TranslateY', 0.1, 1), ('Brightness', 1.0, -1)]
    for space in (FASTAA, AUTOAUGMENT, AWS):
        if any(op not in space for op, _, _ in cases):
            cases = [c for c in cases if c[0] in space]
        idx = torch.tensor([space.index(op) for op, _, _ in cases])
        m = torch.tensor([c[1] for c in cases])
        sign = torch.tensor([c[2] for c in cases])
        out = augment_batch(
            x[:len(cases)], space, idx, m, torch.ones(len(cases)), sign=sign)
        for i, (op, mag, s) in enumerate(cases):
            p = space.range(op).param(mag, s)
            want = apply_image_op(imgs[0], op, p, fill=space.fill_for(op),
                                  interpolation=space.interpolation_for(op))
            assert np.array_equal(_image(out[i]), want), (space.name, op)


def test_random_mirror_draws_both_signs(photos):
    x = _batch([photos['chelsea']] * 64)
    idx = torch.full((64, ), FASTAA.index('TranslateX'))
    out = augment_batch(
        x,
        FASTAA,
        idx,
        torch.ones(64),
        torch.ones(64),
        generator=torch.Generator().manual_seed(1))
    left = apply_image_op(photos['chelsea'], 'TranslateX', 0.45)
    right = apply_image_op(photos['chelsea'], 'TranslateX', -0.45)
    is_left = [np.array_equal(_image(o), left) for o in out]
    is_right = [np.array_equal(_image(o), right) for o in out]
    assert all(a or b for a, b in zip(is_left, is_right))
    assert 10 < sum(is_left) < 54


def test_sub_policies(photos):
    imgs = [photos['astronaut'], photos['chelsea'], photos['coffee']]
    x = _batch(imgs)
    ops = [('Invert', 'Rotate'), ('Equalize', 'Solarize'),
           ('Color', 'Posterize')]
    idx = torch.tensor([[FASTAA.index(a), FASTAA.index(b)] for a, b in ops])
    mag = torch.tensor([[0.0, 1.0], [0.0, 0.5], [0.2, 0.9]])
    # probability 1: both ops in order; Rotate's sign drawn: either mirror
    out = apply_sub_policies(
        x,
        FASTAA,
        idx,
        torch.ones(3, 2),
        mag,
        generator=torch.Generator().manual_seed(0))
    first = apply_image_op(imgs[0], 'Invert')
    assert any(
        np.array_equal(_image(out[0]), apply_image_op(first, 'Rotate', r))
        for r in (30.0, -30.0))
    second = apply_image_op(imgs[1], 'Equalize')
    assert np.array_equal(
        _image(out[1]), apply_image_op(second, 'Solarize', 128.0))
    third = apply_image_op(imgs[2], 'Color', FASTAA.param('Color', 0.2))
    assert np.array_equal(
        _image(out[2]),
        apply_image_op(third, 'Posterize', FASTAA.param('Posterize', 0.9)))
    # probability 0: untouched; a seed makes draws reproducible
    same = apply_sub_policies(x, FASTAA, idx, torch.zeros(3, 2), mag)
    assert torch.equal(same, x)
    half = torch.full((3, 2), 0.5)
    runs = [
        apply_sub_policies(
            x,
            FASTAA,
            idx,
            half,
            mag,
            generator=torch.Generator().manual_seed(5)) for _ in range(2)
    ]
    assert torch.equal(runs[0], runs[1])
    with pytest.raises(ValueError, match='op_index, prob, magnitude'):
        apply_sub_policies(x, FASTAA, idx, half[:, :1], mag)


def test_bgr_batches_and_every_op_in_one_call(photos):
    """BGR order, and every op (both Cutouts and SamplePairing too) in one
    call."""
    imgs = [photos[k] for k in ('astronaut', 'chelsea', 'coffee')]
    imgs = [imgs[i % 3] for i in range(len(OPS))]
    pairs = imgs[1:] + imgs[:1]
    bgr = [i[..., ::-1].copy() for i in imgs]
    param = torch.tensor([
        12.0 if op == 'ClippedCutout' else PARAMS.get(op, [0.3])[0] or 0.0
        for op in OPS
    ], dtype=torch.float64)
    out = apply_batch_op(
        _batch(bgr),
        torch.arange(len(OPS)),
        param,
        ops=OPS,
        fill=(250, 0, 100),
        pair=_batch([p[..., ::-1].copy() for p in pairs]),
        generator=torch.Generator().manual_seed(3),
        channel_order='bgr')
    # the two Cutouts draw their centres in op order from one generator
    gen = torch.Generator().manual_seed(3)
    centres = {
        op: torch.rand(2, 1, generator=gen, dtype=torch.float64).numpy()
        for op in ('Cutout', 'ClippedCutout')
    }
    for i, op in enumerate(OPS):
        centre = centres.get(op, centres['Cutout'])
        want = apply_image_op(
            imgs[i],
            op,
            float(param[i]),
            fill=(250, 0, 100),
            pair=pairs[i],
            rng=ReplayRng([centre[0, 0], centre[1, 0]]))
        assert np.array_equal(_image(out[i])[..., ::-1], want), op


@pytest.mark.parametrize('device', DEVICES)
@pytest.mark.parametrize('dtype', [torch.uint8, torch.float32])
def test_filters_and_op_fills_in_one_call(square_photos, device, dtype):
    """Nearest, bilinear and bicubic warps with their own fill colours, mixed
    with other ops in one call, equal the per-image face pixel for pixel."""
    interpolation = {'ShearX': 'bicubic', 'ShearY': 'bilinear',
                     'Rotate': 'bicubic', 'TranslateY': 'nearest'}
    op_fill = {'Rotate': (0, 0, 0), 'ShearY': (10, 200, 30)}
    cases = [(op, v) for op in GEOMETRIC_OPS + ('Invert', 'Solarize')
             for v in PARAMS[op]]
    imgs = [square_photos[i % len(square_photos)] for i in range(len(cases))]
    ops = [op for op, _ in cases]
    out = apply_batch_op(
        _batch(imgs, dtype).to(device),
        torch.tensor([OPS.index(op) for op in ops], device=device),
        torch.tensor([0.0 if v is None else v for _, v in cases],
                     dtype=torch.float64, device=device),
        ops=OPS, fill=(128, 64, 0), interpolation=interpolation,
        op_fill=op_fill)
    assert out.dtype == dtype
    for i, (op, v) in enumerate(cases):
        want = apply_image_op(
            imgs[i], op, v, fill=op_fill.get(op, (128, 64, 0)),
            interpolation=interpolation.get(op, 'nearest'))
        assert np.array_equal(_image(out[i]), want), (op, v)


def test_large_image_batch_cheaply():
    # one 4000x4000 grey image: a warp and a level table, as per image
    img = np.tile(np.arange(4000, dtype=np.uint16) % 251, (4000, 1))
    img = (img + np.arange(4000)[:, None] % 7).astype(np.uint8)
    x = torch.from_numpy(img)[None, None]
    out = apply_batch_op(
        x.repeat(2, 1, 1, 1),
        torch.tensor([0, 1]),
        torch.tensor([13.0, 0.0]),
        ops=['Rotate', 'Equalize'])
    assert np.array_equal(out[0, 0].numpy(),
                          apply_image_op(img, 'Rotate', 13.0))
    assert np.array_equal(out[1, 0].numpy(), apply_image_op(img, 'Equalize'))


def test_contrast_mean_exactly_half():
    # mean grey 100.5: PIL rounds half up (int(mean + 0.5)); a reciprocal
    # multiplication would land just below and round down
    img = np.zeros((6, 10, 3), np.uint8)
    img[:, :5], img[:, 5:] = 37, 164
    want = pil_reference(img, 'Contrast', 0.2)
    assert np.array_equal(apply_image_op(img, 'Contrast', 0.2), want)
    for dtype in (torch.uint8, torch.float32):
        out = apply_batch_op(
            _batch([img], dtype),
            torch.tensor([0]),
            torch.tensor([0.2]),
            ops=['Contrast'])
        assert np.array_equal(_image(out[0]), want)


def test_auto_contrast_exact_levels():
    # levels 8..63: (i - 8) * 255 / 55 is an integer for i = 19, 30, ...;
    # double rounding must land where PIL's does
    img = np.random.default_rng(4).integers(8, 64, (16, 16, 3), np.uint8)
    img[0, 0], img[0, 1] = 8, 63
    want = pil_reference(img, 'AutoContrast', None)
    assert np.array_equal(apply_image_op(img, 'AutoContrast'), want)
    out = apply_batch_op(
        _batch([img]), torch.tensor([0]), torch.zeros(1), ops=['AutoContrast'])
    assert np.array_equal(_image(out[0]), want)
