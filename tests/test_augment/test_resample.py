# Copyright (c) mmautoaug contributors. All rights reserved.
"""PIL's bilinear / bicubic affine filters, and the AWS space replayed
against the authors' own PIL calls."""
import numpy as np
import pytest
import torch
from PIL import Image, ImageEnhance, ImageOps

from mmautoaug.augment import (AWS, GEOMETRIC_OPS, OpRange, SearchSpace,
                               apply_batch_op, apply_image_op, augment_batch)
from mmautoaug.augment.geometry import pil_affine_data
from .conftest import PARAMS

FILTERS = {'bilinear': Image.BILINEAR, 'bicubic': Image.BICUBIC}


def _pil_warp(img, op, v, interpolation, fill):
    """``Image.transform`` / ``Image.rotate`` with a resampling filter."""
    pil = Image.fromarray(img)
    if pil.mode == 'L':
        fill = fill[0]
    resample = FILTERS[interpolation]
    if op == 'Rotate':
        return np.asarray(pil.rotate(v, resample=resample, fillcolor=fill))
    h, w = img.shape[:2]
    return np.asarray(
        pil.transform(
            pil.size,
            Image.AFFINE,
            pil_affine_data(op, v, h, w),
            resample,
            fillcolor=fill))


@pytest.mark.parametrize('interpolation', sorted(FILTERS))
@pytest.mark.parametrize('op', GEOMETRIC_OPS)
def test_filters_equal_pil(photos, random_images, op, interpolation):
    """Pixel for pixel, on photographs, noise, odd sizes and grey images,
    with the image border (clamped taps) and the fill in play."""
    images = list(photos.values()) + list(random_images.values())
    images += [photos['astronaut'][..., 0], random_images['narrow'][..., 1]]
    fill = (90, 90, 90)  # grey, so that a grey image's fill is the same
    for img in images:
        for v in PARAMS[op]:
            want = _pil_warp(img, op, v, interpolation, fill)
            got = apply_image_op(
                img, op, v, fill=fill, interpolation=interpolation)
            assert got.shape == want.shape and got.dtype == np.uint8
            assert np.array_equal(
                got, want), (f'{op}({v}) {interpolation} {img.shape}: '
                             f'{np.mean(got != want):.2%} pixels differ')


def test_bicubic_overshoot_is_clipped_like_pil():
    """A sharp edge rings under cubic convolution (a = -1): values beyond
    [0, 255] are clipped, then truncated."""
    img = np.zeros((12, 12, 3), np.uint8)
    img[:, 6:] = 255
    img[:, :3] = 40
    got = apply_image_op(img, 'ShearX', 0.37, interpolation='bicubic')
    assert np.array_equal(got,
                          _pil_warp(img, 'ShearX', 0.37, 'bicubic', (0, 0, 0)))
    assert got.max() == 255 and got.min() == 0


# -- the AWS space against the authors' code ---------------------------------
def _authors_candidates():
    """The 36 candidates of the authors' pre-release (AWS-OHL-AutoAug
    ``aug_op/ops.py`` + ``agent/base.py``): each op at levels 3, 6 and 9 of
    its 10-point ``RANGES``, as a function ``(PIL image, sign) -> image``
    written with their PIL calls."""

    def shear_x(m):
        return lambda img, s: img.transform(
            img.size,
            Image.AFFINE, (1, m * s, 0, 0, 1, 0),
            Image.BICUBIC,
            fillcolor=(128, 128, 128))

    def shear_y(m):
        return lambda img, s: img.transform(
            img.size,
            Image.AFFINE, (1, 0, 0, m * s, 1, 0),
            Image.BICUBIC,
            fillcolor=(128, 128, 128))

    def translate_x(m):
        return lambda img, s: img.transform(
            img.size,
            Image.AFFINE, (1, 0, m * img.size[0] * s, 0, 1, 0),
            fillcolor=(128, 128, 128))

    def translate_y(m):
        return lambda img, s: img.transform(
            img.size,
            Image.AFFINE, (1, 0, 0, 0, 1, m * img.size[1] * s),
            fillcolor=(128, 128, 128))

    def enhance(kind, m):
        return lambda img, s: getattr(ImageEnhance, kind)(img).enhance(1 + m *
                                                                       s)

    ranges = {
        'ShearX': (np.linspace(0, 0.3, 10), shear_x),
        'ShearY': (np.linspace(0, 0.3, 10), shear_y),
        'TranslateX': (np.linspace(0, 150 / 331, 10), translate_x),
        'TranslateY': (np.linspace(0, 150 / 331, 10), translate_y),
        'Rotate':
        (np.linspace(0, 30, 10), lambda m: lambda img, s: img.rotate(m * s)),
        'Color': (np.linspace(0.0, 0.9, 10), lambda m: enhance('Color', m)),
        'Contrast': (np.linspace(0.0, 0.9,
                                 10), lambda m: enhance('Contrast', m)),
        'Sharpness': (np.linspace(0.0, 0.9,
                                  10), lambda m: enhance('Sharpness', m)),
        'Brightness': (np.linspace(0.0, 0.9,
                                   10), lambda m: enhance('Brightness', m)),
        'Posterize':
        (np.round(np.linspace(8, 4, 10), 0).astype(int),
         lambda m: lambda img, s: ImageOps.posterize(img, int(m))),
        'Solarize': (np.linspace(256, 0, 10),
                     lambda m: lambda img, s: ImageOps.solarize(img, m)),
    }
    out = {}
    for op, (levels, make) in ranges.items():
        for level, mine in zip((3, 6, 9), (1 / 3, 2 / 3, 1.0)):
            out[(op, mine)] = make(levels[level])
    out[('AutoContrast', 0.0)] = lambda img, s: ImageOps.autocontrast(img)
    out[('Equalize', 0.0)] = lambda img, s: ImageOps.equalize(img)
    out[('Invert', 0.0)] = lambda img, s: ImageOps.invert(img)
    return out


def test_aws_space_replays_the_authors_ops(photos, random_images):
    """Every candidate of the 'aws' space, with both signs where signed, in
    both faces, equals the authors' PIL call pixel for pixel (bicubic
    shears with grey fill, nearest translations with grey fill, a nearest
    Rotate with black fill, Translate up to 150/331 of the size)."""
    authors = _authors_candidates()
    assert set(authors) == set(AWS.candidates)
    images = [
        photos['astronaut'], photos['chelsea_40x56'], random_images['uniform']
    ]
    for op, m in AWS.candidates:
        signs = (1, -1) if AWS.range(op).signed else (1, )
        for img in images:
            for s in signs:
                want = np.asarray(authors[(op, m)](Image.fromarray(img), s))
                param = AWS.param(op, m, s)
                got = apply_image_op(
                    img,
                    op,
                    param,
                    fill=AWS.fill_for(op),
                    interpolation=AWS.interpolation_for(op))
                assert np.array_equal(got, want), (op, m, s, img.shape)
                x = torch.from_numpy(img.copy()).permute(2, 0, 1)[None]
                # float64 magnitudes: a float32 1/3 moves the shear by 3e-9,
                # which flips a few truncated bicubic levels
                batched = augment_batch(
                    x,
                    AWS,
                    torch.tensor([AWS.index(op)]),
                    torch.tensor([m], dtype=torch.float64),
                    torch.ones(1),
                    sign=torch.tensor([s]))
                assert np.array_equal(batched[0].permute(1, 2, 0).numpy(),
                                      want), (op, m, s, 'batched')


def test_aws_space_settings():
    assert AWS.range('TranslateX').high == 150 / 331  # 0.45317, not 0.453
    assert AWS.interpolation_for('ShearY') == 'bicubic'
    assert AWS.interpolation_for('TranslateY') == 'nearest'
    assert AWS.fill_for('Rotate') == (0, 0, 0)
    assert AWS.fill_for('TranslateY') == (128, 128, 128)
    # ops outside the space (the Identity batched callers add) use the
    # space's defaults
    assert AWS.fill_for('Identity') == AWS.fill
    assert AWS.interpolation_for('Identity') == 'nearest'


def test_bad_filters_and_fills_are_named():
    with pytest.raises(ValueError, match="interpolation.*'cubic'"):
        OpRange('ShearX', 0, 0.3, interpolation='cubic')
    with pytest.raises(ValueError, match='geometric ops only'):
        OpRange('Solarize', 256, 0, interpolation='bicubic')
    with pytest.raises(ValueError, match='geometric ops only'):
        OpRange('Invert', fill=(0, 0, 0))
    img = np.zeros((4, 4, 3), np.uint8)
    with pytest.raises(ValueError, match='interpolation.*allowed'):
        apply_image_op(img, 'ShearX', 0.1, interpolation='lanczos')
    x = torch.zeros(1, 3, 4, 4, dtype=torch.uint8)
    one = (torch.zeros(1, dtype=torch.long), torch.zeros(1))
    with pytest.raises(ValueError, match=r"interpolation\['ShearX'\]"):
        apply_batch_op(
            x, *one, ops=['ShearX'], interpolation={'ShearX': 'area'})
    with pytest.raises(
            ValueError, match=r"interpolation\['Invert'\].*"
            'geometric'):
        apply_batch_op(
            x, *one, ops=['Invert'], interpolation={'Invert': 'bicubic'})
    with pytest.raises(ValueError, match='not an op'):
        apply_batch_op(x, *one, ops=['ShearX'], op_fill={'Sheer': 0})
    with pytest.raises(ValueError, match=r"op_fill\['ShearX'\]"):
        apply_batch_op(x, *one, ops=['ShearX'], op_fill={'ShearX': (1, 2)})


def test_a_space_with_its_own_filters():
    """A space built by a user: the per-op settings reach both faces."""
    space = SearchSpace(
        'tilt',
        (OpRange('Rotate', 0, 30, interpolation='bilinear',
                 fill=(9, 9, 9)), OpRange('Invert')),
        fill=(200, 0, 0))
    img = np.full((16, 16, 3), 50, np.uint8)
    x = torch.from_numpy(img).permute(2, 0, 1)[None].repeat(2, 1, 1, 1)
    out = augment_batch(
        x,
        space,
        torch.tensor([0, 1]),
        torch.tensor([1.0, 0.0]),
        torch.ones(2),
        sign=torch.tensor([1, 1]))
    want = _pil_warp(img, 'Rotate', 30.0, 'bilinear', (9, 9, 9))
    assert np.array_equal(out[0].permute(1, 2, 0).numpy(), want)
    assert (want == 9).any()  # the corners took the op's own fill
