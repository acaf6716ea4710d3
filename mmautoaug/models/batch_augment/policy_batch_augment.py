# Copyright (c) mmautoaug contributors. All rights reserved.
"""Apply augmentation policies to a whole batch on the device."""
from typing import Optional, Sequence, Union

import numpy as np
import torch
import torch.nn as nn

from mmautoaug.augment import SearchSpace, get_space
from mmautoaug.registry import MODELS


@MODELS.register_module()
class PolicyBatchAugment(nn.Module):
    """Augment a batch on the device with one or several policies.

    With ``M`` policies set, the batch is augmented ``M`` times, once under
    each policy: the output is ``(M * N, C, H, W)``, copy-major (rows
    ``m * N ... (m + 1) * N - 1`` are the batch under policy ``m``), so a
    per-sample loss ``.view(M, N)`` groups by policy. For every image one of
    its policy's sub-policies is drawn (by the sub-policy weights, uniformly
    when there are none), then every op of it is applied with its
    probability by the batched op library (no Python loop over images).
    An optional Cutout follows the policy, as in AutoAugment's and
    Adversarial AutoAugment's training recipes.

    Usable (a) inside a search model, which sets new policies every epoch
    with :meth:`set_arrays`, and (b) with a fixed policy as the
    ``augmentor`` of :class:`~mmautoaug.models.AugmentDataPreprocessor`
    (then ``M`` must be 1 since the labels are not repeated there).

    Inputs are float (or uint8) pixel values in ``[0, 255]``, NOT normalised;
    the output is float in ``[0, 255]``.

    Args:
        policy (str | dict | Policy | list, optional): A fixed policy, or a
            list of them (one copy of the batch each); anything
            :func:`~mmautoaug.policy.load_policy` reads. ``None`` leaves the
            augmentor empty until :meth:`set_arrays` / :meth:`set_policies`.
        space (str): The space of policies given as arrays. Defaults to
            ``'autoaugment'``.
        cutout (int, optional): Side in pixels of the Cutout square painted
            on every image (each of the ``M`` copies) after the policy, as
            AutoAugment's and Adversarial AutoAugment's CIFAR recipes do (16
            px on 32x32). It is the op library's ``ClippedCutout``, the paper
            Cutout (DeVries & Taylor, 2017): an integer centre uniform over
            the image, the square clipped (never shifted) at every border,
            196 px on average at 16 px on 32x32. ``None`` disables it. The
            fraction-of-the-width form of earlier versions (``0.5``) is
            refused with an error naming the pixel form.
        seed (int, optional): Seed of a private random generator (created on
            the inputs' device); ``None`` uses torch's global one.

    Examples:
        >>> aug = PolicyBatchAugment(cutout=16)
        >>> op_index = torch.tensor([[[0, 4]], [[8, 9]]])  # M=2, S=1, K=2
        >>> aug.set_arrays(op_index, torch.ones(2, 1, 2),
        ...                torch.full((2, 1, 2), 0.5))
        >>> aug(torch.rand(4, 3, 32, 32) * 255).shape
        torch.Size([8, 3, 32, 32])
    """

    def __init__(self,
                 policy=None,
                 space: Union[str, SearchSpace] = 'autoaugment',
                 cutout: Optional[int] = None,
                 seed: Optional[int] = None):
        super().__init__()
        self.space = get_space(space)
        self.cutout = _check_cutout(cutout)
        self.seed = seed
        self._next_seed = seed
        self._generator: Optional[torch.Generator] = None
        # (M, S, K) op indices, probabilities, magnitudes; (M, S) weights.
        self.register_buffer('op_index', None, persistent=False)
        self.register_buffer('prob', None, persistent=False)
        self.register_buffer('magnitude', None, persistent=False)
        self.register_buffer('weights', None, persistent=False)
        if policy is not None:
            self.set_policies(policy if isinstance(policy, (list, tuple))
                              else [policy])

    @property
    def num_copies(self) -> int:
        """``M``: the augmented copies of a batch :meth:`forward` makes."""
        return 0 if self.op_index is None else self.op_index.shape[0]

    def set_policies(self, policies: Sequence) -> None:
        """Use ``policies`` (Policy objects, files, zoo names or dicts).

        All must be in one space; shorter policies are padded with
        sub-policies of weight 0 and ops of probability 0.
        """
        from mmautoaug.policy import load_policy
        policies = [load_policy(p) for p in policies]
        if not policies:
            raise ValueError('PolicyBatchAugment: policies is empty')
        spaces = {get_space(p.space).name for p in policies}
        if len(spaces) != 1:
            raise ValueError(f'PolicyBatchAugment: policies must share one '
                             f'space, got {sorted(spaces)}')
        arrays = [p.to_arrays() for p in policies]
        num_s = max(a[0].shape[0] for a in arrays)
        num_k = max(a[0].shape[1] for a in arrays)
        shape = (len(arrays), num_s, num_k)
        op_index = np.zeros(shape, np.int64)
        prob, magnitude = np.zeros(shape), np.zeros(shape)
        weights = np.zeros(shape[:2])
        for m, (o, p, g, w) in enumerate(arrays):
            s, k = o.shape
            op_index[m, :s, :k], prob[m, :s, :k] = o, p
            magnitude[m, :s, :k] = g
            weights[m, :s] = w
        self.space = get_space(spaces.pop())
        self.set_arrays(op_index, prob, magnitude, weights)

    def set_arrays(self, op_index, prob, magnitude, weights=None) -> None:
        """Use ``M`` policies given as arrays (numpy or torch).

        Args:
            op_index: ``(M, S, K)`` int, indices into ``self.space.ops``.
            prob: ``(M, S, K)`` application probabilities in [0, 1].
            magnitude: ``(M, S, K)`` normalised magnitudes in [0, 1].
            weights: ``(M, S)`` sub-policy weights (non-negative, each row
                with a positive sum); ``None`` picks sub-policies uniformly.
        """
        op_index = torch.as_tensor(op_index, dtype=torch.long)
        # float64: a bin such as 0.9 must map to the same parameter as in
        # the per-image face (float32 0.9 gives Brightness 1.7199999 -> a
        # pixel level lower after PIL's truncation)
        prob = torch.as_tensor(prob, dtype=torch.float64)
        magnitude = torch.as_tensor(magnitude, dtype=torch.float64)
        if op_index.dim() != 3:
            raise ValueError(f'PolicyBatchAugment: op_index must be '
                             f'(M, S, K), got {tuple(op_index.shape)}')
        for name, a in (('prob', prob), ('magnitude', magnitude)):
            if a.shape != op_index.shape:
                raise ValueError(
                    f'PolicyBatchAugment: {name} has shape {tuple(a.shape)}'
                    f', op_index {tuple(op_index.shape)}; they must match')
            if a.numel() and (a.min() < 0 or a.max() > 1):
                raise ValueError(f'PolicyBatchAugment: {name} must lie in '
                                 f'[0, 1], got [{a.min()}, {a.max()}]')
        if op_index.numel() and (op_index.min() < 0
                                 or op_index.max() >= len(self.space)):
            raise ValueError(
                f'PolicyBatchAugment: op_index must lie in [0, '
                f'{len(self.space)}) for the {self.space.name!r} space, got '
                f'[{op_index.min()}, {op_index.max()}]')
        if weights is None:
            weights = torch.ones(op_index.shape[:2])
        weights = torch.as_tensor(weights, dtype=torch.float32)
        if weights.shape != op_index.shape[:2] or (weights < 0).any() or (
                weights.sum(1) <= 0).any():
            raise ValueError(
                f'PolicyBatchAugment: weights must be (M, S) = '
                f'{tuple(op_index.shape[:2])}, non-negative, with a positive '
                f'sum per policy; got {weights.tolist()}')
        device = self._device()
        self.op_index = op_index.to(device)
        self.prob = prob.to(device)
        self.magnitude = magnitude.to(device)
        self.weights = (weights / weights.sum(1, keepdim=True)).to(device)

    def _device(self) -> torch.device:
        return (self.op_index.device
                if self.op_index is not None else torch.device('cpu'))

    def reseed(self, seed: int) -> None:
        """Restart the private random generator from ``seed`` (a search
        reseeds it every epoch so that a resumed run draws the same
        augmentations as an uninterrupted one). Needs ``seed`` set."""
        if self.seed is None:
            raise RuntimeError('PolicyBatchAugment: reseed() needs a private '
                               'generator; build it with seed=<int>')
        self._generator = None
        self._next_seed = int(seed)

    def _rng(self, device: torch.device) -> Optional[torch.Generator]:
        if self.seed is None:
            return None
        if self._generator is None or self._generator.device != device:
            self._generator = torch.Generator(device=device)
            self._generator.manual_seed(self._next_seed)
        return self._generator

    def choose_sub_policies(self, batch_size: int,
                            generator: Optional[torch.Generator] = None
                            ) -> torch.Tensor:
        """Draw a sub-policy per image and copy: ``(M * N,)`` indices."""
        probs = self.weights.repeat_interleave(batch_size, 0)
        return torch.multinomial(probs, 1, True, generator=generator)[:, 0]

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """Return the ``M`` augmented copies of ``inputs``, copy-major.

        Args:
            inputs (Tensor): ``(N, C, H, W)`` pixel values in [0, 255].

        Returns:
            Tensor: ``(M * N, C, H, W)`` float in [0, 255].
        """
        from mmautoaug.augment.batch_ops import (apply_batch_op,
                                                 apply_sub_policies)
        if self.op_index is None:
            raise RuntimeError(
                'PolicyBatchAugment: no policy set; pass policy=... or call '
                'set_policies()/set_arrays() first')
        if inputs.dim() != 4:
            raise ValueError(f'PolicyBatchAugment: inputs must be '
                             f'(N, C, H, W), got {tuple(inputs.shape)}')
        device = inputs.device
        if self.op_index.device != device:
            self.set_arrays(self.op_index.to(device), self.prob.to(device),
                            self.magnitude.to(device), self.weights.to(device))
        rng = self._rng(device)
        num_m, batch = self.num_copies, inputs.shape[0]
        images = inputs.float()
        if num_m > 1:
            images = images.repeat(num_m, 1, 1, 1)
        sub = self.choose_sub_policies(batch, rng)
        copy = torch.arange(num_m, device=device).repeat_interleave(batch)
        images = apply_sub_policies(
            images,
            self.space,
            self.op_index[copy, sub],
            self.prob[copy, sub],
            self.magnitude[copy, sub],
            generator=rng)
        if self.cutout is not None:
            total = images.shape[0]
            images = apply_batch_op(
                images,
                torch.zeros(total, dtype=torch.long, device=device),
                torch.full((total, ), float(self.cutout), device=device),
                ops=('ClippedCutout', ),
                cutout_fill=self.space.cutout_fill,
                generator=rng)
        return images.float()

    def extra_repr(self) -> str:
        return (f'space={self.space.name!r}, num_copies={self.num_copies}, '
                f'cutout={self.cutout}, seed={self.seed}')


def _check_cutout(cutout) -> Optional[int]:
    """``cutout`` as a side in pixels, or None; the old fraction form and
    anything else that is not a positive int is refused by name."""
    if cutout is None:
        return None
    if isinstance(cutout, (int, np.integer)) and not isinstance(
            cutout, bool) and cutout > 0:
        return int(cutout)
    hint = ''
    if isinstance(cutout, float) and 0.0 < cutout <= 1.0:
        hint = (f' (a fraction of the width, as earlier versions took: give '
                f'pixels instead, e.g. cutout={round(cutout * 32)} for '
                f'{cutout} of a 32-px image)')
    raise ValueError(f'PolicyBatchAugment: cutout must be None or the side '
                     f'of the ClippedCutout square in pixels, a positive '
                     f'int (16 on CIFAR); got {cutout!r}{hint}')
