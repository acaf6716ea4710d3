# Copyright (c) mmautoaug contributors. All rights reserved.
"""The batched face's fast paths give the same numbers as the plain ones.

On the CPU, level tables and histograms go plane by plane through OpenCV
for large planes and through one torch gather for small ones (and on other
devices); blocks are worked through in pieces. Each path is pinned here
against a direct computation, so a path that only some sizes take cannot
drift.
"""
import numpy as np
import pytest
import torch

import mmautoaug.augment.batch_colour as batch_colour
import mmautoaug.augment.batch_ops as batch_ops
from mmautoaug.augment import (FASTAA, apply_batch_op,
                               apply_image_op, augment_batch, levels)



def _batch(n, h, w, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, 3, h, w), dtype=torch.uint8, generator=g)


@pytest.mark.parametrize('size', [(8, 8), (64, 64), (100, 90)])
def test_tables_are_looked_up_per_sample_and_channel(size):
    x = _batch(5, *size)
    tables = torch.randint(0, 256, (5, 3, 256), dtype=torch.uint8)
    want = torch.stack([
        torch.stack([tables[s, c][x[s, c].long()] for c in range(3)])
        for s in range(5)
    ])
    assert torch.equal(batch_colour.apply_tables(x, tables), want)
    # into a float output, and from a non-contiguous input
    out = torch.zeros(5, 3, *size, dtype=torch.float64)
    batch_colour.apply_tables(x, tables, out=out)
    assert torch.equal(out, want.double())
    xt = x.transpose(2, 3).contiguous().transpose(2, 3)
    assert torch.equal(batch_colour.apply_tables(xt, tables), want)


def test_opencv_and_torch_paths_agree(monkeypatch):
    x = _batch(4, 96, 96, seed=1)
    tables = torch.randint(0, 256, (4, 3, 256), dtype=torch.uint8)
    hist = torch.stack([
        torch.stack([torch.bincount(x[s, c].flatten(), minlength=256)
                     for c in range(3)]) for s in range(4)
    ])
    results = []
    for threshold in (1, 1 << 30):  # every plane through OpenCV / none
        monkeypatch.setattr(batch_colour, '_CV2_PLANE_PIXELS', threshold)
        monkeypatch.setattr(batch_colour, '_CV2_HIST_PIXELS', threshold)
        results.append((batch_colour.apply_tables(x, tables),
                        batch_colour.histograms(x)))
        assert torch.equal(results[-1][1], hist)
    assert torch.equal(results[0][0], results[1][0])


@pytest.mark.parametrize('op', ['Equalize', 'AutoContrast', 'Contrast'])
def test_statistics_ops_on_large_planes(op):
    """128x96 planes take OpenCV's calcHist; the result is PIL's."""
    rng = np.random.default_rng(2)
    imgs = [rng.integers(40, 200, (96, 128, 3), np.uint8) for _ in range(3)]
    imgs[1][:48] = 77  # a flat half
    x = torch.from_numpy(np.stack(imgs)).permute(0, 3, 1, 2)
    param = torch.full((3, ), 1.7, dtype=torch.float64)
    out = apply_batch_op(x, torch.zeros(3, dtype=torch.long), param, ops=[op])
    for img, got in zip(imgs, out):
        want = apply_image_op(img, op, 1.7)
        assert np.array_equal(got.permute(1, 2, 0).numpy(), want)


def test_pieces_do_not_change_the_result(monkeypatch):
    """A batch worked through in pieces of 1 or 3 samples equals one piece;
    Cutout's draws do not depend on the piece size."""
    n = 24
    x = _batch(n, 20, 20, seed=3)
    g = torch.Generator().manual_seed(4)
    op_index = torch.randint(0, len(FASTAA.ops), (n, ), generator=g)
    magnitude = torch.rand(n, generator=g)
    applied = torch.rand(n, generator=g) < 0.8
    sign = torch.randint(0, 2, (n, ), generator=g) * 2 - 1
    outs = []
    for levels_per_piece in (1 << 30, 3 * 3 * 400, 1):
        monkeypatch.setattr(batch_ops, '_PIECE_LEVELS', levels_per_piece)
        monkeypatch.setattr(batch_ops, '_TABLE_PIECE_LEVELS',
                            levels_per_piece)
        outs.append(
            augment_batch(
                x,
                FASTAA,
                op_index,
                magnitude,
                applied,
                sign=sign,
                generator=torch.Generator().manual_seed(5)))
    assert torch.equal(outs[0], outs[1]) and torch.equal(outs[0], outs[2])


def test_rows_put_back_in_the_callers_order():
    """Large rows (copied one by one) and small ones (int32 words) go back
    to their own places; float batches keep their untouched samples."""
    for size in (4, 80):  # 48 and 19200 bytes a row
        x = _batch(6, size, size, seed=6)
        op_index = torch.tensor([1, 0, 1, 2, 0, 2])
        ops = ['Identity', 'Invert', 'Equalize']
        out = apply_batch_op(x, op_index, torch.zeros(6), ops=ops)
        assert torch.equal(out[[1, 4]], x[[1, 4]])
        assert torch.equal(out[[0, 2]], 255 - x[[0, 2]])
        xf = x.double() + 0.25 * (x < 255)  # levels of [0, 255]
        outf = apply_batch_op(xf, op_index, torch.zeros(6), ops=ops)
        assert torch.equal(outf[[1, 4]], xf[[1, 4]])
        assert torch.equal(outf[[0, 2]], (255 - x[[0, 2]]).double())


def test_smooth_division_is_exact_over_its_range():
    """SMOOTH's (2 t + 13) // 26 as a multiply-shift: exact for every sum
    a 3x3 window of uint8 levels plus 4 x centre can reach."""
    total = np.arange(13 * 255 + 1)
    want = (2 * total + 13) // 26
    assert np.array_equal(levels.smooth_interior(total, 0), want)
    t = torch.from_numpy(total).to(torch.int32)
    assert torch.equal(levels.smooth_interior(t, 0).long(),
                       torch.from_numpy(want))


def test_blend_is_the_plain_float32_formula():
    rng = np.random.default_rng(7)
    deg = rng.integers(0, 256, 5000).astype(np.float32)
    img = rng.integers(0, 256, 5000).astype(np.float32)
    for factor in (0.1, 0.63, 1.37, 1.9):
        f = np.float32(factor)
        want = np.floor(np.clip(deg + f * (img - deg), 0, 255))
        assert np.array_equal(levels.blend(deg, img, f), want)
        got = levels.blend(
            torch.from_numpy(deg), torch.from_numpy(img),
            torch.tensor(f))
        assert np.array_equal(got.numpy(), want)


def test_equalize_keeps_flat_and_empty_channels():
    hist = np.zeros((3, 256), np.int64)
    hist[0, 17] = 100  # one level
    hist[2, [3, 9]] = [1, 1]  # two pixels: a zero step
    for h in (hist, torch.from_numpy(hist)):
        lut = levels.equalize_lut(h)
        assert (np.asarray(lut) == np.arange(256)).all()


def test_examples():
    import doctest
    assert doctest.testmod(batch_colour).failed == 0
