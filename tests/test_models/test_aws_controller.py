# Copyright (c) mmautoaug contributors. All rights reserved.
"""AWS controller: distribution, PPO arithmetic, learning a stand-in reward."""
import math

import pytest
import torch

from mmautoaug.models.policy_models.aws import (AWSController, kl_divergence,
                                                ppo_surrogate, ppo_update)

LOG = math.log


@pytest.mark.parametrize('parametrization', ['sigmoid', 'softmax'])
def test_starts_uniform_over_ordered_pairs(parametrization):
    ctrl = AWSController(parametrization=parametrization)
    probs = ctrl.pair_probs()
    assert probs.shape == (36, 36)
    assert torch.allclose(probs, torch.full((36, 36), 1 / 36**2))
    assert ctrl.entropy() == pytest.approx(2 * math.log(36), rel=1e-5)


def test_normalised_sigmoid_and_conditional():
    ctrl = AWSController(num_candidates=2)
    with torch.no_grad():
        ctrl.first_logits.copy_(torch.tensor([0.0, LOG(3.0)]))  # s=.5, .75
        ctrl.second_logits[1].copy_(torch.tensor([LOG(3.0), 0.0]))
    assert ctrl.first_probs().tolist() == pytest.approx([0.4, 0.6])
    # p(i, j) = p1(i) * p2(j | i): row 0 stays uniform, row 1 is .6/.4
    assert ctrl.pair_probs().flatten().tolist() == pytest.approx(
        [0.2, 0.2, 0.36, 0.24])
    # ordered: (1, 0) and (0, 1) differ
    assert ctrl.pair_probs()[1, 0] != ctrl.pair_probs()[0, 1]


def test_bad_arguments_name_the_field():
    with pytest.raises(ValueError, match='parametrization'):
        AWSController(parametrization='tanh')
    with pytest.raises(ValueError, match='candidates'):
        AWSController(space='fastaa')
    with pytest.raises(ValueError, match='usage'):
        ppo_surrogate(torch.zeros(2), torch.zeros(2), torch.zeros(2), 1.0)


def test_surrogate_ratio_and_clipping_by_hand():
    old = torch.tensor([LOG(0.4), LOG(0.4), LOG(0.2)])
    new = torch.tensor([LOG(0.5), LOG(0.3), LOG(0.2)], requires_grad=True)
    usage = torch.tensor([2.0, 1.0, 1.0])  # shares .5, .25, .25
    # ratios 1.25, 0.75, 1.0
    loss = ppo_surrogate(new, old, usage, advantage=1.0)
    # A > 0: min(1.25, 1.2) = 1.2 (clipped), min(.75, .8) = .75, 1
    assert float(loss.detach()) == pytest.approx(-(0.5 * 1.2 + 0.25 * 0.75 + 0.25))
    loss.backward()
    # the clipped pair gets no gradient; d/dlogp (w r A) = w r elsewhere
    assert new.grad.tolist() == pytest.approx([0.0, -0.25 * 0.75, -0.25])

    new.grad = None
    loss = ppo_surrogate(new, old, usage, advantage=-1.0)
    # A < 0: min(-1.25, -1.2) = -1.25, min(-.75, -.8) = -.8 (clipped), -1
    assert float(loss.detach()) == pytest.approx(0.5 * 1.25 + 0.25 * 0.8 + 0.25)
    loss.backward()
    assert new.grad.tolist() == pytest.approx([0.5 * 1.25, 0.0, 0.25])


def test_kl_by_hand():
    old = torch.tensor([0.4, 0.4, 0.2], dtype=torch.float64).log()
    new = torch.tensor([0.5, 0.3, 0.2], dtype=torch.float64).log()
    expected = 0.4 * LOG(0.4 / 0.5) + 0.4 * LOG(0.4 / 0.3)
    assert float(kl_divergence(old, new)) == pytest.approx(expected)
    assert float(kl_divergence(old, old)) == 0.0


def _two_candidate_update(kl_threshold, max_steps=5):
    """Softmax controller, 2 candidates, only pair (0, 0) used, A = 1.

    At the uniform start d log p(0,0) / d logits is +-0.5 on the first
    logits and on row 0 of the second ones, so one SGD step of lr 2 moves
    them to +-1; p(0,0) becomes sigmoid(2)^2 = 0.7758, its ratio 3.1 is
    beyond 1 + clip, so every later step has zero gradient (clipped).
    """
    ctrl = AWSController(num_candidates=2, parametrization='softmax')
    opt = torch.optim.SGD(ctrl.parameters(), lr=2.0)
    old = ctrl.log_pair_probs().detach()
    usage = torch.tensor([[5.0, 0.0], [0.0, 0.0]])
    stats = ppo_update(ctrl, opt, old, usage, advantage=1.0,
                       kl_threshold=kl_threshold, max_steps=max_steps)
    return ctrl, stats


def test_ppo_update_steps_clips_and_stops_on_kl_by_hand():
    s = 1 / (1 + math.exp(-2.0))
    new = [s * s, s * (1 - s), (1 - s) * 0.5, (1 - s) * 0.5]
    kl_after_one = sum(0.25 * LOG(0.25 / p) for p in new)  # = 0.6507

    ctrl, stats = _two_candidate_update(kl_threshold=0.002)
    assert stats['steps'] == 1 and stats['stopped_early'] == 1.0
    assert stats['kl'] == pytest.approx(kl_after_one, rel=1e-5)
    assert stats['loss'] == pytest.approx(-1.0)  # ratio 1 at the start
    assert ctrl.first_logits.tolist() == pytest.approx([1.0, -1.0])
    assert ctrl.second_logits.flatten().tolist() == pytest.approx(
        [1.0, -1.0, 0.0, 0.0])
    assert ctrl.pair_probs().flatten().tolist() == pytest.approx(new)

    # a loose threshold: all 5 steps run, but clipping freezes the logits
    ctrl, stats = _two_candidate_update(kl_threshold=10.0)
    assert stats['steps'] == 5 and stats['stopped_early'] == 0.0
    assert ctrl.first_logits.tolist() == pytest.approx([1.0, -1.0])
    assert stats['kl'] == pytest.approx(kl_after_one, rel=1e-5)


def test_ppo_update_averages_gradients_with_reduce():
    """A reduce that halves (mean with a rank whose gradient is 0) halves
    the SGD step."""
    ctrl = AWSController(num_candidates=2, parametrization='softmax')
    opt = torch.optim.SGD(ctrl.parameters(), lr=2.0)
    old = ctrl.log_pair_probs().detach()
    usage = torch.tensor([[5.0, 0.0], [0.0, 0.0]])
    ppo_update(ctrl, opt, old, usage, 1.0, max_steps=1,
               all_reduce_mean=lambda t: t.mul_(0.5))
    assert ctrl.first_logits.tolist() == pytest.approx([0.5, -0.5])


def test_stand_in_reward_raises_mass_on_the_best_pair():
    """Reward = share of the step's draws that used pair (2, 1): the only
    signal is which pairs were used, as in AWS."""
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    ctrl = AWSController(num_candidates=4)
    opt = torch.optim.Adam(ctrl.parameters(), lr=0.1)
    best = (2, 1)
    baseline = None
    start = float(ctrl.pair_probs().detach()[best])
    for _ in range(60):
        old = ctrl.log_pair_probs().detach()
        first, second = ctrl.sample(64, generator=gen)
        usage = torch.zeros(4, 4)
        usage.index_put_((first, second), torch.ones(64), accumulate=True)
        reward = float(usage[best]) / 64
        baseline = reward if baseline is None else baseline
        ppo_update(ctrl, opt, old, usage, reward - baseline)
        baseline = 0.9 * baseline + 0.1 * reward
    probs = ctrl.pair_probs()
    assert float(probs[best]) > 3 * start
    assert int(probs.flatten().argmax()) == best[0] * 4 + best[1]
    assert float(probs.sum()) == pytest.approx(1.0)


def test_sample_follows_the_distribution():
    ctrl = AWSController(num_candidates=2)
    with torch.no_grad():
        ctrl.first_logits.copy_(torch.tensor([10.0, -10.0]))
        ctrl.second_logits[0].copy_(torch.tensor([-10.0, 10.0]))
    first, second = ctrl.sample(100, torch.Generator().manual_seed(0))
    p = float(ctrl.pair_probs()[0, 1])
    assert p > 0.99
    assert (first == 0).float().mean() > 0.9
    assert (second == 1).float().mean() > 0.9
