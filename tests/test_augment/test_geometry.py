# Copyright (c) mmautoaug contributors. All rights reserved.
"""Points and boxes follow the per-image geometric ops."""
import numpy as np
import pytest
import torch

from mmautoaug.augment import (GEOMETRIC_OPS, OP_PARAMS, apply_image_op,
                               op_matrix, transform_boxes, transform_points)

H, W = 40, 56
MOVES = [('ShearX', 0.3), ('ShearX', -0.17), ('ShearY', -0.3),
         ('TranslateX', 0.2), ('TranslateX', -0.131), ('TranslateY', -0.3),
         ('Rotate', 30.0), ('Rotate', -17.0), ('Rotate', 180.0)]
#: pixels that stay inside the image under every move above
POINTS = [(24, 18), (30, 22), (20, 14), (34, 24)]


@pytest.mark.parametrize('op,v', MOVES)
def test_a_pixel_lands_where_the_matrix_says(op, v):
    m = op_matrix(op, v, H, W)
    for px, py in POINTS:
        img = np.zeros((H, W), np.uint8)
        img[py - 1:py + 2, px - 1:px + 2] = 255  # a 3x3 blob around the pixel
        out = apply_image_op(img, op, v)
        ys, xs = np.nonzero(out)
        assert len(xs) >= 6  # nearest sampling may drop a few blob pixels
        landed = np.array([xs.mean() + 0.5, ys.mean() + 0.5])
        expected = transform_points(np.array([[px + 0.5, py + 0.5]]), m)[0]
        # nearest-neighbour snapping moves content by at most half a pixel
        assert np.abs(landed - expected).max() <= 0.75, (op, v, px, py)


@pytest.mark.parametrize('interpolation', ['bilinear', 'bicubic'])
@pytest.mark.parametrize('op,v', MOVES)
def test_filtered_warps_move_content_where_the_matrix_says(
        op, v, interpolation):
    """Bilinear / bicubic warps sample the continuous coordinate itself: a
    smooth blob's centre of mass lands on the matrix's image of its centre
    (no half-pixel snapping)."""
    m = op_matrix(op, v, H, W)
    ys, xs = np.mgrid[0:H, 0:W] + 0.5
    for px, py in POINTS:
        blob = 250 * np.exp(-((xs - px - 0.5)**2 + (ys - py - 0.5)**2) / 4)
        img = blob.astype(np.uint8)
        out = apply_image_op(img, op, v,
                             interpolation=interpolation).astype(float)
        landed = np.array([(out * xs).sum(), (out * ys).sum()]) / out.sum()
        expected = transform_points(np.array([[px + 0.5, py + 0.5]]), m)[0]
        assert np.abs(landed - expected).max() <= 0.1, (op, v, px, py)


@pytest.mark.parametrize('op,v', MOVES)
def test_box_holds_the_moved_object(op, v):
    img = np.zeros((H, W), np.uint8)
    img[12:25, 20:33] = 255
    out = apply_image_op(img, op, v)
    ys, xs = np.nonzero(out)
    box = transform_boxes(
        np.array([[20.0, 12.0, 33.0, 25.0]]), op_matrix(op, v, H, W))[0]
    # every moved pixel's centre lies in the moved box (half-pixel snapping)
    assert xs.min() + 0.5 >= box[0] - 0.5 and xs.max() + 0.5 <= box[2] + 0.5
    assert ys.min() + 0.5 >= box[1] - 0.5 and ys.max() + 0.5 <= box[3] + 0.5


def test_matrices():
    for op in OP_PARAMS:
        if op not in GEOMETRIC_OPS:
            assert np.array_equal(op_matrix(op, 0.3, H, W), np.eye(3))
    # TranslateX by a positive fraction moves content left (PIL's data)
    assert op_matrix('TranslateX', 0.25, 32, 64)[0, 2] == -16.0
    # ShearX: output(x, y) = input(x + s*y, y)
    np.testing.assert_allclose(
        op_matrix('ShearX', 0.3, H, W), [[1, -0.3, 0], [0, 1, 0], [0, 0, 1]])
    # Rotate: counter-clockwise on screen about the centre, which stays
    m = op_matrix('Rotate', 90.0, 10, 10)
    np.testing.assert_allclose(
        transform_points(np.array([[5., 5.]]), m), [[5., 5.]], atol=1e-12)
    np.testing.assert_allclose(
        transform_points(np.array([[9., 5.]]), m), [[5., 1.]], atol=1e-12)


def test_points_and_boxes_numpy_and_torch():
    m = op_matrix('Rotate', 90.0, 10, 10)
    boxes = np.array([[1., 1., 3., 2.], [0., 0., 10., 10.]])
    want = np.array([[1., 7., 2., 9.], [0., 0., 10., 10.]])
    np.testing.assert_allclose(transform_boxes(boxes, m), want, atol=1e-9)
    got = transform_boxes(torch.tensor(boxes, dtype=torch.float32), m)
    assert isinstance(got, torch.Tensor) and got.dtype == torch.float32
    np.testing.assert_allclose(got.numpy(), want, atol=1e-5)
    assert transform_boxes(np.zeros((0, 4)), m).shape == (0, 4)
    pts = transform_points(np.array([[1, 2]]), op_matrix('ShearY', 0.5, 8, 8))
    np.testing.assert_allclose(pts, [[1., 1.5]])


def test_bad_geometry_input():
    with pytest.raises(ValueError, match="op: 'Twist'"):
        op_matrix('Twist', 1.0, H, W)
    with pytest.raises(ValueError, match='param: Rotate needs'):
        op_matrix('Rotate', None, H, W)
    m = np.eye(3)
    with pytest.raises(ValueError, match=r'boxes: expected shape \(N, 4\)'):
        transform_boxes(np.zeros((3, 5)), m)
    with pytest.raises(ValueError, match=r'points: expected shape \(N, 2\)'):
        transform_points(np.zeros(2), m)
    with pytest.raises(ValueError, match=r'matrix: expected shape \(3, 3\)'):
        transform_points(np.zeros((1, 2)), np.eye(2))
