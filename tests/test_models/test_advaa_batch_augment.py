# Copyright (c) mmautoaug contributors. All rights reserved.
"""PolicyBatchAugment: M policies -> M copies of a batch, on the device."""
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


def test_cutout_follows_the_policy():
    aug = PolicyBatchAugment(cutout=0.5, seed=2)
    aug.set_arrays(torch.tensor([[[INVERT]]]), torch.ones(1, 1, 1),
                   torch.zeros(1, 1, 1))
    out = aug(_const(8, size=16))
    fill = torch.tensor(AUTOAUGMENT.cutout_fill, dtype=out.dtype)
    for img in out:
        in_square = (img == fill[:, None, None]).all(0)
        # the library's Cutout square (int(side) + 1 = 9 px, clipped by the
        # border) on the inverted image
        assert 0 < int(in_square.sum()) <= 81
        assert (img[:, ~in_square] == 205).all()


def test_seeded_generator_and_reseed_repeat_draws():
    aug = PolicyBatchAugment(cutout=0.25, seed=5)
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
    with pytest.raises(ValueError, match='cutout'):
        PolicyBatchAugment(cutout=2.0)
    with pytest.raises(RuntimeError, match='seed'):
        aug.reseed(3)
