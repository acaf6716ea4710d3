# Copyright (c) mmautoaug contributors. All rights reserved.
"""Relaxed discrete samples and the RELAX gradient estimator.

RELAX (Grathwohl et al., "Backpropagation through the Void", ICLR 2018)
estimates ``d/dtheta E_{b ~ p(b|theta)}[f(b)]`` without bias for a black-box
``f`` of discrete samples ``b``:

``g = (f(b) - c(z_tilde)) * dlog p(b)/dtheta + dc(z)/dtheta - dc(z_tilde)/dtheta``

where ``z`` is the reparameterised continuous sample that gives ``b = H(z)``,
``z_tilde ~ p(z | b)`` is a second, conditional reparameterised sample, and
``c`` is a learned control variate, trained to minimise the estimator's
variance: its parameters follow ``d/dphi mean(g ** 2)``.

The functions below implement the two distributions DADA relaxes
(Categorical over sub-policies, Bernoulli per op application) with the
Gumbel reparameterisation of the RELAX paper's appendix, and the estimator.
"""
from typing import List, NamedTuple, Optional, Sequence

import torch
import torch.nn as nn

#: Uniform noise is kept in [EPS, 1 - EPS] so that the logs stay finite.
EPS = 1e-6


class RelaxedSample(NamedTuple):
    """A discrete sample with its two relaxed companions.

    Attributes:
        b (Tensor): The hard sample (indices for a Categorical, 0/1 floats
            for Bernoullis).
        z (Tensor): The reparameterised continuous sample, ``b = H(z)``.
        z_tilde (Tensor): A sample of ``z`` conditioned on ``b``.
        log_prob (Tensor): ``log p(b | theta)`` (differentiable, summed).
    """
    b: torch.Tensor
    z: torch.Tensor
    z_tilde: torch.Tensor
    log_prob: torch.Tensor


def _uniform(shape, like: torch.Tensor,
             generator: Optional[torch.Generator]) -> torch.Tensor:
    u = torch.rand(
        shape, generator=generator, device=like.device, dtype=like.dtype)
    return u.clamp(EPS, 1.0 - EPS)


def sample_categorical(
        logits: torch.Tensor,
        num: int = 1,
        generator: Optional[torch.Generator] = None) -> RelaxedSample:
    """Draw ``num`` Gumbel-max samples of ``Categorical(logits)``.

    Args:
        logits (Tensor): Unnormalised log-probabilities, shape ``(K,)``.
        num (int): Number of independent samples. Defaults to 1.
        generator (torch.Generator, optional): Source of the noise.

    Returns:
        RelaxedSample: ``b`` of shape ``(num,)`` (int64), ``z`` and
        ``z_tilde`` of shape ``(num, K)``, ``log_prob`` a scalar (the sum
        over the ``num`` samples).

    Examples:
        >>> s = sample_categorical(torch.zeros(4), num=3)
        >>> s.b.shape, s.z.shape
        (torch.Size([3]), torch.Size([3, 4]))
    """
    log_p = torch.log_softmax(logits, dim=-1).expand(num, -1)
    u = _uniform(log_p.shape, log_p, generator)
    v = _uniform(log_p.shape, log_p, generator)
    z = log_p - torch.log(-torch.log(u))
    b = z.argmax(dim=-1)
    # z_tilde | b (RELAX appendix): the winner keeps a standard Gumbel, the
    # others are Gumbels with location log_p truncated below it.
    log_vb = torch.log(v.gather(-1, b[:, None]))
    z_tilde = -torch.log(-torch.log(v) / log_p.exp() - log_vb)
    z_tilde = z_tilde.scatter(-1, b[:, None], -torch.log(-log_vb))
    log_prob = log_p.gather(-1, b[:, None]).sum()
    return RelaxedSample(b, z, z_tilde, log_prob)


def sample_bernoulli(
        probs: torch.Tensor,
        num: int = 1,
        generator: Optional[torch.Generator] = None) -> RelaxedSample:
    """Draw ``num`` logistic-reparameterised samples of ``Bernoulli(probs)``.

    Args:
        probs (Tensor): Probabilities of 1, any shape ``S``; clamped to
            ``[EPS, 1 - EPS]`` so that their logits stay finite.
        num (int): Number of independent samples. Defaults to 1.
        generator (torch.Generator, optional): Source of the noise.

    Returns:
        RelaxedSample: ``b``, ``z``, ``z_tilde`` of shape ``(num, *S)``,
        ``log_prob`` a scalar (summed over all entries).
    """
    p = probs.clamp(EPS, 1.0 - EPS)
    logit = (torch.log(p) - torch.log1p(-p)).expand(num, *p.shape)
    u = _uniform(logit.shape, logit, generator)
    v = _uniform(logit.shape, logit, generator)
    z = logit + torch.log(u) - torch.log1p(-u)
    b = (z > 0).to(z.dtype)
    theta = torch.sigmoid(logit)
    # z_tilde | b: v mapped into the part of (0, 1) that gives b.
    v_prime = torch.where(b > 0, v * theta + 1.0 - theta, v * (1.0 - theta))
    z_tilde = logit + torch.log(v_prime) - torch.log1p(-v_prime)
    log_prob = -nn.functional.binary_cross_entropy_with_logits(
        logit, b, reduction='sum')
    return RelaxedSample(b, z, z_tilde, log_prob)


class ControlVariate(nn.Module):
    """The RELAX control variate ``c_phi``: a one-hidden-layer MLP.

    The DADA authors' released code uses the same shape (a 100-unit tanh
    layer on the concatenated relaxed samples).

    Args:
        in_features (int): Length of the relaxed sample vector.
        hidden (int): Hidden units. Defaults to 100.

    Examples:
        >>> c = ControlVariate(315)
        >>> c(torch.rand(315)).shape
        torch.Size([])
    """

    def __init__(self, in_features: int, hidden: int = 100):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(in_features, hidden), nn.Tanh(), nn.Linear(hidden, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(-1)


class RelaxGradients(NamedTuple):
    """Outputs of :func:`relax_gradients`.

    Attributes:
        params (list[Tensor]): The estimate of ``d E[f] / d theta`` for each
            distribution parameter.
        control_variate (list[Tensor]): ``d mean(g**2) / d phi`` for each
            control-variate parameter.
    """
    params: List[torch.Tensor]
    control_variate: List[torch.Tensor]


def relax_gradients(f: torch.Tensor, log_prob: torch.Tensor, c_z: torch.Tensor,
                    c_z_tilde: torch.Tensor, params: Sequence[torch.Tensor],
                    cv_params: Sequence[torch.Tensor]) -> RelaxGradients:
    """The RELAX estimate and the control variate's variance gradient.

    Args:
        f (Tensor): The objective at the hard sample, a scalar (its graph,
            if any, is ignored).
        log_prob (Tensor): ``log p(b | theta)``, a differentiable scalar.
        c_z (Tensor): ``c_phi(sigma(z))``, differentiable in ``theta`` and
            ``phi``.
        c_z_tilde (Tensor): ``c_phi(sigma(z_tilde))``.
        params (Sequence[Tensor]): The distribution parameters ``theta``.
        cv_params (Sequence[Tensor]): The control variate's parameters.

    Returns:
        RelaxGradients: detached tensors shaped like ``params`` and
        ``cv_params``.
    """
    params, cv_params = list(params), list(cv_params)
    d_log_prob = torch.autograd.grad(
        log_prob, params, retain_graph=True, allow_unused=True)
    d_c_z = torch.autograd.grad(
        c_z, params, retain_graph=True, create_graph=True, allow_unused=True)
    d_c_z_tilde = torch.autograd.grad(
        c_z_tilde,
        params,
        retain_graph=True,
        create_graph=True,
        allow_unused=True)
    f = f.detach()
    grads = []
    for p, d_lp, d_cz, d_czt in zip(params, d_log_prob, d_c_z, d_c_z_tilde):
        g = torch.zeros_like(p)
        if d_lp is not None:
            g = g + (f - c_z_tilde) * d_lp
        if d_cz is not None:
            g = g + d_cz
        if d_czt is not None:
            g = g - d_czt
        grads.append(g)
    variance = torch.cat([g.reshape(-1) for g in grads]).pow(2).mean()
    d_phi = torch.autograd.grad(variance, cv_params, allow_unused=True)
    d_phi = [
        torch.zeros_like(p) if d is None else d
        for p, d in zip(cv_params, d_phi)
    ]
    return RelaxGradients([g.detach() for g in grads], list(d_phi))
