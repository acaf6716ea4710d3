# Copyright (c) mmautoaug contributors. All rights reserved.
"""RELAX on a toy objective whose expectation is known in closed form."""
import torch

from mmautoaug.search.dada.relax import (ControlVariate, relax_gradients,
                                         sample_bernoulli, sample_categorical)

TAU = 0.5
TARGET = torch.tensor([1.0, -2.0, 0.5, 3.0], dtype=torch.float64)
SCORES = torch.tensor([2.0, -1.0, 0.5], dtype=torch.float64)
OFFSET = 5.0  # a large mean makes REINFORCE's variance large


def f_of(cat_b, ber_b):
    """A black-box objective of the discrete draws (no gradient path)."""
    return OFFSET + TARGET[cat_b].sum() + (SCORES * ber_b).sum()


def exact_gradient(logits, probs):
    expected = torch.softmax(logits, -1) @ TARGET + probs @ SCORES + OFFSET
    return torch.autograd.grad(expected, [logits, probs])


def draw(logits, probs, gen):
    cat = sample_categorical(logits, 1, gen)
    ber = sample_bernoulli(probs, 1, gen)
    relaxed = torch.cat(
        [torch.softmax(cat.z / TAU, -1),
         torch.sigmoid(ber.z / TAU)], -1).squeeze(0)
    relaxed_tilde = torch.cat([
        torch.softmax(cat.z_tilde / TAU, -1),
        torch.sigmoid(ber.z_tilde / TAU)
    ], -1).squeeze(0)
    return cat, ber, relaxed, relaxed_tilde


def relax_estimate(logits, probs, cv, gen):
    cat, ber, relaxed, relaxed_tilde = draw(logits, probs, gen)
    f = f_of(cat.b, ber.b)
    return relax_gradients(f, cat.log_prob + ber.log_prob, cv(relaxed),
                           cv(relaxed_tilde), [logits, probs],
                           list(cv.parameters()))


def reinforce_estimate(logits, probs, gen):
    cat, ber, _, _ = draw(logits, probs, gen)
    f = f_of(cat.b, ber.b)
    return torch.autograd.grad(f * (cat.log_prob + ber.log_prob),
                               [logits, probs])


def flat(grads):
    return torch.cat([g.reshape(-1) for g in grads])


def test_samples_are_consistent():
    gen = torch.Generator().manual_seed(0)
    logits = torch.tensor([0.0, 1.0, -1.0], dtype=torch.float64)
    probs = torch.tensor([0.2, 0.9], dtype=torch.float64)
    counts = torch.zeros(3, dtype=torch.float64)
    ones = torch.zeros(2, dtype=torch.float64)
    for _ in range(1000):
        cat = sample_categorical(logits, 1, gen)
        ber = sample_bernoulli(probs, 1, gen)
        # b = H(z), and z_tilde ~ p(z | b) gives the same b
        assert cat.z.argmax(-1) == cat.b == cat.z_tilde.argmax(-1)
        assert torch.equal((ber.z > 0).double(), ber.b)
        assert torch.equal((ber.z_tilde > 0).double(), ber.b)
        counts[cat.b] += 1
        ones += ber.b[0]
    assert torch.allclose(counts / 1000, torch.softmax(logits, -1), atol=0.05)
    assert torch.allclose(ones / 1000, probs, atol=0.05)


def test_relax_is_unbiased_and_beats_reinforce():
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    logits = torch.tensor([0.3, -0.2, 0.1, 0.0],
                          dtype=torch.float64,
                          requires_grad=True)
    probs = torch.tensor([0.3, 0.6, 0.5],
                         dtype=torch.float64,
                         requires_grad=True)
    exact = flat(exact_gradient(logits, probs))
    cv = ControlVariate(7, hidden=16).double()
    # Train the control variate on the estimator's variance (the policy
    # parameters stay fixed, so the target expectation does not move).
    opt = torch.optim.Adam(cv.parameters(), lr=0.02)
    for _ in range(150):
        out = relax_estimate(logits, probs, cv, gen)
        for p, g in zip(cv.parameters(), out.control_variate):
            p.grad = g
        opt.step()
    n = 800
    relax = torch.stack([
        flat(relax_estimate(logits, probs, cv, gen).params) for _ in range(n)
    ])
    reinforce = torch.stack(
        [flat(reinforce_estimate(logits, probs, gen)) for _ in range(n)])
    for est in (relax, reinforce):
        stderr = est.std(0) / n**0.5
        assert torch.all((est.mean(0) - exact).abs() < 4 * stderr +
                         1e-3), (est.mean(0), exact)
    assert relax.var(0).sum() < 0.2 * reinforce.var(0).sum()


def test_control_variate_learns_to_reduce_variance():
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(2)
    logits = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    probs = torch.full((3, ), 0.5, dtype=torch.float64, requires_grad=True)
    cv = ControlVariate(7, hidden=16).double()

    def variance():
        est = torch.stack([
            flat(relax_estimate(logits, probs, cv, gen).params)
            for _ in range(300)
        ])
        return est.var(0).sum()

    before = variance()
    opt = torch.optim.Adam(cv.parameters(), lr=0.02)
    for _ in range(150):
        out = relax_estimate(logits, probs, cv, gen)
        for p, g in zip(cv.parameters(), out.control_variate):
            p.grad = g
        opt.step()
    assert variance() < 0.5 * before
