# Copyright (c) mmautoaug contributors. All rights reserved.
"""DADA on an mmdet detector: the policy searched on detection losses."""
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapperDict

from mmautoaug.augment import apply_detection_sub_policies
from mmautoaug.augment.box_ops import BOX_OP_PROB, check_box_prob
from mmautoaug.models.batch_augment.det_policy_batch_augment import (
    instances_to_tensors, tensors_to_sample)
from mmautoaug.registry import MODELS
from ..detector_utils import (all_reduce_grads, build_detector,
                              check_preprocessor, split_detector_config)
from .policy_params import DADAPolicy, PolicySample
from .step_utils import (StepSeedMixin, all_reduce_mean, learning_rates,
                         loss_at, relax_policy_gradients, step_policy)
from .unrolled import finite_difference_hvp, virtual_sgd_step


@MODELS.register_module()
class DADADetector(StepSeedMixin, BaseModel):
    """DADA's relaxed policy searched on an mmdet detector's own losses.

    The detection counterpart of :class:`DADASearchModel`, built on the
    same pieces (:class:`DADAPolicy` over the ``'detection'`` space with its
    box-level ops, :func:`relax_gradients`, :func:`virtual_sgd_step`,
    :func:`finite_difference_hvp`, :class:`DADASearchLoop` feeding half A
    and half B of the training set). One iteration:

    1. draw a sub-policy (one per batch, or per image with ``per_sample``)
       and its ops' applications from the relaxed policy (shared seed on
       every rank);
    2. augment the half-A batch on the device with the batched detection
       face (boxes, labels and bitmap masks follow; straight-through
       magnitude gradient);
    3. ``first_order=True`` (default): the detector takes its real SGD step
       on the augmented batch's training loss; ``f(b) = L_val(w') -
       L_val(w)`` on a half-B batch (unaugmented), both with the same random
       numbers (RPN/RoI sampling), so their difference is the effect of the
       step. The magnitudes then get no gradient (as in DARTS' and
       :class:`DADASearchModel`'s first-order mode: ``L_val`` does not
       depend on them except through ``w'``).
       ``first_order=False``: the unrolled step (a virtual SGD step, ``v =
       grad L_val(w')``, the finite-difference Hessian-vector product on the
       augmented image) gives the magnitudes their straight-through
       hypergradient; it costs four more detector passes and a copy of the
       weights, so use it where it fits;
    4. RELAX on ``f(b)`` for the sub-policy logits and the probabilities
       (control variate trained on the estimator's variance); the policy
       takes its Adam step and is projected onto [0, 1].

    Args:
        detector (dict | nn.Module): An mmdet detector config or module.
        data_preprocessor (dict, optional): Defaults to the detector's
            preprocessor as a deferring ``DetAugmentDataPreprocessor``.
        policy (dict, optional): :class:`DADAPolicy` arguments; the space
            defaults to ``'detection'``.
        first_order (bool): See above. Defaults to True.
        per_sample (bool): One sub-policy per image. Defaults to False (one
            per batch, the paper's).
        val_baseline (bool): Subtract ``L_val(w)`` in ``f(b)``. Defaults to
            True.
        hvp_r (float): ``eps = hvp_r / ||v||``. Defaults to 0.01.
        topk (int): Sub-policies kept by :meth:`export_policy`.
        min_box_size, keep_degenerate, recompute_bbox, box_prob: The
            detection face's rules (see ``DetPolicyAugment``);
            ``recompute_bbox`` where masks are loaded.
        seed (int, optional): Seed of the policy samples; None uses the
            runner's seed.
        init_cfg (dict, optional): Initialisation config.

    Distributed: use ``SearchDistributedDataParallel``; every rank draws
    the same policy sample, augments its own images, and all gradients and
    ``f(b)`` are averaged over ranks, so detector, policy and control
    variate stay identical.
    """

    def __init__(self,
                 detector: Union[dict, nn.Module],
                 data_preprocessor: Optional[dict] = None,
                 policy: Optional[dict] = None,
                 first_order: bool = True,
                 per_sample: bool = False,
                 val_baseline: bool = True,
                 hvp_r: float = 0.01,
                 topk: int = 25,
                 min_box_size: float = 1.0,
                 keep_degenerate: bool = False,
                 recompute_bbox: bool = False,
                 box_prob: float = BOX_OP_PROB,
                 seed: Optional[int] = None,
                 init_cfg: Optional[dict] = None):
        detector, data_preprocessor = split_detector_config(
            detector, data_preprocessor)
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        check_preprocessor(self, 'DADADetector')
        self.detector = build_detector(detector, 'DADADetector')
        self.policy = DADAPolicy(
            **dict(dict(space='detection'), **(policy or {})))
        if not 1 <= topk <= self.policy.num_sub_policies:
            raise ValueError(f'DADADetector: topk must be in [1, '
                             f'{self.policy.num_sub_policies}], got {topk}')
        if hvp_r <= 0:
            raise ValueError(f'DADADetector: hvp_r must be > 0, got {hvp_r}')
        self.first_order = bool(first_order)
        self.per_sample = bool(per_sample)
        self.val_baseline = bool(val_baseline)
        self.hvp_r = hvp_r
        self.topk = topk
        self.min_box_size = float(min_box_size)
        self.keep_degenerate = bool(keep_degenerate)
        self.recompute_bbox = bool(recompute_bbox)
        self.box_prob = check_box_prob(box_prob)
        self.seed = seed
        self._shared_seed: Optional[int] = None
        self.register_buffer('step_count', torch.zeros((), dtype=torch.long))

    # ------------------------------------------------------------ helpers
    def _loss(self, inputs, samples, params=None, seed=None) -> torch.Tensor:
        """The detector's total loss, at its weights or at ``params``, with
        the random numbers of ``seed`` (proposal sampling) when given.

        At other weights the buffers are copies, so virtual evaluations do
        not move running statistics."""
        devices = [inputs.device] if inputs.device.type == 'cuda' else []
        with torch.random.fork_rng(devices=devices, enabled=seed is not None):
            if seed is not None:
                torch.manual_seed(seed)
            return loss_at(self, self.detector, inputs, samples, params)

    def _augment(self, images: torch.Tensor, samples: List,
                 sample: PolicySample,
                 generator: torch.Generator) -> Tuple[torch.Tensor, List]:
        """The sampled sub-policy on the device; boxes and masks follow."""
        num = images.shape[0]
        index = sample.index.expand(num) if sample.index.numel() == 1 \
            else sample.index
        shapes, boxes, masks, counts = instances_to_tensors(
            samples, images.device)
        out = apply_detection_sub_policies(
            images,
            shapes,
            boxes,
            self.policy.space,
            self.policy.op_index[index],
            None,
            self.policy.magnitudes[index],
            applied=sample.applied.expand(num, -1),
            masks=masks,
            generator=generator,
            channel_order=self.data_preprocessor.channel_order,
            min_box_size=self.min_box_size,
            keep_degenerate=self.keep_degenerate,
            recompute_bbox=self.recompute_bbox,
            box_prob=self.box_prob)
        new = [
            tensors_to_sample(s, out.boxes[i],
                              None if out.masks is None else out.masks[i],
                              out.keep[i], counts[i])
            for i, s in enumerate(samples)
        ]
        return out.images, new

    def _net_params(self) -> 'OrderedDict[str, torch.Tensor]':
        return OrderedDict((k, p) for k, p in self.detector.named_parameters()
                           if p.requires_grad)

    # --------------------------------------------------------- train_step
    def train_step(self, data: dict,
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        """One DADA iteration on the detector (see the class docstring).

        Args:
            data (dict): ``dict(train=batch of half A, val=batch of half
                B)`` from :class:`DADASearchLoop`.
            optim_wrapper (OptimWrapperDict): ``'detector'`` (SGD) and
                ``'policy'`` (Adam) wrappers.
        """
        if not isinstance(data, dict) or set(data) != {'train', 'val'}:
            raise ValueError(
                'DADADetector.train_step expects dict(train=<batch of half '
                'A>, val=<batch of half B>) as given by DADASearchLoop')
        for key in ('detector', 'policy'):
            if key not in optim_wrapper:
                raise KeyError(
                    f'DADADetector: optim_wrapper must hold {key!r} (build '
                    "it with constructor='SubmoduleOptimWrapperConstructor')"
                    f'; got {list(getattr(optim_wrapper, "keys", list)())}')
        net_ow, pol_ow = optim_wrapper['detector'], optim_wrapper['policy']
        train = self.data_preprocessor(data['train'], True)
        val = self.data_preprocessor(data['val'], False)
        images, samples = train['inputs'], train['data_samples']
        shared, local = self._generators(images.device)
        policy = self.policy
        sample = policy.sample(images.shape[0] if self.per_sample else 1,
                               shared)
        aug, aug_samples = self._augment(images, samples, sample, local)
        augmented = self.data_preprocessor.normalize(aug, aug_samples)
        seed = self._step_seed()
        net_params = self._net_params()
        val_args = (val['inputs'], val['data_samples'])
        baseline = torch.zeros((), device=images.device)
        if self.val_baseline:
            with torch.no_grad():
                baseline = self._loss(*val_args, dict(net_params), seed + 1)
        policy_grads: Dict[int, torch.Tensor] = {}
        if self.first_order:
            train_loss = self._loss(augmented.detach(), aug_samples, None,
                                    seed)
            net_ow.backward(train_loss)
            all_reduce_grads(list(net_params.values()))
            net_ow.step()
            net_ow.zero_grad()
            with torch.no_grad():
                f = self._loss(*val_args, dict(net_params), seed + 1)
        else:
            train_loss, f = self._unrolled(augmented, aug_samples, val_args,
                                           net_params, net_ow, seed,
                                           policy_grads)
        f, baseline = all_reduce_mean([f.detach(), baseline])
        policy_grads.update(relax_policy_gradients(policy, f - baseline,
                                                   sample))
        step_policy(policy, pol_ow, policy_grads)
        self.step_count += 1
        log_vars = dict(loss=train_loss.detach(), val_loss=f)
        if self.val_baseline:
            log_vars['val_gain'] = baseline - f
        return log_vars

    def _unrolled(self, augmented, aug_samples, val_args, net_params, net_ow,
                  seed, policy_grads):
        """Steps 3-5 with the virtual step; returns (train loss, f) and puts
        the magnitudes' hypergradient into ``policy_grads``."""
        leaf = augmented.detach().requires_grad_()
        train_loss = self._loss(leaf, aug_samples, None, seed)
        grads = torch.autograd.grad(
            train_loss, list(net_params.values()), allow_unused=True)
        grads = all_reduce_mean([
            torch.zeros_like(p) if g is None else g
            for p, g in zip(net_params.values(), grads)
        ])
        virtual = virtual_sgd_step(net_params, grads, net_ow.optimizer)
        for t in virtual.values():
            t.requires_grad_()
        f = self._loss(*val_args, virtual, seed + 1)
        v = torch.autograd.grad(f, list(virtual.values()), allow_unused=True)
        v = all_reduce_mean([
            torch.zeros_like(t) if g is None else g
            for t, g in zip(virtual.values(), v)
        ])
        v = [
            lr * t
            for lr, t in zip(learning_rates(net_ow.optimizer, net_params), v)
        ]
        implicit = None
        # a draw that applies no op on this rank leaves the images without
        # a path to the magnitudes: their gradient here is 0 (the average
        # over ranks still runs, so every rank joins it)
        if augmented.requires_grad:
            frozen = OrderedDict(
                (k, p.detach()) for k, p in net_params.items())
            (d_image, ) = finite_difference_hvp(
                lambda p: self._loss(leaf, aug_samples, p, seed), frozen, v,
                [leaf], self.hvp_r)
            (implicit, ) = torch.autograd.grad(
                augmented, [self.policy.magnitudes],
                grad_outputs=-d_image,
                allow_unused=True)
        if implicit is None:
            implicit = torch.zeros_like(self.policy.magnitudes)
        (implicit, ) = all_reduce_mean([implicit])
        policy_grads[id(self.policy.magnitudes)] = (
            implicit * self.policy.magnitude_mask)
        for p, g in zip(net_params.values(), grads):
            p.grad = g.detach().clone()
        net_ow.step()
        net_ow.zero_grad()
        return train_loss, f

    # ------------------------------------------------------ eval / export
    def forward(self,
                inputs: torch.Tensor,
                data_samples=None,
                mode: str = 'tensor'):
        """The detector on normalised inputs (``mode`` as mmdet)."""
        return self.detector(inputs, data_samples, mode=mode)

    def export_policy(self, topk: Optional[int] = None):
        """The current policy (top-k sub-policies) as a ``Policy``."""
        return self.policy.export_policy(
            topk or self.topk,
            meta=dict(step=int(self.step_count), method='DADA-detector'))
