# Copyright (c) mmautoaug contributors. All rights reserved.
"""The augmentation distribution of AWS and its PPO update.

Tian et al., "Improving Auto-Augment via Augmentation-Wise Weight Sharing"
(NeurIPS 2020): an augmentation is an ORDERED pair ``(i, j)`` of the space's
candidates (``(op, magnitude)`` pairs, 36 in the ``aws`` space), both applied;
its probability is ``p1(i) * p2(j | i)`` with ``p1`` read from ``C`` logits
and ``p2( . | i)`` from row ``i`` of ``C x C`` logits. The paper normalises
sigmoids, ``p(k) = sigmoid(l_k) / sum_k' sigmoid(l_k')``; a softmax is the
option. All logits start at 0, so the distribution starts uniform.

The controller is not a sampler of policies: the distribution IS the policy.
A controller step fine-tunes a copy of the shared weights while sampling
pairs from it, and :func:`ppo_update` pushes the log-probability of the pairs
that were used, each weighted by its share of the usage, in the direction of
the advantage ``reward - baseline``.
"""
from typing import Callable, Dict, List, Optional, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmautoaug.augment import SearchSpace, get_space
from mmautoaug.registry import MODELS

_PARAMETRIZATIONS = ('sigmoid', 'softmax')


@MODELS.register_module()
class AWSController(BaseModule):
    """Distribution over ordered candidate pairs, ``p1(i) * p2(j | i)``.

    Args:
        space (str | SearchSpace): A space with ``candidates`` (the ``aws``
            space). Defaults to ``'aws'``.
        num_candidates (int, optional): Override the number of candidates
            ``C`` (small controllers in tests); then :meth:`to_policy` is not
            available. Defaults to None (``len(space.candidates)``).
        parametrization (str): ``'sigmoid'`` (normalised sigmoids, the
            paper's) or ``'softmax'``. Defaults to ``'sigmoid'``.
        init_cfg (dict, optional): MMEngine initialisation config.

    Examples:
        >>> ctrl = AWSController()
        >>> probs = ctrl.pair_probs()
        >>> tuple(probs.shape), round(float(probs.sum()), 4)
        ((36, 36), 1.0)
        >>> round(float(probs[0, 0]) * 36 * 36, 4)  # uniform at the start
        1.0
    """

    def __init__(self,
                 space: Union[str, SearchSpace] = 'aws',
                 num_candidates: Optional[int] = None,
                 parametrization: str = 'sigmoid',
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.space = get_space(space)
        if num_candidates is None:
            if not self.space.candidates:
                raise ValueError(
                    f'AWSController: the {self.space.name!r} space has no '
                    'candidates; use the \'aws\' space or pass '
                    'num_candidates')
            num_candidates = len(self.space.candidates)
        if num_candidates < 1:
            raise ValueError('AWSController: num_candidates must be >= 1, '
                             f'got {num_candidates}')
        if parametrization not in _PARAMETRIZATIONS:
            raise ValueError('AWSController: parametrization must be one of '
                             f'{_PARAMETRIZATIONS}, got {parametrization!r}')
        self.num_candidates = num_candidates
        self.parametrization = parametrization
        self.first_logits = nn.Parameter(torch.zeros(num_candidates))
        self.second_logits = nn.Parameter(
            torch.zeros(num_candidates, num_candidates))

    def init_weights(self) -> None:
        """Keep the zero logits (the uniform start) whatever init_cfg says."""

    def _normalise(self, logits: torch.Tensor) -> torch.Tensor:
        if self.parametrization == 'softmax':
            return F.softmax(logits, dim=-1)
        scores = torch.sigmoid(logits)
        return scores / scores.sum(dim=-1, keepdim=True)

    def first_probs(self) -> torch.Tensor:
        """``p1``, shape ``(C,)``."""
        return self._normalise(self.first_logits)

    def second_probs(self) -> torch.Tensor:
        """``p2(j | i)``, shape ``(C, C)``, row ``i`` sums to 1."""
        return self._normalise(self.second_logits)

    def pair_probs(self) -> torch.Tensor:
        """Joint ``p(i, j) = p1(i) * p2(j | i)``, shape ``(C, C)``."""
        return self.first_probs()[:, None] * self.second_probs()

    def log_pair_probs(self) -> torch.Tensor:
        """``log p(i, j)``, shape ``(C, C)`` (differentiable)."""
        return self.pair_probs().clamp_min(1e-30).log()

    def forward(self) -> torch.Tensor:
        """Same as :meth:`pair_probs`."""
        return self.pair_probs()

    @torch.no_grad()
    def sample(self,
               num: int,
               generator: Optional[torch.Generator] = None
               ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Draw ``num`` ordered pairs.

        Returns:
            tuple[Tensor, Tensor]: ``first`` and ``second`` candidate indices,
            each of shape ``(num,)``.
        """
        flat = torch.multinomial(self.pair_probs().flatten(), num,
                                 replacement=True, generator=generator)
        return flat // self.num_candidates, flat % self.num_candidates

    @torch.no_grad()
    def entropy(self) -> float:
        """Entropy of the joint distribution (nats); ``2 log C`` at start."""
        probs = self.pair_probs()
        return float(-(probs * probs.clamp_min(1e-30).log()).sum())

    @torch.no_grad()
    def top_pairs(self, k: int) -> List[Tuple[int, int, float]]:
        """The ``k`` most probable pairs as ``(i, j, probability)``.

        Ties keep the pairs' order (``i`` then ``j``), so every ``k`` lists a
        prefix of the same ranking.
        """
        values, flat = self.pair_probs().flatten().sort(descending=True,
                                                        stable=True)
        values, flat = values[:k], flat[:k]
        return [(int(f) // self.num_candidates, int(f) % self.num_candidates,
                 float(v)) for v, f in zip(values, flat)]

    @torch.no_grad()
    def to_policy(self, top_k: Optional[int] = None, meta: Optional[dict] = None):
        """The distribution (or its ``top_k`` pairs) as a :class:`Policy`.

        Every sub-policy is the ordered pair ``(i, j)``: two ops applied with
        probability 1 at the candidates' magnitudes; the sub-policy weights
        are the pairs' probabilities renormalised over the pairs kept.

        Args:
            top_k (int, optional): Keep only the ``top_k`` most probable
                pairs. Defaults to None (all ``C * C`` pairs).
            meta (dict, optional): Extra fields for the policy's ``meta``.

        Returns:
            Policy: A policy of the ``aws`` space.
        """
        from mmautoaug.policy import Policy, PolicyOp
        candidates = self.space.candidates
        if candidates is None or len(candidates) != self.num_candidates:
            raise ValueError(
                'AWSController.to_policy: the controller has '
                f'{self.num_candidates} candidates but the '
                f'{self.space.name!r} space has '
                f'{len(candidates or ())}; it only exports the space\'s own')
        pairs = self.top_pairs(top_k or self.num_candidates**2)
        total = sum(p for _, _, p in pairs)
        sub_policies = [[PolicyOp(candidates[i][0], 1.0, candidates[i][1]),
                         PolicyOp(candidates[j][0], 1.0, candidates[j][1])]
                        for i, j, _ in pairs]
        info = dict(method='AWS', parametrization=self.parametrization,
                    pairs=[[i, j] for i, j, _ in pairs])
        info.update(meta or {})
        return Policy(self.space.name, sub_policies,
                      weights=[p / total for _, _, p in pairs], meta=info)


def ppo_surrogate(log_probs: torch.Tensor, old_log_probs: torch.Tensor,
                  usage: torch.Tensor, advantage: float,
                  clip: float = 0.2) -> torch.Tensor:
    """PPO's clipped objective for a usage-weighted set of pairs.

    With the usage shares ``w = usage / usage.sum()``, the ratio
    ``r = exp(log_probs - old_log_probs)`` and the advantage ``A``::

        loss = -sum(w * min(r * A, clip(r, 1 - clip, 1 + clip) * A))

    Args:
        log_probs (Tensor): Current ``log p`` of every pair (any shape).
        old_log_probs (Tensor): ``log p`` under which the pairs were used.
        usage (Tensor): How often each pair was used (same shape).
        advantage (float): ``reward - baseline``.
        clip (float): PPO's clipping range. Defaults to 0.2.

    Returns:
        Tensor: The loss to minimise (a scalar).

    Examples:
        >>> import math
        >>> lp = torch.tensor([math.log(0.5), math.log(0.3)])
        >>> old = torch.tensor([math.log(0.4), math.log(0.4)])
        >>> loss = ppo_surrogate(lp, old, torch.tensor([1., 1.]), 1.0)
        >>> round(float(loss), 4)  # ratios 1.25 -> 1.2 (clipped) and 0.75
        -0.975
    """
    usage = usage.to(log_probs.dtype)
    total = usage.sum()
    if total <= 0:
        raise ValueError('ppo_surrogate: usage is all zero; no pair was used')
    weights = usage / total
    ratio = (log_probs - old_log_probs.detach()).exp()
    clipped = ratio.clamp(1.0 - clip, 1.0 + clip)
    surrogate = torch.minimum(ratio * advantage, clipped * advantage)
    return -(weights * surrogate).sum()


def kl_divergence(old_log_probs: torch.Tensor,
                  log_probs: torch.Tensor) -> torch.Tensor:
    """``KL(p_old || p_new) = sum p_old * (log p_old - log p_new)``.

    PPO implementations estimate this KL from the sampled actions (the mean
    of ``log p_old - log p_new`` over samples drawn from ``p_old``). The
    AWS distribution is a ``C x C`` table, so it is computed exactly here:
    non-negative and free of sampling noise.

    Examples:
        >>> old = torch.tensor([0.5, 0.5]).log()
        >>> new = torch.tensor([0.25, 0.75]).log()
        >>> round(float(kl_divergence(old, new)), 5)  # 0.5 ln2 + 0.5 ln(2/3)
        0.14384
    """
    old_log_probs = old_log_probs.detach()
    return (old_log_probs.exp() * (old_log_probs - log_probs)).sum()


def ppo_update(controller: AWSController,
               optimizer: torch.optim.Optimizer,
               old_log_probs: torch.Tensor,
               usage: torch.Tensor,
               advantage: float,
               clip: float = 0.2,
               max_steps: int = 5,
               kl_threshold: float = 0.002,
               all_reduce_mean: Optional[Callable[[torch.Tensor], torch.Tensor]]
               = None) -> Dict[str, float]:
    """Update the controller by PPO on one step's usage and advantage.

    At each of at most ``max_steps`` inner steps the KL from the
    distribution the pairs were drawn from (:func:`kl_divergence`) is
    computed first: when it exceeds ``kl_threshold`` the update stops; else
    the optimiser takes a step on :func:`ppo_surrogate`. The first step
    always updates (its KL is 0).

    On several ranks, pass ``all_reduce_mean`` (an in-place mean over
    ranks): each rank's gradient (from its own usage and advantage) and the
    KL are averaged, so every rank takes the same step and the same stop
    decision and the controllers stay identical.

    Args:
        controller (AWSController): The controller to update.
        optimizer (Optimizer): Its optimiser (Adam in the paper).
        old_log_probs (Tensor): ``(C, C)`` ``log p`` the pairs were drawn
            from.
        usage (Tensor): ``(C, C)`` usage counts of the pairs.
        advantage (float): ``reward - baseline`` of this rank.
        clip (float): PPO's clip range. Defaults to 0.2.
        max_steps (int): Most inner steps. Defaults to 5.
        kl_threshold (float): Stop when the KL exceeds it. Defaults to 0.002.
        all_reduce_mean (callable, optional): Averages a tensor over ranks in
            place and returns it. Defaults to None (one process).

    Returns:
        dict: ``steps`` (optimiser steps taken), ``kl`` (the KL after the
        last step taken), ``loss`` (the surrogate loss before the first
        step), ``stopped_early`` (1.0 when the KL threshold stopped it).
    """
    if max_steps < 1:
        raise ValueError(f'ppo_update: max_steps must be >= 1, got {max_steps}')
    reduce = all_reduce_mean or (lambda t: t)
    params = [p for p in controller.parameters() if p.requires_grad]
    steps, stopped, first_loss = 0, False, None
    for _ in range(max_steps):
        log_probs = controller.log_pair_probs()
        kl = float(reduce(kl_divergence(old_log_probs, log_probs).detach()))
        if kl > kl_threshold:
            stopped = True
            break
        loss = ppo_surrogate(log_probs, old_log_probs, usage, advantage, clip)
        if first_loss is None:
            first_loss = float(reduce(loss.detach().clone()))
        optimizer.zero_grad()
        loss.backward()
        for p in params:
            if p.grad is not None:
                reduce(p.grad)
        optimizer.step()
        steps += 1
    optimizer.zero_grad()
    if not stopped:
        with torch.no_grad():
            kl = float(kl_divergence(old_log_probs,
                                     controller.log_pair_probs()))
    return dict(steps=float(steps), kl=kl, loss=first_loss,
                stopped_early=float(stopped))
