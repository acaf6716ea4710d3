# Copyright (c) mmautoaug contributors. All rights reserved.
import numpy as np
import pytest
from mmengine.registry import init_default_scope

from mmautoaug.registry import TRANSFORMS


def _img():
    return np.random.default_rng(0).integers(0, 100, (32, 32, 3), np.uint8)


def test_paints_one_clipped_square_of_the_fill_colour():
    t = TRANSFORMS.build(dict(type='ClippedCutout', length=16, seed=3))
    img = _img()  # levels < 100: the fill (125, 123, 114) is new
    areas = []
    for _ in range(300):
        out = t(dict(img=img))['img']
        painted = np.all(out == (125, 123, 114), -1)
        ys, xs = np.nonzero(painted)
        assert len(ys) and (~painted | np.any(out != img, -1)).all()
        # a solid rectangle, at most 16 x 16, untouched elsewhere
        assert painted[ys.min():ys.max() + 1, xs.min():xs.max() + 1].all()
        assert ys.ptp() < 16 and xs.ptp() < 16
        assert np.array_equal(out[~painted], img[~painted])
        areas.append(len(ys))
    assert 180 < np.mean(areas) < 212  # 196 in expectation


def test_bgr_puts_the_fill_in_bgr_order_and_prob_zero_does_nothing():
    img = _img()
    out = TRANSFORMS.build(
        dict(type='ClippedCutout', length=32, fill=(200, 0, 50), seed=0,
             channel_order='bgr'))(dict(img=img))['img']
    assert (np.all(out == (50, 0, 200), -1)).sum() >= 16 * 16
    same = TRANSFORMS.build(
        dict(type='ClippedCutout', length=16, prob=0.0))(dict(img=img))
    assert np.array_equal(same['img'], img)


def test_seeded_streams_repeat():
    a = TRANSFORMS.build(dict(type='ClippedCutout', length=8, seed=5))
    b = TRANSFORMS.build(dict(type='ClippedCutout', length=8, seed=5))
    img = _img()
    for _ in range(5):
        assert np.array_equal(a(dict(img=img))['img'], b(dict(img=img))['img'])


@pytest.mark.parametrize('kwargs, match', [
    (dict(length=0), 'length: expected a positive int'),
    (dict(length=16.5), 'length: expected a positive int'),
    (dict(length=16, prob=1.5), r'prob: expected a number in \[0, 1\]'),
    (dict(length=16, fill=(1, 2)), 'fill'),
    (dict(length=16, channel_order='hsv'), 'channel_order'),
    (dict(length=16, seed='x'), 'seed'),
])
def test_bad_arguments(kwargs, match):
    init_default_scope('mmautoaug')
    with pytest.raises((ValueError, TypeError), match=match):
        TRANSFORMS.build(dict(type='ClippedCutout', **kwargs))


def test_bad_image():
    t = TRANSFORMS.build(dict(type='ClippedCutout', length=8))
    with pytest.raises(TypeError, match="ClippedCutout: results\\['img'\\] "
                       'must be uint8'):
        t(dict(img=np.zeros((8, 8, 3), np.float32)))
