# Copyright (c) mmautoaug contributors. All rights reserved.
"""PolicyBatchAugment: M policies -> M copies of a batch, on the device."""
import numpy as np
import pytest
import torch

from mmautoaug.augment import AUTOAUGMENT
from mmautoaug.models.batch_augment import PolicyBatchAugment

INVERT = AUTOAUGMENT.index('Invert')
BRIGHTNESS = AUTOAUGMENT.index('Brightness')


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny tensors: one intra-op thread avoids OpenMP spin-waits on a busy
    machine (10-100x faster here)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


class ReplayRng:
    """Stands in for ``np.random.Generator``: replays given uniforms."""

    def __init__(self, values):
        self.values = list(values)

    def uniform(self, low, high):
        return low + (high - low) * self.values.pop(0)


def _const(n=4, value=50.0, size=8):
    return torch.full((n, 3, size, size), value)


def test_copies_are_copy_major_and_follow_their_policy():
    aug = PolicyBatchAugment(seed=0)
    # policy 0 inverts, policy 1 does nothing (prob 0), policy 2 brightens
    op_index = torch.tensor([[[INVERT]], [[INVERT]], [[BRIGHTNESS]]])
    prob = torch.tensor([[[1.0]], [[0.0]], [[1.0]]])
    magnitude = torch.tensor([[[0.0]], [[0.0]], [[0.9]]], dtype=torch.float64)
    aug.set_arrays(op_index, prob, magnitude)
    assert aug.num_copies == 3
    x = _const()
    x[1] = 10.0  # images differ, so the copy order is visible
    out = aug(x)
    assert out.shape == (12, 3, 8, 8) and out.dtype == torch.float32
    torch.testing.assert_close(out[:4], 255 - x)
    torch.testing.assert_close(out[4:8], x)
    # 0.1 + 1.8 * 0.9 = 1.72, PIL truncates: 50 -> 86, 10 -> 17
    factor = AUTOAUGMENT.param('Brightness', 0.9)
    torch.testing.assert_close(out[8:], (x * factor).floor())


def test_every_sub_policy_of_a_copy_comes_from_its_own_policy():
    aug = PolicyBatchAugment(seed=3)
    # policy 0: five sub-policies that all invert; policy 1: five that
    # never apply; whichever sub-policy an image draws, its copy shows it
    op_index = torch.full((2, 5, 2), INVERT)
    op_index[:, :, 1] = BRIGHTNESS
    prob = torch.zeros(2, 5, 2)
    prob[0, :, 0] = 1.0
    aug.set_arrays(op_index, prob, torch.rand(2, 5, 2).double())
    x = torch.rand(16, 3, 8, 8) * 255
    out = aug(x)
    torch.testing.assert_close(out[:16], 255 - x.floor())
    torch.testing.assert_close(out[16:], x)


def test_sub_policy_weights_choose_the_sub_policy():
    aug = PolicyBatchAugment(seed=1)
    # one policy, two sub-policies: Invert (weight 1) and nothing (weight 0)
    aug.set_arrays(torch.tensor([[[INVERT], [INVERT]]]),
                   torch.tensor([[[1.0], [0.0]]]), torch.zeros(1, 2, 1),
                   weights=torch.tensor([[1.0, 0.0]]))
    out = aug(_const(16))
    torch.testing.assert_close(out, torch.full_like(out, 205.0))
    # uniform weights: both sub-policies occur among 64 images
    aug.set_arrays(torch.tensor([[[INVERT], [INVERT]]]),
                   torch.tensor([[[1.0], [0.0]]]), torch.zeros(1, 2, 1))
    chosen = aug(_const(64))[:, 0, 0, 0]
    assert set(chosen.tolist()) == {50.0, 205.0}


def _painted_box(painted):
    """``(x0, y0, x1, y1)`` of a boolean mask that must be one full
    rectangle."""
    rows = np.flatnonzero(painted.any(1))
    cols = np.flatnonzero(painted.any(0))
    assert rows.size and cols.size, 'no square painted'
    y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    assert painted[y0:y1, x0:x1].all(), 'the painted pixels are no rectangle'
    assert painted.sum() == (y1 - y0) * (x1 - x0)
    return int(x0), int(y0), int(x1), int(y1)


def _centre(lo, hi, size, half=8):
    """The integer centre a clipped square ``[lo, hi)`` was painted around:
    ``lo = max(c - half, 0)``, ``hi = min(c + half, size)``."""
    centre = hi - half if lo == 0 else lo + half
    assert (max(centre - half, 0), min(centre + half, size)) == (lo, hi), \
        f'[{lo}, {hi}) is not a {2 * half}-px square clipped at the border'
    return centre


def test_each_copy_gets_one_clipped_16px_square_the_per_image_face_paints():
    from mmautoaug.augment.image_ops import apply_image_op
    from mmautoaug.datasets import ClippedCutout
    aug = PolicyBatchAugment(cutout=16, seed=2)
    # M=3: invert, nothing (prob 0), invert; every copy then gets Cutout
    aug.set_arrays(torch.tensor([[[INVERT]], [[INVERT]], [[INVERT]]]),
                   torch.tensor([[[1.0]], [[0.0]], [[1.0]]]),
                   torch.zeros(3, 1, 1))
    batch = 64
    x = torch.full((batch, 3, 32, 32), 50.0)
    out = aug(x)
    assert out.shape == (3 * batch, 3, 32, 32)
    fill = np.array(AUTOAUGMENT.cutout_fill, np.uint8)
    areas, centres = [], set()
    for i, img in enumerate(out.numpy().astype(np.uint8).transpose(0, 2, 3,
                                                                     1)):
        policy_out = np.full((32, 32, 3), 50 if i // batch == 1 else 205,
                             np.uint8)
        painted = (img == fill).all(-1)
        # outside the square: the policy's output, untouched
        assert (img[~painted] == policy_out[~painted]).all()
        x0, y0, x1, y1 = _painted_box(painted)
        cx, cy = _centre(x0, x1, 32), _centre(y0, y1, 32)
        centres.add((cx, cy))
        areas.append((x1 - x0) * (y1 - y0))
        # the per-image face paints the same square for that centre
        want = apply_image_op(
            policy_out, 'ClippedCutout', 16,
            cutout_fill=AUTOAUGMENT.cutout_fill,
            rng=ReplayRng([(cx + 0.5) / 32, (cy + 0.5) / 32]))
        assert np.array_equal(img, want)
    # squares are placed independently on every image of every copy
    assert len(centres) > 0.8 * len(areas)
    # the paper Cutout's 196 px on average (Fast-AA's shifted 17-px square
    # covers 251.6): 192 squares, standard error about 4 px
    assert abs(np.mean(areas) - 196.0) < 16.0, np.mean(areas)
    assert max(areas) == 256 and min(areas) < 256
    # the pipeline face (retraining) paints the same colour
    assert tuple(ClippedCutout(length=16).fill) == tuple(
        AUTOAUGMENT.cutout_fill)


def test_seeded_generator_and_reseed_repeat_draws():
    aug = PolicyBatchAugment(cutout=4, seed=5)
    aug.set_arrays(torch.tensor([[[INVERT], [BRIGHTNESS]]]),
                   torch.full((1, 2, 1), 0.5), torch.full((1, 2, 1), 0.3))
    x = torch.rand(8, 3, 16, 16) * 255
    aug.reseed(11)
    a = aug(x)
    aug.reseed(11)
    b = aug(x)
    torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert not torch.equal(a, aug(x))


def test_fixed_policy_from_a_policy_object():
    from mmautoaug.policy import Policy
    policy = Policy('autoaugment', [[('Invert', 1.0, 0.0)]])
    aug = PolicyBatchAugment(policy=policy)
    assert aug.num_copies == 1
    torch.testing.assert_close(aug(_const(2)), torch.full((2, 3, 8, 8),
                                                          205.0))
    two = PolicyBatchAugment(policy=[
        policy, Policy('autoaugment', [[('Invert', 0.0, 0.0)],
                                       [('Posterize', 0.0, 0.5)]])
    ])
    assert two.num_copies == 2 and two.op_index.shape == (2, 2, 1)
    # the shorter policy is padded with a sub-policy of weight 0
    assert two.weights[0].tolist() == [1.0, 0.0]
    out = two(_const(2))
    torch.testing.assert_close(out[2:], _const(2))


def test_as_the_augmentor_of_the_data_preprocessor():
    from mmautoaug.models import AugmentDataPreprocessor
    from mmautoaug.policy import Policy
    pre = AugmentDataPreprocessor(
        mean=[0.0] * 3, std=[255.0] * 3,
        augmentor=PolicyBatchAugment(
            policy=Policy('autoaugment', [[('Invert', 1.0, 0.0)]])))
    data = dict(inputs=[torch.full((3, 4, 4), 55, dtype=torch.uint8)])
    out = pre(data, training=True)['inputs']
    torch.testing.assert_close(out, torch.full((1, 3, 4, 4), 200 / 255))
    out = pre(data, training=False)['inputs']  # evaluation: no policy
    torch.testing.assert_close(out, torch.full((1, 3, 4, 4), 55 / 255))


def test_errors_name_the_field():
    aug = PolicyBatchAugment()
    with pytest.raises(RuntimeError, match='no policy set'):
        aug(_const())
    with pytest.raises(ValueError, match='op_index must lie'):
        aug.set_arrays(torch.full((1, 1, 1), 16), torch.ones(1, 1, 1),
                       torch.ones(1, 1, 1))
    with pytest.raises(ValueError, match='prob must lie'):
        aug.set_arrays(torch.zeros(1, 1, 1, dtype=torch.long),
                       torch.full((1, 1, 1), 2.0), torch.ones(1, 1, 1))
    with pytest.raises(ValueError, match='magnitude has shape'):
        aug.set_arrays(torch.zeros(1, 1, 1, dtype=torch.long),
                       torch.ones(1, 1, 1), torch.ones(1, 1, 2))
    with pytest.raises(ValueError, match='weights'):
        aug.set_arrays(torch.zeros(1, 2, 1, dtype=torch.long),
                       torch.ones(1, 2, 1), torch.ones(1, 2, 1),
                       weights=torch.zeros(1, 2))
    for bad in (2.0, 0, -16, True, '16'):
        with pytest.raises(ValueError, match='cutout must be None or the '
                           'side of the ClippedCutout square in pixels'):
            PolicyBatchAugment(cutout=bad)
    # the fraction form of earlier versions is refused with the pixel form
    with pytest.raises(ValueError, match=r'cutout=16 for 0\.5'):
        PolicyBatchAugment(cutout=0.5)
    with pytest.raises(RuntimeError, match='seed'):
        aug.reseed(3)
