# Copyright (c) mmautoaug contributors. All rights reserved.
"""The AdvAA LSTM policy generator and its REINFORCE objective."""
import math

import numpy as np
import pytest
import torch

from mmautoaug.augment import AUTOAUGMENT
from mmautoaug.models.policy_models.advaa import (AdvAAPolicyGenerator,
                                                  op_histogram,
                                                  reinforce_loss)


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny tensors: one intra-op thread avoids OpenMP spin-waits on a busy
    machine (10-100x faster here)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_shapes_and_teacher_forcing():
    torch.manual_seed(0)
    gen = AdvAAPolicyGenerator()
    assert gen.lstm.hidden_size == 100 and gen.op_embed.embedding_dim == 32
    assert gen.num_op_choices == 16 and gen.num_bins == 10
    assert gen.num_decisions == 20
    out = gen(num_policies=8)
    assert out.actions.shape == (8, 5, 2, 2)
    assert out.actions[..., 0].max() < 16 and out.actions[..., 1].max() < 10
    assert out.op_probs.shape == (8, 5, 2, 16)
    again = gen(actions=out.actions)
    torch.testing.assert_close(again.log_prob, out.log_prob)
    torch.testing.assert_close(again.entropy, out.entropy)
    # near-uniform at initialisation: entropy close to 10 ln16 + 10 ln10
    uniform = 10 * math.log(16) + 10 * math.log(10)
    assert (out.entropy > 0.99 * uniform).all() and (out.entropy
                                                     <= uniform + 1e-4).all()
    assert (out.log_prob < 0).all()


def test_log_prob_is_the_sum_of_decision_log_probs():
    torch.manual_seed(1)
    gen = AdvAAPolicyGenerator(num_sub_policies=1, num_ops=1)
    out = gen(num_policies=3)
    # replay the two decisions by hand
    h, c = gen.lstm(gen.start.expand(3, -1))
    lp_op = torch.log_softmax(gen.op_head(h), -1)
    op = out.actions[:, 0, 0, 0]
    h, c = gen.lstm(gen.op_embed(op), (h, c))
    lp_mag = torch.log_softmax(gen.mag_head(h), -1)
    mag = out.actions[:, 0, 0, 1]
    expected = lp_op.gather(1, op[:, None])[:, 0] + lp_mag.gather(
        1, mag[:, None])[:, 0]
    torch.testing.assert_close(out.log_prob, expected)


def test_seeded_sampling_is_reproducible():
    gen = AdvAAPolicyGenerator()
    a = gen(8, generator=torch.Generator().manual_seed(3)).actions
    b = gen(8, generator=torch.Generator().manual_seed(3)).actions
    c = gen(8, generator=torch.Generator().manual_seed(4)).actions
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_to_arrays_bins_to_magnitudes():
    gen = AdvAAPolicyGenerator(num_sub_policies=1, num_ops=2)
    actions = torch.tensor([[[[4, 7], [8, 0]]]])  # Rotate bin 7, Solarize 0
    op_index, prob, magnitude = gen.to_arrays(actions, op_prob=0.5)
    assert op_index.tolist() == [[[4, 8]]]
    np.testing.assert_allclose(magnitude, [[[0.7, 0.0]]])
    np.testing.assert_allclose(prob, 0.5)
    assert AUTOAUGMENT.ops[4] == 'Rotate'
    assert AUTOAUGMENT.param('Rotate', magnitude[0, 0, 0]) == pytest.approx(21)


def test_to_policies_builds_valid_policies():
    from mmautoaug.policy import Policy
    gen = AdvAAPolicyGenerator()
    actions = gen(2).actions
    policies = gen.to_policies(actions, meta=dict(epoch=3))
    assert len(policies) == 2 and isinstance(policies[0], Policy)
    policies[1].validate()
    assert policies[1].space.name == 'autoaugment'
    assert len(policies[1].sub_policies) == 5
    first = policies[1].sub_policies[0][0]
    assert first.op == AUTOAUGMENT.ops[int(actions[1, 0, 0, 0])]
    assert first.magnitude == pytest.approx(int(actions[1, 0, 0, 1]) / 10)
    assert first.prob == 1.0
    assert policies[1].meta['epoch'] == 3


def test_reinforce_loss_gradient_and_normalisation():
    log_prob = torch.zeros(4, requires_grad=True)
    entropy = torch.zeros(4, requires_grad=True)
    losses = torch.tensor([1.0, 2.0, 3.0, 4.0])
    reinforce_loss(losses, log_prob, entropy, entropy_weight=1e-5).backward()
    reward = (losses - losses.mean()) / losses.std(unbiased=False)
    torch.testing.assert_close(log_prob.grad, -reward / 4, rtol=1e-6, atol=0)
    # relative only: the entropy bonus is -1e-5 / 4 = -2.5e-6 per policy, an
    # absolute tolerance of 1e-5 would let its sign flip pass
    torch.testing.assert_close(entropy.grad, torch.full((4, ), -1e-5 / 4),
                               rtol=1e-6, atol=0)
    # scale-free: multiplying every loss by 10 changes nothing
    lp2 = torch.zeros(4, requires_grad=True)
    reinforce_loss(losses * 10, lp2, torch.zeros(4)).backward()
    torch.testing.assert_close(lp2.grad, log_prob.grad)
    with pytest.raises(ValueError, match='losses'):
        reinforce_loss(torch.zeros(3), log_prob, entropy)


def test_the_entropy_bonus_raises_the_entropy():
    """With equal losses (no reward signal) only the entropy term moves
    the generator, and descending the loss must make it MORE uniform; Adam
    normalises the step, so even the paper's 1e-5 weight moves it."""
    from mmautoaug.search.advaa import AdvAAHook
    torch.manual_seed(0)
    hook = AdvAAHook(num_policies=8, optimizer=dict(type='Adam', lr=0.01))
    with torch.no_grad():  # start from a peaked generator
        hook.generator.op_head.bias[3] += 4.0
        hook.generator.mag_head.bias[9] += 4.0
    before = hook.probe_entropy()
    for step in range(20):
        hook.update(torch.ones(8), hook.sample(seed=step))
    after = hook.probe_entropy()
    assert after > before + 2.0, (before, after)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match='magnitude bins'):
        AdvAAPolicyGenerator(space='fastaa')
    with pytest.raises(ValueError, match='num_ops'):
        AdvAAPolicyGenerator(num_ops=0)
    gen = AdvAAPolicyGenerator()
    with pytest.raises(ValueError, match='exactly one'):
        gen()
    with pytest.raises(ValueError, match='shape'):
        gen(actions=torch.zeros(2, 4, 2, 2, dtype=torch.long))


def test_op_histogram_counts_op_decisions():
    actions = torch.tensor([[[[0, 1], [0, 2]], [[3, 0], [15, 9]]]])
    hist = op_histogram(actions, AUTOAUGMENT.ops)
    assert hist['ShearX'] == 2 and hist['TranslateY'] == 1
    assert hist['SamplePairing'] == 1 and sum(hist.values()) == 4
