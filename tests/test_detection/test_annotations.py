# Copyright (c) mmautoaug contributors. All rights reserved.
import numpy as np
import pytest

from mmautoaug.augment import FASTAA
from mmautoaug.augment.geometry import op_matrix
from mmautoaug.augment.image_ops import apply_image_op
from mmautoaug.detection.annotations import (clip_polygon, polygon_area,
                                             transform_polygons,
                                             warp_label_maps)

GEOMETRIC = [('ShearX', 0.2), ('ShearY', -0.25), ('TranslateX', 0.3),
             ('TranslateY', -0.2), ('Rotate', 23.0), ('Rotate', -90.0)]


@pytest.mark.parametrize('op,param', GEOMETRIC)
def test_label_maps_follow_the_image_pixel_for_pixel(op, param):
    rng = np.random.default_rng(0)
    img = rng.integers(1, 255, (24, 31, 3), dtype=np.uint8)
    moved = apply_image_op(img, op, param, fill=(0, 0, 0))
    for c in range(3):
        np.testing.assert_array_equal(
            warp_label_maps(img[..., c], op, param, fill=0), moved[..., c])


def test_label_maps_keep_dtype_stack_and_fill():
    seg = np.arange(6 * 8, dtype=np.int32).reshape(6, 8)
    out = warp_label_maps(seg, 'TranslateX', 0.5, fill=255)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out[:, :4], seg[:, 4:])
    assert (out[:, 4:] == 255).all()
    stack = np.stack([seg, seg + 1])
    out = warp_label_maps(stack, 'TranslateX', 0.5, fill=255)
    np.testing.assert_array_equal(out[1, :, :4], seg[:, 4:] + 1)
    assert warp_label_maps(np.zeros((0, 6, 8), np.uint8), 'Rotate',
                           30.0).shape == (0, 6, 8)


def test_clip_polygon_keeps_the_inside_exactly():
    inside = np.array([[1., 1], [5, 1], [5, 4], [1, 4]])
    np.testing.assert_allclose(clip_polygon(inside, 10, 10), inside)
    # a square straddling the right border keeps its left half
    straddle = np.array([[8., 2], [12, 2], [12, 6], [8, 6]])
    clipped = clip_polygon(straddle, 10, 10)
    assert polygon_area(clipped) == pytest.approx(8.0)
    assert clipped[:, 0].max() == pytest.approx(10.0)
    outside = np.array([[11., 1], [15, 1], [15, 4]])
    assert clip_polygon(outside, 10, 10).shape == (0, 2)
    # a triangle whose corner is cut: area of the part inside
    tri = np.array([[0., 0], [20, 0], [0, 20]])
    assert polygon_area(clip_polygon(tri, 10, 10)) == pytest.approx(100.0)


def test_transform_polygons_moves_clips_and_keeps_instance_count():
    square = [np.array([2., 2, 6, 2, 6, 6, 2, 6])]
    gone = [np.array([0., 0, 3, 0, 3, 3])]
    matrix = op_matrix('TranslateX', 0.25, 16, 16)  # 4 px to the left
    moved = transform_polygons([square, gone, [np.zeros(6)]], matrix, 16, 16)
    assert len(moved) == 3
    np.testing.assert_allclose(moved[0][0].reshape(-1, 2)[:, 0].min(), 0.0)
    assert polygon_area(moved[0][0].reshape(-1, 2)) == pytest.approx(8.0)
    # pushed out entirely / already empty: mmdet's empty placeholder
    for parts in moved[1:]:
        assert len(parts) == 1 and not parts[0].any()


def test_space_fill_is_what_geometric_ops_bring_in():
    # The detection transform passes the space's fill to the image op; the
    # seg map gets the ignore index instead: both come in at the same pixels.
    img = np.full((8, 8, 3), 200, np.uint8)
    moved = apply_image_op(img, 'TranslateY', 0.5, fill=FASTAA.fill)
    seg = warp_label_maps(
        np.ones((8, 8), np.uint8), 'TranslateY', 0.5, fill=255)
    np.testing.assert_array_equal(moved[..., 0] == FASTAA.fill[0], seg == 255)
