# Copyright (c) mmautoaug contributors. All rights reserved.
"""The parts of a DADA step that the classifier search
(:class:`DADASearchModel`) and the detector search (:class:`DADADetector`)
share: the step's random streams, the loss at other weights, the learning
rates of the unrolled step, the averaging over ranks and the policy's
update."""
from typing import Dict, List, Optional, Tuple

import torch
import torch.distributed as torch_dist
from mmengine.dist import get_rank, get_world_size
from torch.func import functional_call
from torch.optim import Optimizer

from .policy_params import DADAPolicy, PolicySample
from .relax import relax_gradients

Params = Dict[str, torch.Tensor]


def all_reduce_mean(tensors: List[torch.Tensor]) -> List[torch.Tensor]:
    """Average tensors over ranks in one collective (no-op on one rank)."""
    if get_world_size() == 1 or not tensors:
        return tensors
    flat = torch.cat([t.reshape(-1) for t in tensors])
    torch_dist.all_reduce(flat)
    flat /= get_world_size()
    out, start = [], 0
    for t in tensors:
        out.append(flat[start:start + t.numel()].view_as(t))
        start += t.numel()
    return out


class StepSeedMixin:
    """Each step's random streams, reproducible and resumable.

    The host sets ``self.seed`` (an int or None) and
    ``self._shared_seed = None``, and registers a ``step_count`` buffer
    (it seeds each step's noise, so it is in the checkpoint)."""

    seed: Optional[int]
    _shared_seed: Optional[int]
    step_count: torch.Tensor

    def _base_seed(self) -> int:
        """The seed of the search, the same on every rank."""
        if self.seed is not None:
            return int(self.seed)
        if self._shared_seed is None:
            # the runner's seed; rank 0's wins should ranks differ
            # (randomness.diff_rank_seed=True)
            seed = torch.tensor([torch.initial_seed() % (2**62)],
                                device=self.step_count.device)
            if get_world_size() > 1:
                torch_dist.broadcast(seed, src=0)
            self._shared_seed = int(seed)
        return self._shared_seed

    def _step_seed(self) -> int:
        """This step's seed, the same on every rank."""
        return (self._base_seed() * 1000003 + int(self.step_count)) % (2**62)

    def _generators(self, device) -> Tuple[torch.Generator, torch.Generator]:
        """(shared, per-rank) generators for this step: the policy sample is
        drawn from the shared one, the ops' own randomness from the rank's."""
        seed = self._step_seed()
        shared = torch.Generator(device=device)
        shared.manual_seed(seed)
        local = torch.Generator(device=device)
        local.manual_seed((seed * 31 + 7919 * (get_rank() + 1)) % (2**62))
        return shared, local


def loss_at(owner, module: torch.nn.Module, inputs, data_samples,
            params: Optional[Params] = None) -> torch.Tensor:
    """``module``'s total loss, at its own weights or at ``params``.

    At other weights the buffers (BN statistics) are copies, so virtual
    evaluations do not move the running statistics.

    Args:
        owner (BaseModel): The search model whose ``parse_losses`` sums the
            loss dict.
        module (nn.Module): The network (classifier or detector); called
            with ``mode='loss'``.
        inputs, data_samples: Its inputs.
        params (dict[str, Tensor], optional): Weights to evaluate at.
    """
    if params is None:
        losses = module(inputs, data_samples, mode='loss')
    else:
        state = {k: b.clone() for k, b in module.named_buffers()}
        state.update(params)
        losses = functional_call(module, state, (inputs, data_samples),
                                 dict(mode='loss'))
    loss, _ = owner.parse_losses(losses)
    return loss


def learning_rates(optimizer: Optimizer, params: Params) -> List[float]:
    """Each parameter's current learning rate, in the order of ``params``
    (the unrolled step scales ``v`` by it: ``xi * H v`` per param group)."""
    lr_of = {
        id(p): g['lr']
        for g in optimizer.param_groups
        for p in g['params']
    }
    return [lr_of[id(p)] for p in params.values()]


def relax_policy_gradients(policy: DADAPolicy, signal: torch.Tensor,
                           sample: PolicySample) -> Dict[int, torch.Tensor]:
    """RELAX's gradients of the policy's distribution and of its control
    variate for the reward ``signal`` of ``sample``, by parameter id."""
    cv_params = list(policy.control_variate.parameters())
    relax = relax_gradients(signal, sample.log_prob,
                            policy.control_variate(sample.relaxed),
                            policy.control_variate(sample.relaxed_tilde),
                            policy.distribution_parameters(), cv_params)
    return {
        id(p): g
        for p, g in zip(policy.distribution_parameters() + cv_params,
                        relax.params + relax.control_variate)
    }


def step_policy(policy: DADAPolicy, optim_wrapper,
                grads: Dict[int, torch.Tensor]) -> None:
    """One step of the policy's optimiser on ``grads`` (by parameter id;
    a parameter without one gets none), then clamp to the valid ranges."""
    for p in policy.parameters():
        p.grad = grads.get(id(p))
    optim_wrapper.step()
    optim_wrapper.zero_grad()
    policy.clamp_()
