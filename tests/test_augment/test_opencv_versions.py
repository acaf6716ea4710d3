# Copyright (c) mmautoaug contributors. All rights reserved.
"""The histogram ops work with OpenCV 4 and 5 (issue #11): OpenCV 5's
``calcHist`` returns a (256,) array where OpenCV 4 returned (256, 1)."""
import numpy as np
import pytest

from mmautoaug.augment import image_ops


@pytest.mark.parametrize('op', ['Equalize', 'AutoContrast'])
def test_histogram_ops_read_both_calchist_shapes(monkeypatch, op):
    img = np.random.default_rng(0).integers(0, 200, (20, 30, 3), np.uint8)
    expected = image_ops.apply_image_op(img, op, None)
    calc_hist = image_ops.cv2.calcHist

    def opencv5_calc_hist(*args, **kwargs):
        return calc_hist(*args, **kwargs).reshape(-1)

    monkeypatch.setattr(image_ops.cv2, 'calcHist', opencv5_calc_hist)
    np.testing.assert_array_equal(
        image_ops.apply_image_op(img, op, None), expected)
    assert not np.array_equal(expected, img), 'the op changed the image'


def test_batched_histograms_read_both_calchist_shapes(monkeypatch):
    # the batched face counts levels with calcHist on CPU planes of at
    # least _CV2_HIST_PIXELS pixels, as the per-image face does
    import torch

    from mmautoaug.augment import batch_colour
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (2, 3, 96, 96), generator=g, dtype=torch.uint8)
    assert 96 * 96 >= batch_colour._CV2_HIST_PIXELS
    expected = torch.stack([
        torch.stack([torch.bincount(p.flatten(), minlength=256) for p in s])
        for s in x
    ])
    calc_hist = batch_colour.cv2.calcHist
    for shape in [(256, 1), (256, )]:  # OpenCV 4, OpenCV 5
        monkeypatch.setattr(
            batch_colour.cv2, 'calcHist',
            lambda *a, shape=shape, **k: calc_hist(*a, **k).reshape(shape))
        assert torch.equal(batch_colour.histograms(x), expected)
