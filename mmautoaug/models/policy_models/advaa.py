# Copyright (c) mmautoaug contributors. All rights reserved.
"""The policy generator of Adversarial AutoAugment (Zhang et al., ICLR 2020).

An LSTM controller in the style of AutoAugment's and ENAS's: at every step it
reads the embedding of its previous decision and emits one categorical
decision; the decisions alternate between an op type (op head) and that op's
magnitude bin (magnitude head). A policy is ``Q`` sub-policies of ``K`` ops,
so ``2 * Q * K`` decisions (paper: one-layer LSTM, 100 hidden units,
``2 x 5 x 2`` softmax predictions, each fed back as an embedding).

The paper's generator emits no application probability (its Figure 2 shows
(op, magnitude) pairs only): every op of the chosen sub-policy is applied.
:meth:`AdvAAPolicyGenerator.to_arrays` therefore gives probability
``op_prob`` (1.0 by default) to every op.
"""
from typing import NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmautoaug.augment import SearchSpace, get_space
from mmautoaug.registry import MODELS


class GeneratorOutput(NamedTuple):
    """What :meth:`AdvAAPolicyGenerator.forward` returns.

    Attributes:
        actions (Tensor): ``(M, Q, K, 2)`` int64: ``[..., 0]`` is the op index
            into the space's ops, ``[..., 1]`` the magnitude bin.
        log_prob (Tensor): ``(M,)`` log-probability of each policy (sum over
            its ``2QK`` decisions).
        entropy (Tensor): ``(M,)`` sum of the decisions' entropies.
        op_probs (Tensor): ``(M, Q, K, num_ops)`` the op head's softmax at
            every op decision (its mean is a soft op histogram).
    """
    actions: torch.Tensor
    log_prob: torch.Tensor
    entropy: torch.Tensor
    op_probs: torch.Tensor


@MODELS.register_module()
class AdvAAPolicyGenerator(BaseModule):
    """LSTM policy generator of Adversarial AutoAugment.

    Args:
        space (str | SearchSpace): A discrete space (with magnitude bins).
            Defaults to ``'autoaugment'`` (16 ops, 10 bins).
        num_sub_policies (int): ``Q``, sub-policies per policy. Defaults to 5.
        num_ops (int): ``K``, ops per sub-policy. Defaults to 2.
        hidden_size (int): LSTM hidden units. Defaults to 100.
        embed_size (int): Size of the decision embeddings. Defaults to 32.
        init_range (float): Parameters start uniform in
            ``[-init_range, init_range]`` (AutoAugment/ENAS controllers use
            0.1), so the first policies are close to uniform. Defaults to 0.1.
        init_cfg (dict, optional): MMEngine initialisation config.

    Examples:
        >>> gen = AdvAAPolicyGenerator()
        >>> out = gen(num_policies=8)
        >>> out.actions.shape, out.log_prob.shape
        (torch.Size([8, 5, 2, 2]), torch.Size([8]))
        >>> again = gen(actions=out.actions)  # teacher-forced: same log-prob
        >>> bool(torch.allclose(again.log_prob, out.log_prob))
        True
    """

    def __init__(self,
                 space: Union[str, SearchSpace] = 'autoaugment',
                 num_sub_policies: int = 5,
                 num_ops: int = 2,
                 hidden_size: int = 100,
                 embed_size: int = 32,
                 init_range: float = 0.1,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.space = get_space(space)
        if self.space.magnitude_bins is None:
            raise ValueError(
                f'AdvAAPolicyGenerator: space {self.space.name!r} has no '
                'magnitude bins; use a discrete space such as '
                "'autoaugment'.")
        for name, value in (('num_sub_policies', num_sub_policies),
                            ('num_ops', num_ops), ('hidden_size', hidden_size),
                            ('embed_size', embed_size)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f'AdvAAPolicyGenerator: {name} must be a '
                                 f'positive int, got {value!r}')
        self.num_sub_policies = num_sub_policies
        self.num_ops = num_ops
        self.num_op_choices = len(self.space)
        self.num_bins = self.space.magnitude_bins
        self.hidden_size = hidden_size
        self.start = nn.Parameter(torch.zeros(1, embed_size))
        self.lstm = nn.LSTMCell(embed_size, hidden_size)
        self.op_head = nn.Linear(hidden_size, self.num_op_choices)
        self.mag_head = nn.Linear(hidden_size, self.num_bins)
        self.op_embed = nn.Embedding(self.num_op_choices, embed_size)
        self.mag_embed = nn.Embedding(self.num_bins, embed_size)
        for p in self.parameters():
            nn.init.uniform_(p, -init_range, init_range)

    @property
    def num_decisions(self) -> int:
        """``2 * Q * K``: one op and one magnitude decision per op."""
        return 2 * self.num_sub_policies * self.num_ops

    def forward(self,
                num_policies: Optional[int] = None,
                actions: Optional[torch.Tensor] = None,
                generator: Optional[torch.Generator] = None
                ) -> GeneratorOutput:
        """Sample ``num_policies`` policies, or score given ``actions``.

        Args:
            num_policies (int, optional): ``M``, policies to sample.
            actions (Tensor, optional): ``(M, Q, K, 2)`` decisions to score
                (teacher forcing) instead of sampling; the REINFORCE update
                scores the policies sampled at the start of the epoch.
            generator (torch.Generator, optional): Random source of the
                sampling (on the generator's device).

        Returns:
            GeneratorOutput: actions, log-probabilities, entropies, op probs.
        """
        if (num_policies is None) == (actions is None):
            raise ValueError('AdvAAPolicyGenerator: give exactly one of '
                             'num_policies and actions')
        shape = (self.num_sub_policies, self.num_ops, 2)
        if actions is not None:
            if actions.dim() != 4 or tuple(actions.shape[1:]) != shape:
                raise ValueError(
                    f'AdvAAPolicyGenerator: actions must have shape '
                    f'(M, {shape[0]}, {shape[1]}, 2), got '
                    f'{tuple(actions.shape)}')
            num_policies = actions.shape[0]
            flat_actions = actions.reshape(num_policies, -1).to(
                self.start.device)
        device = self.start.device
        h = self.start.new_zeros(num_policies, self.hidden_size)
        c = self.start.new_zeros(num_policies, self.hidden_size)
        x = self.start.expand(num_policies, -1)
        chosen, log_probs, entropies, op_probs = [], [], [], []
        for step in range(self.num_decisions):
            is_op = step % 2 == 0
            h, c = self.lstm(x, (h, c))
            logits = (self.op_head if is_op else self.mag_head)(h)
            log_p = F.log_softmax(logits, dim=-1)
            probs = log_p.exp()
            if actions is None:
                choice = torch.multinomial(
                    probs.detach(), 1, generator=generator).squeeze(1)
            else:
                choice = flat_actions[:, step]
            chosen.append(choice)
            log_probs.append(log_p.gather(1, choice[:, None]).squeeze(1))
            entropies.append(-(probs * log_p).sum(-1))
            if is_op:
                op_probs.append(probs)
            x = (self.op_embed if is_op else self.mag_embed)(choice)
        out_actions = torch.stack(chosen, 1).view(num_policies, *shape)
        return GeneratorOutput(
            actions=out_actions.to(device),
            log_prob=torch.stack(log_probs, 1).sum(1),
            entropy=torch.stack(entropies, 1).sum(1),
            op_probs=torch.stack(op_probs, 1).view(
                num_policies, self.num_sub_policies, self.num_ops, -1))

    def to_arrays(self, actions: torch.Tensor, op_prob: float = 1.0
                  ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Turn decisions into policy arrays.

        Args:
            actions (Tensor): ``(M, Q, K, 2)`` decisions.
            op_prob (float): Application probability of every op (the
                generator does not emit one). Defaults to 1.0.

        Returns:
            tuple: ``op_index (M, Q, K)`` int64, ``prob (M, Q, K)`` and
            ``magnitude (M, Q, K)`` float (bin ``b`` -> ``b / bins``).
        """
        actions = actions.detach().cpu().numpy()
        op_index = actions[..., 0].astype(np.int64)
        magnitude = self.space.bin_to_magnitude(
            actions[..., 1].astype(np.float64))
        prob = np.full(op_index.shape, float(op_prob))
        return op_index, prob, magnitude

    def to_policies(self, actions: torch.Tensor, op_prob: float = 1.0,
                    meta: Optional[dict] = None) -> list:
        """Turn decisions ``(M, Q, K, 2)`` into ``M``
        :class:`~mmautoaug.policy.Policy` (``meta`` gets ``policy_index``)."""
        from mmautoaug.policy import Policy
        op_index, prob, magnitude = self.to_arrays(actions, op_prob)
        return [
            Policy.from_arrays(self.space.name, op_index[m], prob[m],
                               magnitude[m],
                               meta=dict(meta or {}, policy_index=m))
            for m in range(op_index.shape[0])
        ]


def union_policy(space: str,
                 op_index,
                 prob,
                 magnitude,
                 weights=None,
                 meta: Optional[dict] = None):
    """``M`` policies ``(M, S, K)`` as ONE :class:`~mmautoaug.policy.Policy`
    of ``M * S`` sub-policies.

    Picking one of them by ``weights / M`` (uniformly when ``weights`` is
    None) is picking a policy uniformly and then one of its sub-policies,
    as the search does per copy; this is how AdvAA's policies are saved.

    Args:
        space (str): The space the op indices point into.
        op_index, prob, magnitude (array-like): ``(M, S, K)``.
        weights (array-like, optional): ``(M, S)`` sub-policy weights, each
            row summing to 1.
        meta (dict, optional): Metadata; ``num_policies`` is added.
    """
    from mmautoaug.policy import Policy
    arrays = [np.asarray(a.detach().cpu() if torch.is_tensor(a) else a)
              for a in (op_index, prob, magnitude)]
    num_m, _, num_k = arrays[0].shape
    if weights is not None:
        weights = np.asarray(weights.detach().cpu() if torch.is_tensor(
            weights) else weights, dtype=np.float64)
        weights = (weights / num_m).reshape(-1)
    return Policy.from_arrays(
        space, *[a.reshape(-1, num_k) for a in arrays],
        weights=weights,
        meta=dict(meta or {}, num_policies=num_m))


def reinforce_loss(losses: torch.Tensor,
                   log_prob: torch.Tensor,
                   entropy: torch.Tensor,
                   entropy_weight: float = 1e-5,
                   eps: float = 1e-8) -> torch.Tensor:
    """The adversarial REINFORCE objective, as a loss to minimise.

    The generator MAXIMISES the classifier's training loss under its
    policies. Rewards are the normalised per-policy losses
    ``(L_m - mean(L)) / (std(L) + eps)`` (a baseline and scale that keep the
    gradient's variance in check); ``entropy_weight`` rewards exploration.

    Args:
        losses (Tensor): ``(M,)`` the classifier's mean training loss under
            each policy (no gradient flows into it).
        log_prob (Tensor): ``(M,)`` log-probabilities of the policies.
        entropy (Tensor): ``(M,)`` entropies of the policies' decisions.
        entropy_weight (float): Weight of the entropy bonus. Defaults to 1e-5
            (the paper's value).
        eps (float): Guards the division. Defaults to 1e-8.

    Returns:
        Tensor: a scalar; ``-(mean(reward * log_prob) + w * mean(entropy))``.

    Examples:
        >>> lp = torch.zeros(2, requires_grad=True)
        >>> loss = reinforce_loss(torch.tensor([1., 3.]), lp, torch.zeros(2))
        >>> loss.backward()
        >>> lp.grad  # descending it raises the high-loss policy's log-prob
        tensor([ 0.5000, -0.5000])
    """
    if losses.shape != log_prob.shape or losses.dim() != 1:
        raise ValueError(f'reinforce_loss: losses {tuple(losses.shape)} and '
                         f'log_prob {tuple(log_prob.shape)} must both be (M,)')
    losses = losses.detach().to(log_prob)
    reward = (losses - losses.mean()) / (losses.std(unbiased=False) + eps)
    return -((reward * log_prob).mean() + entropy_weight * entropy.mean())


def op_histogram(actions: torch.Tensor, ops: Sequence[str]) -> dict:
    """How often each op appears in ``actions`` ``(M, Q, K, 2)``."""
    counts = torch.bincount(actions[..., 0].reshape(-1).cpu(),
                            minlength=len(ops))
    return {op: int(n) for op, n in zip(ops, counts.tolist())}
