# Copyright (c) mmautoaug contributors. All rights reserved.
"""The pieces of DARTS' one-step unrolled bilevel update.

DARTS (Liu et al., ICLR 2019, eq. 6-8), used by DADA for the policy:

``w' = w - xi * grad_w L_train(w, theta)`` (one virtual optimiser step),
``grad_theta L_val(w') = -xi * grad^2_{theta,w} L_train(w, theta) . v`` with
``v = grad_{w'} L_val(w')``, where the mixed second derivative times ``v`` is
approximated by a central finite difference:

``(grad_theta L_train(w + eps v) - grad_theta L_train(w - eps v)) / (2 eps)``,
``eps = 0.01 / ||v||``.
"""
from typing import Callable, Dict, List, Sequence

import torch
from torch.optim import SGD, Optimizer

Params = Dict[str, torch.Tensor]


def virtual_sgd_step(params: Params, grads: Sequence[torch.Tensor],
                     optimizer: Optimizer) -> Params:
    """Parameters after one step of ``optimizer`` without touching them.

    Follows ``torch.optim.SGD`` exactly (weight decay, momentum with the
    optimiser's current buffers, dampening, Nesterov), with each param
    group's current learning rate, as DARTS' ``_compute_unrolled_model``.

    Args:
        params (dict[str, Tensor]): The network's parameters by name, in
            the same order as ``grads``.
        grads (Sequence[Tensor]): Their gradients.
        optimizer (Optimizer): The network's SGD optimiser.

    Returns:
        dict[str, Tensor]: New tensors (no graph) for the virtual weights.
    """
    if not isinstance(optimizer, SGD):
        raise TypeError('virtual_sgd_step: the unrolled DADA step follows '
                        'torch.optim.SGD (the paper\'s network optimiser); '
                        f'got {type(optimizer).__name__}')
    group_of = {}
    for group in optimizer.param_groups:
        for p in group['params']:
            group_of[id(p)] = group
    out = {}
    with torch.no_grad():
        for (name, p), g in zip(params.items(), grads):
            group = group_of.get(id(p))
            if group is None:
                raise KeyError(f'virtual_sgd_step: parameter {name!r} is not '
                               'in the network optimiser')
            d = g + group['weight_decay'] * p if group['weight_decay'] else g
            momentum = group['momentum']
            if momentum:
                buf = optimizer.state.get(p, {}).get('momentum_buffer')
                if buf is None:
                    buf = d
                else:
                    buf = momentum * buf + (1 - group['dampening']) * d
                d = d + momentum * buf if group['nesterov'] else buf
            sign = -1.0 if group.get('maximize', False) else 1.0
            out[name] = p - sign * group['lr'] * d
    return out


def flat_norm(tensors: Sequence[torch.Tensor]) -> torch.Tensor:
    """The L2 norm of a list of tensors taken as one vector."""
    return torch.sqrt(sum((t.detach().float()**2).sum() for t in tensors))


def finite_difference_hvp(loss_fn: Callable[[Params], torch.Tensor],
                          params: Params,
                          vector: Sequence[torch.Tensor],
                          wrt: Sequence[torch.Tensor],
                          r: float = 0.01) -> List[torch.Tensor]:
    """``grad_wrt (grad_w L(w) . v)`` by a central finite difference.

    Args:
        loss_fn (callable): ``loss_fn(params) -> scalar`` evaluated at
            perturbed copies of ``params``; it must depend on ``wrt``.
        params (dict[str, Tensor]): The point ``w``.
        vector (Sequence[Tensor]): ``v``, one tensor per entry of ``params``.
        wrt (Sequence[Tensor]): The tensors to differentiate with respect to
            (``theta``; leaves or graph nodes that ``loss_fn`` reaches).
        r (float): ``eps = r / ||v||``. Defaults to 0.01 (DARTS, DADA).

    Returns:
        list[Tensor]: One tensor per entry of ``wrt`` (zeros where the loss
        does not depend on it).

    Examples:
        >>> w = {'a': torch.tensor([1.0, 2.0])}
        >>> theta = torch.tensor(3.0, requires_grad=True)
        >>> fn = lambda p: theta * (p['a'] ** 2).sum()
        >>> # d/dtheta (grad_w L . v) = 2 * a . v = 2 * (1 + 2) = 6
        >>> finite_difference_hvp(fn, w, [torch.ones(2)], [theta])
        [tensor(6.0000)]
    """
    norm = flat_norm(vector)
    if not torch.isfinite(norm) or norm == 0:
        return [torch.zeros_like(t) for t in wrt]
    eps = r / norm
    grads = []
    for sign in (1.0, -1.0):
        with torch.no_grad():
            moved = {
                name: p + sign * eps * v
                for (name, p), v in zip(params.items(), vector)
            }
        loss = loss_fn(moved)
        g = torch.autograd.grad(
            loss, list(wrt), retain_graph=True, allow_unused=True)
        grads.append(g)
    return [
        torch.zeros_like(t) if gp is None else (gp - gn) / (2 * eps)
        for t, gp, gn in zip(wrt, *grads)
    ]
