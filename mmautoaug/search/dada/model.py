# Copyright (c) mmautoaug contributors. All rights reserved.
"""DADA search as an MMEngine model with its own ``train_step``.

One call of :meth:`DADASearchModel.train_step` is one iteration of
Algorithm 1 of the paper (Li et al., "DADA: Differentiable Automatic Data
Augmentation", ECCV 2020):

1. draw a sub-policy ``b`` (Gumbel-max over the selection logits) and the
   application of its two ops (logistic Bernoullis), with their relaxed
   companions ``z``, ``z_tilde`` (temperature 0.5);
2. augment the training batch (half A) ON THE DEVICE with
   :func:`mmautoaug.augment.batch_ops.augment_batch`, whose output carries
   the straight-through gradient with respect to the magnitudes, then paint
   the paper Cutout (``cutout`` px, the op library's ``ClippedCutout``) as
   the authors' search does after the policy; the validation half is not
   augmented;
3. ``w' = w - xi * grad_w L_train`` (a virtual SGD step, with momentum and
   weight decay, ``xi`` = the network's learning rate);
4. ``f(b) = L_val(w') - L_val(w)`` on a batch of half B (``L_val(w)`` does
   not depend on ``b``; see ``val_baseline``), ``v = grad_{w'} L_val(w')``;
5. magnitudes: ``-xi * grad^2_{m,w} L_train . v`` by the finite-difference
   Hessian-vector product (``eps = hvp_r / ||v||``), or exactly by double
   backward (``hvp='double_backward'``);
   selection logits and probabilities: the RELAX estimate with ``f(b)``
   and the control variate ``c_phi``, which takes its own step on
   ``d/dphi mean(g ** 2)``;
6. the policy (Adam) and the network (SGD, its gradient clipped as the
   optimiser wrapper says: norm 5 in the configs) take their steps.

Where this follows the paper, the authors' code, or neither (each point
checked against ``search_relax/`` of the released code; the configs'
README has the full list):

- ``xi``: the paper's formula scales the implicit gradient by the network's
  learning rate; the authors' code drops it. We keep it
  (``scale_by_xi=True``), so the policy signal shrinks with the cosine
  schedule (to its floor, 0.001); ``scale_by_xi=False`` divides the policy
  gradients by ``xi``, the scale of the authors' code;
- RELAX is applied to ``f(b) = L_val(w'(b)) - L_val(w)`` with a working
  control variate. The paper and the authors' code apply it to the training
  loss at ``w + eps v`` and ``w - eps v`` and take the difference, in which
  the control-variate terms cancel (same sample, same ``c_phi``): theirs is
  REINFORCE of ``-grad_w L_train(b) . v`` without a baseline, and their
  ``c_phi`` is trained on the difference of two variance gradients;
- the categorical's score ``d log p(b)`` enters the estimate once; the
  authors' code adds the categorical log-probability to each of the 210
  Bernoulli log-probabilities before differentiating, which multiplies the
  selection logits' score term by 210;
- the validation batch is a fresh batch of half B at every step; the
  authors' code takes the first batch of an unshuffled loader at every
  step, i.e. one fixed batch for the whole search;
- the sub-policy order is fixed (``sub_policy_pairs('fastaa')``) and every
  random draw of a step comes from a generator seeded by (seed, step), so a
  seed fixes the whole search and ``--resume`` continues it exactly; the
  authors' list is shuffled by an unseeded ``random.sample``;
- augmentation runs on the device inside the step, so data loaders keep
  their workers (the authors' code applies the ops in the loader and needs
  ``num_workers=0`` to keep the sample and the gradient aligned);
- the network's real step reuses the gradient of step 3 (same batch, same
  weights, same sample: the authors' code recomputes the same value with a
  fifth pass);
- probabilities and magnitudes are projected onto [0, 1] after each step;
  the authors' code clamps only where the values are used;
- the straight-through magnitude gradient reaches every applied op, as in
  the authors' code; ops without a parameter (AutoContrast, Invert,
  Equalize) get none (theirs move a value nothing reads).

``first_order=True`` replaces steps 3-5 by the real network step: ``f(b)``
is the validation loss after it minus before it (for RELAX), and the
Hessian-vector product is skipped, so the magnitudes keep their values
(like DARTS' first-order mode, where the architecture gradient ignores the
dependence of ``w'``). ``estimator='gumbel_st'`` (the paper's biased
ablation) gives the logits and probabilities the Gumbel straight-through
gradient through the same Hessian-vector product as the magnitudes; it
needs the unrolled step.

Distributed: every rank draws the same policy sample (same generator seed),
augments its own images (per-rank noise for signs and Cutout), and the
gradients of the virtual step, ``v``, ``f(b)``, the policy gradients and
the network gradients are averaged over ranks, so the network, the policy
and the control variate stay identical on every rank.
"""
import copy
from collections import OrderedDict
from typing import Dict, Optional, Sequence, Union

import torch
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapperDict

from mmautoaug.augment import apply_batch_op, augment_batch
from mmautoaug.registry import MODELS
from .policy_params import DADAPolicy, PolicySample
from .step_utils import (StepSeedMixin, all_reduce_mean, learning_rates,
                         loss_at, relax_policy_gradients, step_policy)
from .unrolled import finite_difference_hvp, virtual_sgd_step

_ESTIMATORS = ('relax', 'gumbel_st')
_HVP_MODES = ('finite_difference', 'double_backward')


@MODELS.register_module()
class DADASearchModel(StepSeedMixin, BaseModel):
    """Differentiable augmentation-policy search (DADA).

    Args:
        classifier (dict): The network, e.g. an ``mmpretrain.ImageClassifier``
            config; it is called on normalised inputs (its own data
            preprocessor is not used).
        data_preprocessor (dict, optional): Must be an
            ``AugmentDataPreprocessor`` with ``defer_normalize=True``.
        policy (dict, optional): Arguments of :class:`DADAPolicy`.
        estimator (str): ``'relax'`` (the paper's) or ``'gumbel_st'``.
        first_order (bool): Skip the unrolled step (see the module doc).
        per_sample (bool): Draw a sub-policy per image instead of one per
            batch (the paper's setting). Defaults to False.
        val_baseline (bool): Subtract the validation loss at the current
            weights (same batch, no gradient) from ``f(b)`` in the RELAX
            estimate. It does not depend on the sample, so the estimate
            stays unbiased, and it removes the batch-to-batch variation of
            the validation loss. False: ``f(b) = L_val(w')`` (still
            unbiased, noisier; neither setting is the authors' estimator,
            see the module doc). Defaults to True.
        scale_by_xi (bool): True: the paper's hypergradient, scaled by the
            network's current learning rate ``xi`` (it shrinks with the
            schedule). False: divided by ``xi`` (the first parameter
            group's), the scale of the authors' code, which drops ``xi``.
            Defaults to True.
        cutout (int, optional): Side in pixels of the paper Cutout
            (``ClippedCutout``) painted on every training image after the
            policy, as the authors' search does (16 on CIFAR, 20 on SVHN).
            The straight-through gradient passes it as the identity.
            Defaults to None (no Cutout).
        cutout_fill (Sequence[int], optional): (R, G, B) of the Cutout
            square in [0, 255]. Defaults to the data preprocessor's mean,
            rounded: the authors zero the normalised image.
        hvp (str): How ``grad^2_{x,w} L_train . v`` is computed:
            ``'finite_difference'`` (the paper's and DARTS': two more
            passes at ``w +- eps v``) or ``'double_backward'`` (exact, by
            differentiating the training gradient once more; it keeps the
            graph of the training backward pass in memory). With ReLU
            networks the finite difference is far from the exact product
            (the README gives the numbers). Defaults to
            ``'finite_difference'``.
        hvp_r (float): ``eps = hvp_r / ||v||``. Defaults to 0.01.
        topk (int): Sub-policies kept by :meth:`export_policy`.
        seed (int, optional): Seed of the policy samples; None uses the
            runner's seed (``torch.initial_seed()``).
        init_cfg (dict, optional): Initialisation config.

    Examples:
        >>> model = MODELS.build(dict(
        ...     type='mmautoaug.DADASearchModel',
        ...     classifier=dict(type='mmpretrain.ImageClassifier', ...),
        ...     data_preprocessor=dict(
        ...         type='mmautoaug.AugmentDataPreprocessor',
        ...         mean=[125.3, 123.0, 113.9], std=[63.0, 62.1, 66.7],
        ...         defer_normalize=True)))
        >>> log_vars = model.train_step(
        ...     dict(train=batch_a, val=batch_b), optim_wrapper)
    """

    def __init__(self,
                 classifier: dict,
                 data_preprocessor: Optional[dict] = None,
                 policy: Optional[dict] = None,
                 estimator: str = 'relax',
                 first_order: bool = False,
                 per_sample: bool = False,
                 val_baseline: bool = True,
                 scale_by_xi: bool = True,
                 cutout: Optional[int] = None,
                 cutout_fill: Optional[Sequence[int]] = None,
                 hvp: str = 'finite_difference',
                 hvp_r: float = 0.01,
                 topk: int = 25,
                 seed: Optional[int] = None,
                 init_cfg: Optional[dict] = None):
        if data_preprocessor is None:
            data_preprocessor = dict(
                type='mmautoaug.AugmentDataPreprocessor', defer_normalize=True)
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if not getattr(self.data_preprocessor, 'defer_normalize', False):
            raise ValueError(
                'DADASearchModel: data_preprocessor must be an '
                'AugmentDataPreprocessor with defer_normalize=True (the '
                'policy augments the float batch before normalisation)')
        if estimator not in _ESTIMATORS:
            raise ValueError(f'DADASearchModel: estimator must be one of '
                             f'{_ESTIMATORS}, got {estimator!r}')
        if estimator == 'gumbel_st' and first_order:
            raise ValueError(
                "DADASearchModel: estimator='gumbel_st' needs the unrolled "
                'step (first_order=False): its gradient reaches the policy '
                'only through the virtual network step')
        classifier = copy.deepcopy(classifier)
        # Never called (this model preprocesses), but mmpretrain's
        # classifiers build one and would look its bare name up in our scope.
        classifier.setdefault('data_preprocessor',
                              dict(type='mmpretrain.ClsDataPreprocessor'))
        self.classifier = MODELS.build(classifier)
        self.policy = DADAPolicy(**(policy or {}))
        if not 1 <= topk <= self.policy.num_sub_policies:
            raise ValueError(f'DADASearchModel: topk must be in [1, '
                             f'{self.policy.num_sub_policies}], got {topk}')
        self.estimator = estimator
        self.first_order = first_order
        self.per_sample = per_sample
        self.val_baseline = val_baseline
        self.scale_by_xi = scale_by_xi
        if cutout is not None and (isinstance(cutout, bool) or
                                   not isinstance(cutout, int) or cutout <= 0):
            raise ValueError('DADASearchModel: cutout must be None or a '
                             f'positive int (pixels), got {cutout!r}')
        self.cutout = cutout
        if cutout_fill is None:
            mean = getattr(self.data_preprocessor, 'mean', None)
            cutout_fill = (125, 123, 114) if mean is None else tuple(
                int(round(float(m))) for m in mean.flatten())
        self.cutout_fill = cutout_fill
        if hvp not in _HVP_MODES:
            raise ValueError(f'DADASearchModel: hvp must be one of '
                             f'{_HVP_MODES}, got {hvp!r}')
        self.hvp = hvp
        if hvp_r <= 0:
            raise ValueError(
                f'DADASearchModel: hvp_r must be > 0, got {hvp_r}')
        self.hvp_r = hvp_r
        self.topk = topk
        self.seed = seed
        self._shared_seed: Optional[int] = None
        # The step counter seeds each step's noise, so it must be resumed.
        self.register_buffer('step_count', torch.zeros((), dtype=torch.long))

    # ------------------------------------------------------------ helpers
    def _classifier_loss(
            self,
            inputs: torch.Tensor,
            data_samples,
            params: Optional[Dict[str, torch.Tensor]] = None) -> torch.Tensor:
        """The classifier's loss, at its own weights or at ``params``.

        At other weights the buffers (BN statistics) are copies, so virtual
        evaluations do not move the running statistics.
        """
        return loss_at(self, self.classifier, inputs, data_samples, params)

    def _augment(self, images: torch.Tensor, sample: PolicySample,
                 generator: torch.Generator) -> torch.Tensor:
        """Apply the sampled sub-policy on the device (float [0, 255])."""
        num = images.shape[0]
        index = sample.index.expand(num) if sample.index.numel() == 1 \
            else sample.index
        ops = self.policy.op_index[index]
        mags = self.policy.magnitudes[index]
        applied = sample.applied.expand(num, -1)
        applied_st = sample.applied_st.expand(num, -1)
        gumbel = self.estimator == 'gumbel_st'
        out = images
        for k in range(ops.shape[1]):
            mask = torch.ones_like(applied[:, k]) if gumbel else applied[:, k]
            new = augment_batch(
                out,
                self.policy.space,
                ops[:, k],
                mags[:, k],
                mask,
                generator=generator)
            # augment_batch detaches an applied op's output from its input;
            # straight-through on the image too (the op counts as the
            # identity backwards), so the first op's magnitude still gets
            # its gradient when the second op is applied.
            through = mask.view(-1, 1, 1, 1).to(out.dtype)
            new = new + through * (out - out.detach())
            if gumbel:
                new = out + applied_st[:, k].view(-1, 1, 1, 1) * (new - out)
            out = new
        if gumbel:
            out = out * sample.select_st.expand(num).view(-1, 1, 1, 1)
        return out

    def _paint_cutout(self, images: torch.Tensor,
                      generator: torch.Generator) -> torch.Tensor:
        """The paper Cutout after the policy (identity backwards)."""
        if self.cutout is None:
            return images
        num = images.shape[0]
        painted = apply_batch_op(
            images.detach(),
            torch.zeros(num, dtype=torch.long, device=images.device),
            torch.full((num, ), float(self.cutout), device=images.device),
            ops=('ClippedCutout', ),
            cutout_fill=self.cutout_fill,
            generator=generator)
        # as the authors' straight-through, which adds the magnitudes to
        # the finished (cut-out) image: every pixel carries the gradient
        return painted + (images - images.detach())

    def _network_step(self, optim_wrapper, params, grads) -> None:
        for p, g in zip(params.values(), grads):
            p.grad = g.detach().clone()
        optim_wrapper.step()
        optim_wrapper.zero_grad()

    # --------------------------------------------------------- train_step
    def train_step(self, data: dict,
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        """One DADA iteration (see the module docstring).

        Args:
            data (dict): ``dict(train=batch of half A, val=batch of half
                B)``, as :class:`DADASearchLoop` gives it.
            optim_wrapper (OptimWrapperDict): with ``'classifier'`` (SGD)
                and ``'policy'`` (Adam) wrappers.

        Returns:
            dict[str, Tensor]: ``loss`` (training loss on the augmented
            batch) and ``val_loss`` (``f(b)``) for the logs.
        """
        if not isinstance(data, dict) or set(data) != {'train', 'val'}:
            raise ValueError(
                'DADASearchModel.train_step expects dict(train=<batch of '
                'half A>, val=<batch of half B>) as given by DADASearchLoop; '
                f'got {type(data).__name__} with keys '
                f'{sorted(data) if isinstance(data, dict) else None}')
        for key in ('classifier', 'policy'):
            if key not in optim_wrapper:
                raise KeyError(
                    f'DADASearchModel: optim_wrapper must hold {key!r} '
                    "(build it with constructor='SubmoduleOptimWrapper"
                    "Constructor'); got "
                    f'{list(getattr(optim_wrapper, "keys", lambda: [])())}')
        net_ow, pol_ow = optim_wrapper['classifier'], optim_wrapper['policy']
        train = self.data_preprocessor(data['train'], True)
        val = self.data_preprocessor(data['val'], False)
        # The ops read levels in [0, 255]; a float colour step of the
        # pipeline (the ImageNet search's Lighting, which the authors apply
        # after the policy) can leave a few levels outside.
        images = train['inputs'].clamp(0, 255)
        samples = train['data_samples']
        shared, local = self._generators(images.device)
        policy = self.policy
        sample = policy.sample(images.shape[0] if self.per_sample else 1,
                               shared)
        augmented = self.data_preprocessor.normalize(
            self._paint_cutout(self._augment(images, sample, local), local))
        leaf = augmented.detach().requires_grad_()

        net_params = OrderedDict(
            (k, p) for k, p in self.classifier.named_parameters()
            if p.requires_grad)
        train_loss = self._classifier_loss(leaf, samples)
        exact_hvp = self.hvp == 'double_backward' and not self.first_order
        # double_backward keeps this pass's graph for the product with v
        local_grads = torch.autograd.grad(
            train_loss, list(net_params.values()), create_graph=exact_hvp)
        grads = all_reduce_mean([g.detach() for g in local_grads])

        hvp_params = [policy.magnitudes]
        if self.estimator == 'gumbel_st':
            hvp_params += policy.distribution_parameters()
        policy_grads: Dict[int, torch.Tensor] = {}
        baseline = torch.zeros((), device=images.device)
        if self.val_baseline and self.estimator == 'relax':
            with torch.no_grad():
                baseline = self._classifier_loss(val['inputs'],
                                                 val['data_samples'],
                                                 dict(net_params))
        if self.first_order:
            self._network_step(net_ow, net_params, grads)
            with torch.no_grad():
                f = self._classifier_loss(val['inputs'], val['data_samples'],
                                          dict(net_params))
        else:
            virtual = virtual_sgd_step(net_params, grads, net_ow.optimizer)
            for t in virtual.values():
                t.requires_grad_()
            f = self._classifier_loss(val['inputs'], val['data_samples'],
                                      virtual)
            v = torch.autograd.grad(f, list(virtual.values()))
            v = all_reduce_mean(list(v))
            # Scale v by each weight's learning rate so the result is
            # xi * H v even when param groups have different rates (the
            # paper's formula); scale_by_xi=False divides that by xi.
            lrs = learning_rates(net_ow.optimizer, net_params)
            unit = 1.0 if self.scale_by_xi else self._xi(net_ow.optimizer)
            v = [lr / unit * t for lr, t in zip(lrs, v)]
            if exact_hvp:
                # grad_x (grad_w L_train . v): each rank's own images, as
                # the finite difference below
                (d_image, ) = torch.autograd.grad(
                    sum((g * t).sum() for g, t in zip(local_grads, v)), [leaf])
            else:
                frozen = OrderedDict(
                    (k, p.detach()) for k, p in net_params.items())
                (d_image, ) = finite_difference_hvp(
                    lambda p: self._classifier_loss(leaf, samples, p), frozen,
                    v, [leaf], self.hvp_r)
            del local_grads
            implicit = torch.autograd.grad(
                augmented,
                hvp_params,
                grad_outputs=-d_image,
                allow_unused=True)
            implicit = all_reduce_mean([
                torch.zeros_like(p) if g is None else g
                for p, g in zip(hvp_params, implicit)
            ])
            implicit[0] = implicit[0] * policy.magnitude_mask
            policy_grads.update({
                id(p): g
                for p, g in zip(hvp_params, implicit)
            })
            self._network_step(net_ow, net_params, grads)

        f, baseline = all_reduce_mean([f.detach(), baseline])
        if self.estimator == 'relax':
            signal = f - baseline
            if not self.scale_by_xi:
                signal = signal / self._xi(net_ow.optimizer)
            policy_grads.update(
                relax_policy_gradients(policy, signal, sample))
        step_policy(policy, pol_ow, policy_grads)
        self.step_count += 1
        log_vars = dict(loss=train_loss.detach(), val_loss=f)
        if self.val_baseline and self.estimator == 'relax':
            log_vars['val_gain'] = baseline - f
        return log_vars

    @staticmethod
    def _xi(optimizer) -> float:
        """The network's learning rate (first parameter group)."""
        xi = float(optimizer.param_groups[0]['lr'])
        if xi <= 0:
            raise ValueError(
                'DADASearchModel: scale_by_xi=False divides the policy '
                f'gradients by the network learning rate, which is {xi}; '
                'give the schedule a floor above 0 (eta_min)')
        return xi

    # ------------------------------------------------------ eval / export
    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[list] = None,
                mode: str = 'tensor'):
        """The classifier on normalised inputs (``mode`` as mmpretrain)."""
        return self.classifier(inputs, data_samples, mode=mode)

    def val_step(self, data: Union[dict, tuple, list]) -> list:
        data = self.data_preprocessor(data, False)
        return self.classifier(**data, mode='predict')

    def test_step(self, data: Union[dict, tuple, list]) -> list:
        return self.val_step(data)

    def export_policy(self, topk: Optional[int] = None):
        """The current policy (top-k sub-policies) as a ``Policy``."""
        return self.policy.export_policy(
            topk or self.topk, meta=dict(step=int(self.step_count)))
