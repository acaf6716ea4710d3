# Copyright (c) mmautoaug contributors. All rights reserved.
"""DADA's learnable policy: sub-policy weights, op probabilities, magnitudes.

Parameters (initialised as in the authors' released code,
``search_relax/model_search.py``):

- ``logits`` (S,): one selection logit per sub-policy, all ``1e-3`` (every
  sub-policy starts exactly equally likely);
- ``probs`` (S, 2): application probability of each op, initialised to 0.5;
- ``magnitudes`` (S, 2): normalised magnitude in [0, 1] of each op,
  initialised to 0.5.

``probs`` and ``magnitudes`` are kept in their natural units (Adam with
lr 0.005 then works on the same scale as in the paper) and projected back
onto [0, 1] after each optimiser step. The authors' code never changes the
parameters themselves: it clamps where the values are used (sampling,
augmenting, exporting), so a parameter that overshoots keeps drifting in a
region where it has no effect (a probability beyond [0, 1] gets no gradient
at all through their clamp). ``S = 105``: all unordered pairs of the 15
``fastaa`` ops, in the fixed order of
:func:`mmautoaug.augment.sub_policy_pairs` (the authors' list is shuffled
by an unseeded ``random.sample`` at start-up).

The RELAX control variate lives here too (it is part of the policy's
state: it is saved, resumed and optimised with the policy).
"""
from typing import NamedTuple, Optional, Union

import torch
import torch.nn as nn

from mmautoaug.augment import SearchSpace, get_space, sub_policy_pairs
from .relax import ControlVariate, sample_bernoulli, sample_categorical


class PolicySample(NamedTuple):
    """One (or ``N``) draws of a sub-policy and its op applications.

    Attributes:
        index (Tensor): ``(N,)`` chosen sub-policy per draw.
        applied (Tensor): ``(N, 2)`` hard 0/1 application of the chosen
            sub-policy's two ops.
        log_prob (Tensor): ``log p(b)`` of the whole draw, a scalar.
        relaxed (Tensor): ``(3S,)`` the relaxed sample ``sigma(z / tau)``
            fed to the control variate (mean over the ``N`` draws).
        relaxed_tilde (Tensor): the same for the conditional ``z_tilde``.
        select_st (Tensor): ``(N,)`` Gumbel straight-through weight of the
            chosen sub-policy: value 1, gradient of its relaxed weight.
        applied_st (Tensor): ``(N, 2)`` straight-through application:
            value ``applied``, gradient of the relaxed Bernoulli.
    """
    index: torch.Tensor
    applied: torch.Tensor
    log_prob: torch.Tensor
    relaxed: torch.Tensor
    relaxed_tilde: torch.Tensor
    select_st: torch.Tensor
    applied_st: torch.Tensor


class DADAPolicy(nn.Module):
    """The parameters DADA learns and how to sample from them.

    Args:
        space (str | SearchSpace): The op space. Defaults to ``'fastaa'``.
        temperature (float): Temperature of the Gumbel-Softmax / relaxed
            Bernoulli relaxations. Defaults to 0.5 (the paper's).
        init_prob (float): Initial application probability. Defaults to 0.5.
        init_magnitude (float): Initial magnitude. Defaults to 0.5.
        init_logit (float): Initial selection logit of every sub-policy.
            Defaults to 1e-3 (the authors' code).
        init_logit_std (float): Std of Gaussian noise added to the initial
            logits. Defaults to 0 (every sub-policy equally likely).
        cv_hidden (int): Hidden units of the control variate. Defaults to
            100.

    Examples:
        >>> policy = DADAPolicy()
        >>> policy.logits.shape, policy.probs.shape
        (torch.Size([105]), torch.Size([105, 2]))
        >>> s = policy.sample(num=4)
        >>> s.index.shape, s.applied.shape, s.relaxed.shape
        (torch.Size([4]), torch.Size([4, 2]), torch.Size([315]))
    """

    def __init__(self,
                 space: Union[str, SearchSpace] = 'fastaa',
                 temperature: float = 0.5,
                 init_prob: float = 0.5,
                 init_magnitude: float = 0.5,
                 init_logit: float = 1e-3,
                 init_logit_std: float = 0.0,
                 cv_hidden: int = 100):
        super().__init__()
        if temperature <= 0:
            raise ValueError(
                f'DADAPolicy: temperature must be > 0, got {temperature}')
        for name, value in (('init_prob', init_prob), ('init_magnitude',
                                                       init_magnitude)):
            if not 0.0 <= value <= 1.0:
                raise ValueError(
                    f'DADAPolicy: {name} must be in [0, 1], got {value}')
        self.space = get_space(space)
        self.temperature = temperature
        self.pairs = sub_policy_pairs(self.space)
        num = len(self.pairs)
        self.register_buffer(
            'op_index',
            torch.tensor([[self.space.index(a),
                           self.space.index(b)] for a, b in self.pairs],
                         dtype=torch.long),
            persistent=False)
        # Ops without a parameter (AutoContrast, Invert, Equalize) get no
        # magnitude gradient: theirs would only be the straight-through
        # estimator's artefact.
        self.register_buffer(
            'magnitude_mask',
            torch.tensor(
                [[float(self.space.range(op).takes_magnitude) for op in pair]
                 for pair in self.pairs]),
            persistent=False)
        self.logits = nn.Parameter(
            torch.full((num, ), float(init_logit)) +
            init_logit_std * torch.randn(num))
        self.probs = nn.Parameter(torch.full((num, 2), float(init_prob)))
        self.magnitudes = nn.Parameter(
            torch.full((num, 2), float(init_magnitude)))
        self.control_variate = ControlVariate(3 * num, cv_hidden)

    @property
    def num_sub_policies(self) -> int:
        return len(self.pairs)

    def distribution_parameters(self):
        """The parameters RELAX estimates gradients for."""
        return [self.logits, self.probs]

    def sample(self,
               num: int = 1,
               generator: Optional[torch.Generator] = None) -> PolicySample:
        """Draw ``num`` sub-policies with their op applications.

        All ``S x 2`` Bernoullis are drawn for every draw (as in the
        authors' code), so the relaxed sample has a fixed length ``3S``.

        Args:
            num (int): Number of draws (1: one sub-policy for the whole
                batch, the paper's setting; N: one per sample).
            generator (torch.Generator, optional): Source of the noise.

        Returns:
            PolicySample: see its attributes.
        """
        tau = self.temperature
        cat = sample_categorical(self.logits, num, generator)
        ber = sample_bernoulli(self.probs, num, generator)
        rows = torch.arange(num, device=cat.b.device)
        soft = torch.softmax(cat.z / tau, dim=-1)
        soft_tilde = torch.softmax(cat.z_tilde / tau, dim=-1)
        sig = torch.sigmoid(ber.z / tau)
        sig_tilde = torch.sigmoid(ber.z_tilde / tau)
        relaxed = torch.cat([soft, sig.flatten(1)], dim=1).mean(0)
        relaxed_tilde = torch.cat(
            [soft_tilde, sig_tilde.flatten(1)], dim=1).mean(0)
        applied = ber.b[rows, cat.b]
        chosen_soft = soft[rows, cat.b]
        select_st = 1.0 + chosen_soft - chosen_soft.detach()
        chosen_sig = sig[rows, cat.b]
        applied_st = applied + chosen_sig - chosen_sig.detach()
        # One log-probability for the joint draw: the categorical's score
        # is counted once, not broadcast over the 2S Bernoulli entries as
        # in the authors' code.
        log_prob = cat.log_prob + ber.log_prob
        return PolicySample(cat.b, applied, log_prob, relaxed, relaxed_tilde,
                            select_st, applied_st)

    @torch.no_grad()
    def clamp_(self) -> None:
        """Project probabilities and magnitudes onto [0, 1] after a step."""
        self.probs.clamp_(0.0, 1.0)
        self.magnitudes.clamp_(0.0, 1.0)

    @torch.no_grad()
    def selection_weights(self) -> torch.Tensor:
        """``softmax(logits)``: the probability of each sub-policy."""
        return torch.softmax(self.logits, dim=-1)

    def export_policy(self, topk: int = 25, meta: Optional[dict] = None):
        """The ``topk`` most likely sub-policies as a :class:`Policy`.

        The exported policy picks among its sub-policies uniformly (as the
        authors' retraining does); the learned selection weights are kept
        in ``meta['selection_weights']`` for inspection.

        Args:
            topk (int): Number of sub-policies kept. Defaults to 25.
            meta (dict, optional): Extra metadata to store.

        Returns:
            Policy: in the ``fastaa`` space (or this policy's space).
        """
        from mmautoaug.policy import Policy, PolicyOp
        if not 1 <= topk <= self.num_sub_policies:
            raise ValueError(f'DADAPolicy.export_policy: topk must be in [1, '
                             f'{self.num_sub_policies}], got {topk}')
        weights = self.selection_weights().cpu()
        order = torch.argsort(weights, descending=True, stable=True)[:topk]
        probs = self.probs.detach().clamp(0, 1).cpu()
        mags = self.magnitudes.detach().clamp(0, 1).cpu()
        sub_policies = [[
            PolicyOp(op, float(probs[s, k]), float(mags[s, k]))
            for k, op in enumerate(self.pairs[s])
        ] for s in order.tolist()]
        info = dict(
            method='DADA',
            topk=topk,
            selection_weights=[float(weights[s]) for s in order])
        info.update(meta or {})
        return Policy(self.space.name, sub_policies, meta=info)
