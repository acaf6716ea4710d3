# Copyright (c) mmautoaug contributors. All rights reserved.
"""The shared grey-level arithmetic: PIL's numbers, numpy and torch alike."""
import numpy as np
import torch
from PIL import Image, ImageFilter

from mmautoaug.augment import levels


def test_luma_is_pil_convert_L():
    rgb = np.random.default_rng(0).integers(0, 256, (256, 256, 3), np.uint8)
    want = np.asarray(Image.fromarray(rgb).convert('L'))
    x = rgb.astype(np.int64)
    assert np.array_equal(levels.luma(x[..., 0], x[..., 1], x[..., 2]), want)
    t = torch.from_numpy(x)
    assert np.array_equal(
        levels.luma(t[..., 0], t[..., 1], t[..., 2]).numpy(), want)


def test_smooth_is_pil_smooth_filter():
    img = np.random.default_rng(1).integers(0, 256, (30, 30), np.uint8)
    want = np.asarray(Image.fromarray(img).filter(ImageFilter.SMOOTH))
    x = img.astype(np.int64)
    window = sum(x[1 + dy:29 + dy, 1 + dx:29 + dx] for dy in (-1, 0, 1)
                 for dx in (-1, 0, 1))
    got = levels.smooth_interior(window, x[1:-1, 1:-1])
    assert np.array_equal(got, want[1:-1, 1:-1])


def test_tables_agree_between_numpy_and_torch():
    rng = np.random.default_rng(2)
    hist = rng.integers(0, 50, (20, 256)) * (rng.random((20, 256)) < 0.3)
    hist[0] = 0
    hist[0, 17] = 100  # a single level: identity table
    np_lut = levels.equalize_lut(hist)
    assert np.array_equal(np_lut[0], np.arange(256))
    assert np.array_equal(
        levels.equalize_lut(torch.from_numpy(hist)).numpy(), np_lut)
    low = rng.integers(0, 256, 20)
    high = rng.integers(0, 256, 20)
    np_lut = levels.autocontrast_lut(low, high)
    assert np_lut.min() >= 0 and np_lut.max() <= 255
    assert np.array_equal(
        levels.autocontrast_lut(torch.from_numpy(low),
                                torch.from_numpy(high)).numpy(), np_lut)
    flat = high <= low
    assert (np_lut[flat] == np.arange(256)).all()


def test_blend_truncates_like_pil():
    lv = np.arange(256, dtype=np.float32)
    for factor in (0.1, 0.5, 1.3, 1.9):
        want = np.asarray(
            Image.blend(
                Image.new('L', (256, 1), 0),
                Image.fromarray(lv.astype(np.uint8)[None]), factor))[0]
        got = levels.blend(np.zeros_like(lv), lv, np.float32(factor))
        assert np.array_equal(got, want)


def test_cutout_bounds_scalar_and_tensor_agree():
    rng = np.random.default_rng(3)
    cx, cy = rng.uniform(0, 40, 50), rng.uniform(0, 30, 50)
    side = rng.uniform(-1, 20, 50)
    boxes = np.array([
        levels.cutout_bounds(float(a), float(b), float(s), 30, 40)
        for a, b, s in zip(cx, cy, side)
    ])
    t = levels.cutout_bounds(*(torch.from_numpy(v) for v in (cx, cy, side)),
                             30, 40)
    got = np.stack([v.numpy() for v in t], 1)
    painted = boxes[:, 2] > boxes[:, 0]
    assert np.array_equal(painted, side > 0)
    assert np.array_equal(got[painted], boxes[painted])
    assert (got[~painted, 2] == got[~painted, 0]).all()
