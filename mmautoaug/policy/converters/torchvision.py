# Copyright (c) mmautoaug contributors. All rights reserved.
"""Policies -> torchvision ``transforms.v2`` callables.

The result is ``v2.RandomChoice`` over one ``v2.Compose`` per sub-policy
(weighted like the policy), each op a :class:`PolicyOpTransform` that
applies torchvision's own functional op with the policy's parameter, the
way torchvision's ``AutoAugment`` does (``F.affine`` about the top-left
corner for shears, as PIL; the op's own sampling and fill in the space:
nearest and the space's fill unless the space gives the op its own, as the
``aws`` space's black Rotate). torchvision samples uint8 tensors nearest or
bilinearly only: a bicubic op (the ``aws`` space's shears) is sampled
bilinearly, with a warning. Inputs are
``(..., C, H, W)`` uint8 tensors / ``tv_tensors.Image`` in RGB order.
SamplePairing has no torchvision op and is dropped with a warning. Ops
whose magnitude is drawn (``magnitude_dist``) or whose range is in pixels
(the baseline spaces) compute their parameter at each call from the space's
range and the image size, so baselines convert exactly too.
"""
import math
from typing import Any, Optional, Sequence

import torch
from torchvision.transforms import InterpolationMode
from torchvision.transforms import v2
from torchvision.transforms.v2 import functional as F

from mmautoaug.augment.levels import cutout_bounds
from mmautoaug.augment.spaces import BOX_OPS, OpRange
from ..magnitude import MagnitudeDist, draw_magnitudes
from ..policy import Policy
from ._common import Notes, op_value

#: The filters torchvision's tensor warps take.
_MODES = {'nearest': InterpolationMode.NEAREST,
          'bilinear': InterpolationMode.BILINEAR}


class PolicyOpTransform(v2.Transform):
    """One policy op: applied with probability ``prob``; signed ops have
    their parameter negated with probability 0.5 each call.

    Args:
        op (str): The op (parameter units of :mod:`mmautoaug.augment.spaces`).
        prob (float): Probability of applying it.
        value (float, optional): The parameter; for signed ops its distance
            from ``center``.
        signed (bool): Draw a random sign.
        center (float): What the sign flips about (0, or 1 for factors).
        fill (Sequence[int]): Colour of pixels brought in by geometric ops.
        cutout_fill (Sequence[int]): Colour of the Cutout square.
        interpolation (str): Sampling of geometric ops, ``'nearest'`` or
            ``'bilinear'`` (what torchvision warps tensors with). Defaults
            to ``'nearest'``.
        op_range (OpRange, optional): Compute the parameter at each call
            from this range of the policy's space instead of ``value``
            (``signed`` and ``center`` are then the range's): needed when the
            magnitude is drawn or the range is in pixels.
        magnitude (float): With ``op_range``: the op's normalised magnitude.
        magnitude_dist (MagnitudeDist, optional): With ``op_range``: draw the
            magnitude at each call (torch's generator).
    """

    def __init__(self,
                 op: str,
                 prob: float,
                 value: Optional[float] = None,
                 signed: bool = False,
                 center: float = 0.0,
                 fill: Sequence[int] = (0, 0, 0),
                 cutout_fill: Sequence[int] = (125, 123, 114),
                 op_range: Optional[OpRange] = None,
                 magnitude: float = 0.0,
                 magnitude_dist: Optional[MagnitudeDist] = None,
                 interpolation: str = 'nearest'):
        super().__init__()
        if interpolation not in _MODES:
            raise ValueError(f'interpolation: {interpolation!r}; allowed: '
                             f'{list(_MODES)} (torchvision warps tensors '
                             'with these only)')
        self.interpolation = interpolation
        self.op, self.prob, self.value = op, float(prob), value
        self.signed, self.center = signed, float(center)
        self.fill = [float(c) for c in fill]
        self.cutout_fill = [float(c) for c in cutout_fill]
        self.op_range = op_range
        self.magnitude = float(magnitude)
        self.magnitude_dist = magnitude_dist
        if op_range is not None:
            self.signed = op_range.signed

    def extra_repr(self) -> str:
        if self.op_range is not None:
            dist = self.magnitude_dist
            return (f'{self.op}, prob={self.prob}, magnitude='
                    f'{dist.to_dict() if dist else self.magnitude}')
        sign = '+/-' if self.signed else ''
        return f'{self.op}, prob={self.prob}, value={sign}{self.value}'

    def forward(self, img: Any) -> Any:
        if float(torch.rand(())) >= self.prob:
            return img
        if self.op_range is not None:
            return self._apply(img, self._param_from_range(img))
        param = self.value
        if self.signed:
            sign = -1.0 if float(torch.rand(())) < 0.5 else 1.0
            param = self.center + sign * self.value
        return self._apply(img, param)

    def _param_from_range(self, img) -> Optional[float]:
        """The parameter of this call: the magnitude (drawn when there is a
        distribution), a random sign, the image size for pixel ranges."""
        m = self.magnitude
        dist = self.magnitude_dist
        if dist is not None:
            m = float(draw_magnitudes(dist.code, m, dist.low, dist.high,
                                      dist.bins or 0, dist.std or 0.0,
                                      float(torch.rand(())),
                                      float(torch.randn(()))))
        sign = 1.0
        if self.signed and float(torch.rand(())) < 0.5:
            sign = -1.0
        height, width = img.shape[-2:]
        param = self.op_range.param(
            m, sign, size=self.op_range.axis_length(height, width))
        return None if param is None else float(param)

    def _apply(self, img, v):
        op = self.op
        height, width = img.shape[-2:]
        if op in ('ShearX', 'ShearY'):
            # PIL's (1, s, 0, 0, 1, 0) about the top-left corner, as
            # torchvision's own AutoAugment states it.
            deg = math.degrees(math.atan(v))
            shear = [deg, 0.0] if op == 'ShearX' else [0.0, deg]
            return F.affine(img, angle=0.0, translate=[0, 0], scale=1.0,
                            shear=shear,
                            interpolation=_MODES[self.interpolation],
                            fill=self.fill, center=[0, 0])
        if op in ('TranslateX', 'TranslateY'):
            # Ours moves content left/up for v > 0: output(x) = input(x+vW).
            shift = [-v * width, 0.0] if op == 'TranslateX' else \
                [0.0, -v * height]
            return F.affine(img, angle=0.0, translate=shift, scale=1.0,
                            shear=[0.0, 0.0],
                            interpolation=_MODES[self.interpolation],
                            fill=self.fill)
        if op == 'Rotate':
            return F.rotate(img, v, interpolation=_MODES[self.interpolation],
                            fill=self.fill)
        if op == 'Solarize':
            # No uint8 pixel reaches a threshold above 255: identity.
            return img if v > 255 else F.solarize(img, v)
        if op == 'Posterize':
            return F.posterize(img, int(v))
        simple = {
            'AutoContrast': F.autocontrast,
            'Invert': F.invert,
            'Equalize': F.equalize,
        }
        if op in simple:
            return simple[op](img)
        factors = {
            'Contrast': F.adjust_contrast,
            'Color': F.adjust_saturation,
            'Brightness': F.adjust_brightness,
            'Sharpness': F.adjust_sharpness,
        }
        if op in factors:
            return factors[op](img, v)
        if op == 'Cutout':
            return self._cutout(img, v * width, height, width)
        raise ValueError(f'op: {op!r} has no torchvision mapping')

    def _cutout(self, img, side: float, height: int, width: int):
        if side <= 0:
            return img
        # The square of Fast AutoAugment's CutoutAbs, as the op library
        # defines it (one definition for every face).
        cx = float(torch.rand(())) * width
        cy = float(torch.rand(())) * height
        x0, y0, x1, y1 = cutout_bounds(cx, cy, side, height, width)
        value = torch.tensor(self.cutout_fill[:img.shape[-3]],
                             dtype=img.dtype).view(-1, 1, 1)
        return F.erase(img, y0, x0, y1 - y0, x1 - x0,
                       value.expand(-1, y1 - y0, x1 - x0))


def to_torchvision(policy: Policy, strict: bool = False) -> v2.Transform:
    """A torchvision v2 transform applying ``policy`` to RGB uint8 tensors.

    Args:
        policy (Policy): The policy.
        strict (bool): Raise instead of warning when an op is dropped.

    Returns:
        v2.RandomChoice: One ``v2.Compose`` of :class:`PolicyOpTransform`
        per sub-policy, picked with the policy's weights.

    Examples:
        >>> policy = Policy('fastaa', [[('Invert', 1.0, 0.0)]])
        >>> out = to_torchvision(policy)(torch.zeros(3, 2, 2,
        ...                                          dtype=torch.uint8))
        >>> out.flatten().tolist() == [255] * 12
        True
    """
    space = policy.space
    notes = Notes('to_torchvision', strict)
    branches = []
    for i, sub in enumerate(policy.sub_policies):
        ops = []
        for j, op in enumerate(sub):
            if op.op == 'Identity':
                continue
            if op.op == 'SamplePairing':
                notes.add(f'sub_policies[{i}][{j}]', 'SamplePairing has no '
                          'torchvision op; dropped')
                continue
            if op.op in BOX_OPS:
                notes.add(f'sub_policies[{i}][{j}]', f'{op.op} is a '
                          'box-level op and torchvision transforms of an '
                          'image have no boxes; dropped')
                continue
            r = space.range(op.op)
            warp = dict(fill=space.fill_for(op.op),
                        interpolation=_interpolation(
                            space, op.op, f'sub_policies[{i}][{j}]', notes))
            if op.magnitude_dist is not None or r.needs_size:
                ops.append(
                    PolicyOpTransform(
                        op.op, op.prob, cutout_fill=space.cutout_fill,
                        op_range=r, magnitude=op.magnitude,
                        magnitude_dist=op.magnitude_dist, **warp))
                continue
            value, signed = op_value(space, op.op, op.magnitude)
            ops.append(
                PolicyOpTransform(op.op, op.prob, value, signed,
                                  r.center if signed else 0.0,
                                  cutout_fill=space.cutout_fill, **warp))
        branches.append(v2.Compose(ops) if ops else v2.Identity())
    notes.finish()
    return v2.RandomChoice(branches,
                           p=[float(w) for w in policy.probabilities()])


def _interpolation(space, op: str, where: str, notes: Notes) -> str:
    """The op's filter in the space, as torchvision can sample a tensor."""
    ours = space.interpolation_for(op)
    if ours == 'nearest':
        return ours
    if ours == 'bicubic':
        notes.add(where, f'{op}: torchvision cannot warp tensors bicubically'
                  ' (ours: PIL\'s bicubic); sampled bilinearly')
    else:
        notes.add(where, f'{op}: torchvision samples bilinear with '
                  'grid_sample and rounds (ours: PIL\'s filter, truncated)')
    return 'bilinear'
