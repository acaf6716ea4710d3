# Copyright (c) mmautoaug contributors. All rights reserved.
"""The fast mode of the geometric ops agrees with the exact one."""
import numpy as np
import pytest

from mmautoaug.augment import AUTOAUGMENT, GEOMETRIC_OPS, apply_image_op
from mmautoaug.augment.fast_warp import (cv2_affine, warp_fast,
                                         warp_maps_fast)
from mmautoaug.detection.annotations import warp_label_maps


def _sources(h, w, op, param, warp):
    """Each output pixel's source as an index ``y * w + x`` (-1: fill)."""
    index = np.arange(h * w, dtype=np.int64).reshape(h, w)
    return warp_label_maps(index, op, param, fill=-1, warp=warp)


def _cases():
    """Every geometric op of the autoaugment space at 11 magnitudes, both
    signs."""
    return [(op, float(AUTOAUGMENT.range(op).param(m, s)))
            for op in GEOMETRIC_OPS for m in np.linspace(0, 1, 11)
            for s in (1, -1)]


@pytest.mark.parametrize('h,w', [(32, 32), (120, 200)])
def test_modes_pick_the_same_pixel_or_a_neighbour(h, w):
    """The modes differ only at ties (about 0.1% of the pixels over the
    space), and then by one pixel: the same geometry, not a shifted one."""
    differing = total = 0
    for op, param in _cases():
        exact = _sources(h, w, op, param, 'exact')
        fast = _sources(h, w, op, param, 'fast')
        diff = exact != fast
        differing += diff.sum()
        total += diff.size
        assert diff.mean() < 0.05, f'{op}({param}): {diff.mean():.1%}'
        both = diff & (exact >= 0) & (fast >= 0)
        dy = np.abs(exact[both] // w - fast[both] // w)
        dx = np.abs(exact[both] % w - fast[both] % w)
        assert dx.max(initial=0) <= 1 and dy.max(initial=0) <= 1, (
            f'{op}({param}): a source {dx.max()}, {dy.max()} px away')
        # inside vs outside is decided alike except at the border pixels
        edge = diff & ((exact < 0) != (fast < 0))
        assert edge.mean() < 0.02
    assert differing / total < 0.005


def test_whole_pixel_translations_are_identical():
    img = np.random.default_rng(0).integers(0, 256, (32, 48, 3), np.uint8)
    for op, param in [('TranslateX', 0.25), ('TranslateX', -0.5),
                      ('TranslateY', 0.125), ('Rotate', 180.0),
                      ('ShearX', 0.0)]:
        np.testing.assert_array_equal(
            apply_image_op(img, op, param, warp='fast', fill=(1, 2, 3)),
            apply_image_op(img, op, param, warp='exact', fill=(1, 2, 3)))


def test_image_and_maps_take_the_same_pixels():
    """A mask warped in fast mode stays on its object: the image's pixels
    are exactly those of the source the index map names."""
    rng = np.random.default_rng(1)
    img = rng.integers(0, 255, (60, 90, 3), np.uint8)
    h, w = img.shape[:2]
    for op, param in _cases()[::3]:
        out = apply_image_op(img, op, param, warp='fast', fill=255)
        src = _sources(h, w, op, param, 'fast')
        inside = src >= 0
        np.testing.assert_array_equal(out[inside],
                                      img.reshape(-1, 3)[src[inside]])
        assert (out[~inside] == 255).all()


def test_fill_colour_and_channel_order():
    img = np.zeros((10, 10, 3), np.uint8)
    out = apply_image_op(
        img, 'TranslateX', 0.5, warp='fast', fill=(10, 20, 30))
    assert out[0, -1].tolist() == [10, 20, 30]
    out = apply_image_op(
        img,
        'TranslateX',
        0.5,
        warp='fast',
        fill=(10, 20, 30),
        channel_order='bgr')
    assert out[0, -1].tolist() == [30, 20, 10]
    grey = apply_image_op(img[..., 0], 'Rotate', 45.0, warp='fast', fill=77)
    assert grey.shape == (10, 10) and grey[0, 0] == 77


def test_opencv_matrix_is_pil_data_at_pixel_centres():
    m = cv2_affine('ShearX', 0.2, 32, 32)
    # PIL: x_in = x + 0.2 y (continuous); at centres the offset is 0.1 - 0
    np.testing.assert_allclose(m, [[1, 0.2, 0.1], [0, 1, 0]])


def test_label_maps_of_any_dtype_and_memory_order():
    rng = np.random.default_rng(2)
    maps = rng.integers(0, 2, (4, 30, 50)).astype(bool)
    column_major = np.empty((4, 50, 30), bool).transpose(0, 2, 1)
    column_major[...] = maps
    for op, param in [('Rotate', 17.0), ('ShearY', -0.25)]:
        want = warp_maps_fast(maps, op, param)
        assert want.dtype == bool
        np.testing.assert_array_equal(
            warp_maps_fast(column_major, op, param), want)
        big = maps.astype(np.int64) * (2**40)  # beyond OpenCV's int32
        np.testing.assert_array_equal(
            warp_maps_fast(big, op, param, fill=7) == 2**40,
            warp_maps_fast(maps, op, param))
        np.testing.assert_array_equal(
            warp_maps_fast(maps[0], op, param), want[0])


def test_bad_mode_and_sizes():
    img = np.zeros((8, 8, 3), np.uint8)
    with pytest.raises(ValueError, match=r"warp: 'bilinear'.*'exact', "
                       r"'fast'"):
        apply_image_op(img, 'Rotate', 10.0, warp='bilinear')
    with pytest.raises(ValueError, match='interpolation'):
        warp_fast(img, 'Rotate', 10.0, interpolation='lanczos')
    with pytest.raises(ValueError, match="warp='exact'"):
        warp_fast(np.zeros((4, 4, 5), np.uint8), 'Rotate', 10.0)


def test_examples():
    import doctest

    from mmautoaug.augment import fast_warp
    assert doctest.testmod(fast_warp).failed == 0


@pytest.mark.parametrize('interpolation', ['bilinear', 'bicubic'])
def test_fast_filters_are_close_to_pils(interpolation):
    """With a filter, the fast mode takes OpenCV's kernel: close to PIL's on
    a smooth image, not equal."""
    y, x = np.mgrid[0:48, 0:64]
    img = np.stack([x * 3, y * 4, (x + y) * 2], -1).astype(np.uint8)
    for op, param in [('ShearX', 0.17), ('Rotate', 23.0)]:
        kw = dict(interpolation=interpolation, fill=(0, 0, 0))
        fast = apply_image_op(img, op, param, warp='fast', **kw)
        exact = apply_image_op(img, op, param, warp='exact', **kw)
        inside = (exact > 0).all(-1) & (fast > 0).all(-1)
        diff = np.abs(fast.astype(int) - exact.astype(int))[inside]
        assert inside.mean() > 0.6 and np.median(diff) <= 1
