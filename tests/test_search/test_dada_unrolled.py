# Copyright (c) mmautoaug contributors. All rights reserved.
"""The unrolled step's pieces against exact autograd."""
from collections import OrderedDict

import pytest
import torch
import torch.nn as nn
from torch.func import functional_call

from mmautoaug.search.dada.unrolled import (finite_difference_hvp,
                                            virtual_sgd_step)


def tiny_problem():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 3)).double()
    x = torch.randn(16, 5, dtype=torch.float64)
    y = torch.randint(0, 3, (16, ))
    # theta plays the augmented image: the loss depends on it through x
    theta = torch.randn(5, dtype=torch.float64, requires_grad=True)

    def loss_fn(params):
        out = functional_call(net, params, (x * theta, ))
        return nn.functional.cross_entropy(out, y)

    params = OrderedDict(
        (k, p.detach().clone()) for k, p in net.named_parameters())
    return net, params, theta, loss_fn


def test_finite_difference_hvp_matches_double_backward():
    net, params, theta, loss_fn = tiny_problem()
    vector = [torch.randn_like(p) for p in params.values()]
    leaves = OrderedDict(
        (k, p.clone().requires_grad_()) for k, p in params.items())
    grads = torch.autograd.grad(
        loss_fn(leaves), list(leaves.values()), create_graph=True)
    dot = sum((g * v).sum() for g, v in zip(grads, vector))
    (exact, ) = torch.autograd.grad(dot, [theta])
    (approx, ) = finite_difference_hvp(loss_fn, params, vector, [theta])
    assert exact.abs().max() > 1e-3  # the test is not trivially zero
    torch.testing.assert_close(approx, exact, rtol=1e-4, atol=1e-6)


def test_finite_difference_hvp_zero_vector_gives_zeros():
    _, params, theta, loss_fn = tiny_problem()
    vector = [torch.zeros_like(p) for p in params.values()]
    (out, ) = finite_difference_hvp(loss_fn, params, vector, [theta])
    assert torch.equal(out, torch.zeros_like(theta))


@pytest.mark.parametrize('kwargs', [
    dict(momentum=0.9, weight_decay=2e-4),
    dict(momentum=0.9, weight_decay=5e-4, nesterov=True),
    dict(momentum=0.0, weight_decay=0.0),
])
def test_virtual_sgd_step_matches_sgd(kwargs):
    net, _, theta, loss_fn = tiny_problem()
    opt = torch.optim.SGD(net.parameters(), lr=0.1, **kwargs)
    for _ in range(2):  # the second step exercises the momentum buffer
        params = OrderedDict(net.named_parameters())
        grads = torch.autograd.grad(loss_fn(params), list(params.values()))
        virtual = virtual_sgd_step(params, grads, opt)
        for p, g in zip(params.values(), grads):
            p.grad = g.clone()
        opt.step()
        for k, p in net.named_parameters():
            torch.testing.assert_close(virtual[k], p.detach())
            assert not virtual[k].requires_grad


def test_virtual_sgd_step_rejects_other_optimisers():
    net, params, _, _ = tiny_problem()
    params = OrderedDict(net.named_parameters())
    opt = torch.optim.Adam(net.parameters())
    with pytest.raises(TypeError, match='SGD'):
        virtual_sgd_step(params,
                         [torch.zeros_like(p) for p in params.values()], opt)
