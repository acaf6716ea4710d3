# Copyright (c) mmautoaug contributors. All rights reserved.
"""The per-image face replays PIL (the authors' code) exactly."""
import numpy as np
import pytest
from PIL import Image

from mmautoaug.augment import OP_PARAMS, apply_image_op
from .conftest import (PARAMS, ReplayRng, darts_cutout, pil_cutout,
                       pil_reference)

CASES = [(op, v) for op, vs in PARAMS.items() for v in vs]


@pytest.mark.parametrize('op,v', CASES)
def test_equals_pil_on_photographs(photos, random_images, op, v):
    fill = (128, 128, 128) if op == 'Rotate' else (0, 0, 0)
    for name, img in {**photos, **random_images}.items():
        ours = apply_image_op(img, op, v, fill=fill)
        assert ours.dtype == np.uint8 and ours.shape == img.shape
        ref = pil_reference(img, op, v, fill=fill)
        assert np.array_equal(ours, ref), (
            f'{op}({v}) on {name}: {np.mean(ours != ref):.2%} pixels differ')


@pytest.mark.parametrize('op,v', CASES)
def test_grey_equals_pil_mode_L(photos, op, v):
    grey = np.asarray(Image.fromarray(photos['astronaut']).convert('L'))
    ours = apply_image_op(grey, op, v, fill=(37, 37, 37))
    assert ours.shape == grey.shape
    assert np.array_equal(ours, pil_reference(grey, op, v, fill=37))
    # HxWx1 behaves as HxW
    assert np.array_equal(
        apply_image_op(grey[..., None], op, v, fill=(37, 37, 37))[..., 0],
        ours)


@pytest.mark.parametrize('v', [0.2, 0.1, 20 / 32, 0.05])
def test_cutout_replays_fast_autoaugment(photos, v):
    img = photos['chelsea']
    for cx, cy in [(0.5, 0.5), (0.01, 0.99), (0.97, 0.2)]:
        ours = apply_image_op(img, 'Cutout', v, rng=ReplayRng([cx, cy]))
        ref = pil_cutout(img, v, cx * 64, cy * 64, (125, 123, 114))
        assert np.array_equal(ours, ref)
    # side 0 paints nothing
    assert np.array_equal(apply_image_op(img, 'Cutout', 0.0), img)


def test_cutout_draws_from_rng(photos):
    img = photos['coffee']
    a = apply_image_op(img, 'Cutout', 0.2, rng=np.random.default_rng(3))
    b = apply_image_op(img, 'Cutout', 0.2, rng=np.random.default_rng(3))
    c = apply_image_op(img, 'Cutout', 0.2, rng=np.random.default_rng(4))
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    painted = np.all(a == (125, 123, 114), -1) & np.any(img != a, -1)
    assert 0 < painted.sum() <= 13 * 13  # int(0.2 * 64) + 1 = 13


@pytest.mark.parametrize('length', [16, 20, 7, 1])
def test_clipped_cutout_is_the_paper_cutout(photos, length):
    img = photos['chelsea_40x56']  # 40 rows, 56 columns
    for ux, uy in [(0.5, 0.5), (0.0, 0.999), (0.99, 0.01), (0.3, 0.77)]:
        ours = apply_image_op(
            img, 'ClippedCutout', length, rng=ReplayRng([ux, uy]))
        cx, cy = int(ux * 56), int(uy * 40)
        assert np.array_equal(
            ours, darts_cutout(img, length, cx, cy, (125, 123, 114)))
    # clipped, not shifted: a centre in the corner paints a quarter square
    out = apply_image_op(img, 'ClippedCutout', 16, rng=ReplayRng([0, 0]))
    painted = np.all(out == (125, 123, 114), -1) & np.any(out != img, -1)
    assert painted[:8, :8].all() and not painted[8:].any()
    assert not painted[:, 8:].any()


def test_clipped_cutout_covers_196_pixels_on_average():
    """16 px on 32x32: the expected area is exactly 14 ** 2 = 196 px over
    all 32 x 32 centres (Fast-AA's shifted 17 px square covers more)."""
    img = np.zeros((32, 32), np.uint8)
    grid = (np.arange(32) + 0.5) / 32
    areas = [
        int((apply_image_op(img, 'ClippedCutout', 16, cutout_fill=255,
                            rng=ReplayRng([ux, uy])) == 255).sum())
        for ux in grid for uy in grid
    ]
    assert np.mean(areas) == 196.0 and max(areas) == 256
    rng = np.random.default_rng(0)
    drawn = [
        int((apply_image_op(img, 'ClippedCutout', 16, cutout_fill=255,
                            rng=rng) == 255).sum()) for _ in range(2000)
    ]
    assert abs(np.mean(drawn) - 196.0) < 4.0
    with pytest.raises(ValueError, match='ClippedCutout side -1.0'):
        apply_image_op(img, 'ClippedCutout', -1)


@pytest.mark.parametrize('w', [0.0, 0.1, 0.27, 0.4])
def test_sample_pairing_is_pil_blend(photos, w):
    img, pair = photos['astronaut'], photos['coffee']
    ref = Image.blend(Image.fromarray(img), Image.fromarray(pair), w)
    ours = apply_image_op(img, 'SamplePairing', w, pair=pair)
    assert np.array_equal(ours, np.asarray(ref))


def test_bgr_channel_order(photos):
    rgb = photos['chelsea']
    bgr = rgb[..., ::-1].copy()
    for op, v in [('Color', 0.3), ('Contrast', 1.6), ('Rotate', 20.0)]:
        want = apply_image_op(rgb, op, v, fill=(200, 10, 0))
        got = apply_image_op(
            bgr, op, v, fill=(200, 10, 0), channel_order='bgr')
        assert np.array_equal(got[..., ::-1], want)
    img = apply_image_op(
        bgr, 'Cutout', 1.0, rng=ReplayRng([0.5, 0.5]), channel_order='bgr')
    assert tuple(img[0, 0]) == (114, 123, 125)


def test_posterize_zero_bits_is_black(photos):
    # AutoAugment's Posterize reaches 0 bits at magnitude 1 (older PIL
    # allowed it; mask ~255 keeps nothing)
    assert not apply_image_op(photos['coffee'], 'Posterize', 0).any()


def test_input_is_not_modified(photos):
    img = photos['astronaut']
    before = img.copy()
    for op, vs in PARAMS.items():
        apply_image_op(img, op, vs[0])
    apply_image_op(img, 'Cutout', 0.5)
    assert np.array_equal(img, before)


def test_one_pixel_images():
    img = np.array([[[10, 200, 30]]], np.uint8)
    for op, vs in PARAMS.items():
        for v in vs:
            assert np.array_equal(
                apply_image_op(img, op, v), pil_reference(img, op, v)), op
    out = apply_image_op(img, 'Cutout', 0.5, rng=np.random.default_rng(0))
    assert tuple(out[0, 0]) == (125, 123, 114)


def test_large_image_cheaply():
    # 4000x4000 grey: the warp runs in row blocks; one geometric and one
    # colour op keep the test cheap
    img = np.tile(np.arange(4000, dtype=np.uint16) % 251, (4000, 1))
    img = (img + np.arange(4000)[:, None] % 7).astype(np.uint8)
    for op, v in [('Rotate', 13.0), ('Equalize', None)]:
        assert np.array_equal(
            apply_image_op(img, op, v), pil_reference(img, op, v))


def test_very_wide_image():
    # wider than OpenCV's remap allows: the numpy path gives PIL's pixels
    img = np.random.default_rng(0).integers(0, 256, (3, 40000), np.uint8)
    for op, v in [('TranslateX', 0.25), ('ShearY', 0.3)]:
        assert np.array_equal(
            apply_image_op(img, op, v), pil_reference(img, op, v))


@pytest.mark.parametrize('img,err,words', [
    (np.zeros((8, 8, 3), np.float32), TypeError, ['img', 'float32', 'uint8']),
    (np.zeros((8, 8, 4), np.uint8), ValueError, ['img', 'RGBA', 'HxWx3']),
    (np.zeros((8, 8, 2), np.uint8), ValueError, ['img', 'HxWx3']),
    (np.zeros((2, 8, 8, 3), np.uint8), ValueError, ['img', 'HxW']),
    (np.zeros((0, 8, 3), np.uint8), ValueError, ['img', 'empty']),
    ([[1, 2], [3, 4]], TypeError, ['img', 'ndarray', 'list']),
])
def test_bad_images(img, err, words):
    with pytest.raises(err) as info:
        apply_image_op(img, 'Invert')
    for w in words:
        assert w in str(info.value)


def test_bad_arguments(photos):
    img = photos['coffee']
    with pytest.raises(ValueError, match="op: 'Shear'.*allowed.*ShearX"):
        apply_image_op(img, 'Shear', 0.1)
    with pytest.raises(ValueError, match='param: ShearX needs'):
        apply_image_op(img, 'ShearX')
    with pytest.raises(ValueError, match='param: Rotate needs a finite'):
        apply_image_op(img, 'Rotate', float('nan'))
    with pytest.raises(ValueError, match=r'param: Posterize bits 9'):
        apply_image_op(img, 'Posterize', 9)
    with pytest.raises(ValueError, match='param: Cutout side -0.1'):
        apply_image_op(img, 'Cutout', -0.1)
    with pytest.raises(ValueError, match='pair: SamplePairing needs'):
        apply_image_op(img, 'SamplePairing', 0.2)
    with pytest.raises(ValueError, match='pair: shape'):
        apply_image_op(img, 'SamplePairing', 0.2, pair=img[:5])
    with pytest.raises(ValueError, match='fill:.*allowed'):
        apply_image_op(img, 'Rotate', 3.0, fill=(1, 2))
    with pytest.raises(ValueError, match='channel_order'):
        apply_image_op(img, 'Color', 0.5, channel_order='hsv')
    # parameterless ops take None (policies give None for them)
    assert set(op for op, takes in OP_PARAMS.items() if not takes) == {
        'AutoContrast', 'Invert', 'Equalize', 'Identity'
    }
