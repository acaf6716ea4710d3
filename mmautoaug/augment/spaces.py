# Copyright (c) mmautoaug contributors. All rights reserved.
"""Search spaces: which ops a method may pick and what a magnitude means.

A policy stores every magnitude normalised to ``[0, 1]``. A
:class:`SearchSpace` turns it into the op's *parameter* (the number the op
library's functions take, see :data:`OP_PARAMS`) with :meth:`OpRange.param`:

``value = low + m * (high - low)`` (rounded for integer parameters), and for
*signed* ops ``param = center + sign * (value - center)`` with ``sign = -1``
drawn with probability 0.5 each time the op is applied (the "random mirror"
of Fast AutoAugment's code, the random negation of AutoAugment's code).

Parameter units, the same for every face of an op (per-image numpy, batched
torch, 3x3 geometry):

====================  =======================================================
op                    parameter
====================  =======================================================
ShearX / ShearY       shear factor s: output(x, y) = input(x + s*y, y)
                      (PIL's affine data ``(1, s, 0, 0, 1, 0)``)
TranslateX / Y        shift t as a fraction of the width / height:
                      output(x, y) = input(x + t*W, y) (content moves left
                      for t > 0, as PIL's affine data ``(1, 0, t*W, ...)``)
Rotate                degrees, counter-clockwise about the image centre
                      (PIL's ``Image.rotate``)
Solarize              threshold: pixels >= threshold are inverted
Posterize             bits kept, an integer in [0, 8]
Contrast, Color,      enhancement factor, 1.0 is the identity (PIL's
Brightness, Sharpness ``ImageEnhance``)
Cutout                side of the square as a fraction of the width
                      (Fast AutoAugment's ``CutoutAbs``: shifted at the
                      top/left borders, ``int(side) + 1`` px)
ClippedCutout         side in pixels: the paper Cutout (DeVries & Taylor,
                      2017) that DARTS-style training code applies after the
                      policy (clipped at every border)
SamplePairing         blend weight of the paired image: (1-w)*img + w*pair
AutoContrast, Invert, none (``None``)
Equalize, Identity
BBox_Only_<op>        ``<op>``'s parameter, read on the pixels of each box
                      (fractions are of the box's width / height)
====================  =======================================================

Geometric ops sample with PIL's nearest-neighbour filter unless a space's
:class:`OpRange` names another (``'bilinear'`` or ``'bicubic'``, see
:data:`INTERPOLATIONS`); pixels that come from outside the image take the
op's ``fill`` colour, which defaults to the space's.

Box-level ops (:data:`BOX_OPS`, Zoph et al., "Learning Data Augmentation
Strategies for Object Detection", 2019: ``BBox_Only_*``) apply their base op
to the pixels of each box of a detection sample, as if the box were an
image (:mod:`.box_ops`); they exist only in the detection faces, which have
boxes. The classification faces refuse them by name.
"""
import math
from dataclasses import dataclass, field
from typing import Dict, Optional, Sequence, Tuple, Union

import numpy as np

#: Every op of the library and whether it takes a parameter.
OP_PARAMS: Dict[str, bool] = {
    'ShearX': True,
    'ShearY': True,
    'TranslateX': True,
    'TranslateY': True,
    'Rotate': True,
    'AutoContrast': False,
    'Invert': False,
    'Equalize': False,
    'Solarize': True,
    'Posterize': True,
    'Contrast': True,
    'Color': True,
    'Brightness': True,
    'Sharpness': True,
    'Cutout': True,
    'ClippedCutout': True,
    'SamplePairing': True,
    'Identity': False,
}

#: Ops that move pixels, so boxes and masks must follow them.
GEOMETRIC_OPS = ('ShearX', 'ShearY', 'TranslateX', 'TranslateY', 'Rotate')
#: Ops whose parameter is a fraction of the image size; an :class:`OpRange`
#: may state their range in pixels instead (``unit``).
SIZED_OPS = ('TranslateX', 'TranslateY', 'Cutout')
#: ``OpRange.rounding`` values.
ROUNDINGS = (None, 'toward_low', 'nearest')
#: ``OpRange.unit`` values.
UNITS = (None, 'pixels', 'size_pixels')

#: PIL's affine resampling filters a geometric op may use (``Image.NEAREST``,
#: ``Image.BILINEAR``, ``Image.BICUBIC`` of ``Image.transform``).
INTERPOLATIONS = ('nearest', 'bilinear', 'bicubic')

#: Box-level ops: ``BBox_Only_<op>`` applies ``<op>`` to the pixels of each
#: box (Zoph et al., 2019, ``*_Only_BBoxes`` in their released code), for
#: the base ops whose meaning does not need the whole image.
BOX_OPS: Dict[str, str] = {
    f'BBox_Only_{op}': op
    for op in GEOMETRIC_OPS +
    ('AutoContrast', 'Invert', 'Equalize', 'Solarize', 'Posterize',
     'Contrast', 'Color', 'Brightness', 'Sharpness', 'Cutout')
}


def base_op(op: str) -> str:
    """The op a box-level op applies inside each box (``op`` otherwise).

    Examples:
        >>> base_op('BBox_Only_Rotate'), base_op('Rotate')
        ('Rotate', 'Rotate')
    """
    return BOX_OPS.get(op, op)


Number = Union[float, np.ndarray, 'torch.Tensor']  # noqa: F821


@dataclass(frozen=True)
class OpRange:
    """How one op of a space reads a normalised magnitude ``m`` in [0, 1].

    Args:
        op (str): The op's name in :data:`OP_PARAMS`.
        low (float): The parameter at ``m = 0``.
        high (float): The parameter at ``m = 1``.
        center (float, optional): For signed ops, the identity value the
            sign flips about (0 for geometric ops, 1 for enhancement
            factors). ``None`` means the op is never negated.
        rounding (str, optional): For integer parameters: ``'toward_low'``
            gives ``low + int(m * (high - low))`` (the authors' ``int()``),
            ``'nearest'`` rounds the value to the closest integer.
        unit (str, optional): What ``low``/``high`` measure, for ops whose
            library parameter is a fraction of the image size (TranslateX/Y,
            Cutout). ``None``: that fraction. ``'pixels'``: absolute pixels
            whatever the image size (torchvision's TrivialAugmentWide
            translates up to 32 px). ``'size_pixels'``: a fraction of the
            size, counted in pixels so that ``rounding`` gives whole pixels
            (torchvision's RandAugment: ``int(150 / 331 * W * level)`` px).
            Either needs the image size in :meth:`param`.
        interpolation (str): Geometric ops only: PIL's resampling filter,
            one of :data:`INTERPOLATIONS`. Defaults to ``'nearest'``.
        fill (tuple[int], optional): Geometric ops only: (R, G, B) of the
            pixels brought in from outside the image, overriding the space's
            ``fill``. Defaults to None (the space's).
        table (tuple[float], optional): A range that is a table of values,
            as code that indexes a ``numpy.linspace`` defines it: ``m``
            reads ``table[round(m * (len(table) - 1))]``, the value itself
            for unsigned ops, the offset from ``center`` (``center + sign *
            offset``) for signed ones, so the authors' numbers are replayed
            to the last bit. ``low`` and ``high`` must be its ends. Defaults
            to None (the linear map).
    """
    op: str
    low: float = 0.0
    high: float = 0.0
    center: Optional[float] = None
    rounding: Optional[str] = None
    unit: Optional[str] = None
    interpolation: str = 'nearest'
    fill: Optional[Tuple[int, int, int]] = None
    table: Optional[Tuple[float, ...]] = None

    def __post_init__(self):
        if self.rounding not in ROUNDINGS:
            raise ValueError(f'OpRange {self.op!r}: rounding '
                             f'{self.rounding!r}; allowed: {list(ROUNDINGS)}')
        if self.unit not in UNITS:
            raise ValueError(f'OpRange {self.op!r}: unit {self.unit!r}; '
                             f'allowed: {list(UNITS)}')
        if self.unit is not None and self.op not in SIZED_OPS:
            raise ValueError(f'OpRange {self.op!r}: unit {self.unit!r} is '
                             f'only for the ops measured in image sizes '
                             f'{list(SIZED_OPS)}')
        if self.interpolation not in INTERPOLATIONS:
            raise ValueError(f'OpRange {self.op!r}: interpolation '
                             f'{self.interpolation!r}; allowed: '
                             f'{INTERPOLATIONS}')
        moved = self.interpolation != 'nearest' or self.fill is not None
        if moved and self.op not in GEOMETRIC_OPS:
            raise ValueError(f'OpRange {self.op!r}: interpolation and fill '
                             f'apply to geometric ops only '
                             f'{GEOMETRIC_OPS}')
        if self.table is not None:
            ends = [float(self.table[0]), float(self.table[-1])]
            if self.signed:
                ends = [self.center + e for e in ends]
            if len(self.table) < 2 or not np.allclose(
                    ends, [self.low, self.high], rtol=0, atol=1e-9):
                raise ValueError(
                    f'OpRange {self.op!r}: table must hold >= 2 values whose '
                    f'ends give low={self.low} and high={self.high}, got '
                    f'{self.table}')

    @property
    def takes_magnitude(self) -> bool:
        return OP_PARAMS[base_op(self.op)]

    @property
    def signed(self) -> bool:
        return self.center is not None

    @property
    def needs_size(self) -> bool:
        """Whether :meth:`param` needs the image size (pixel units)."""
        return self.unit is not None

    def axis_length(self, height: int, width: int) -> int:
        """The image length the op's parameter is a fraction of: the height
        for TranslateY, the width otherwise."""
        return height if self.op == 'TranslateY' else width

    def param(self,
              magnitude: Number,
              sign: Number = 1.0,
              size: Optional[int] = None) -> Number:
        """Map a normalised magnitude to the op's parameter.

        Works on Python floats, numpy arrays and torch tensors alike
        (elementwise), so the per-image and batched faces share it.

        Args:
            magnitude (float | ndarray | Tensor): Values in [0, 1].
            sign (float | ndarray | Tensor): +1 or -1, used by signed ops
                only. Defaults to 1.
            size (int, optional): The image length along the op's axis
                (:meth:`axis_length`); required by ranges with a ``unit``,
                ignored by the others.

        Returns:
            The parameter in the op library's unit (for pixel ranges: the
            pixels divided by ``size``), of the same kind as ``magnitude``;
            ``None`` for ops that take no parameter.

        Examples:
            >>> FASTAA.range('Rotate').param(0.75)
            15.0
            >>> FASTAA.range('Rotate').param(0.75, sign=-1)
            -15.0
            >>> FASTAA.range('Posterize').param(0.6)
            6.0
            >>> TRIVIALAUGMENT_WIDE.range('TranslateX').param(0.5, size=64)
            0.25
        """
        if not self.takes_magnitude:
            return None
        if self.table is not None:
            value = _lookup(self.table, magnitude)
            return self.center + sign * value if self.signed else value
        scale = 1.0
        if self.unit is not None:
            if size is None or not size > 0:
                raise ValueError(
                    f'{self.op}: this range is in {self.unit} (see '
                    f'OpRange.unit); pass size=<image length along the '
                    f'op\'s axis> (got {size!r})')
            scale = 1.0 if self.unit == 'pixels' else float(size)
        offset = magnitude * ((self.high - self.low) * scale)
        if self.unit is not None:
            # whole pixels: a level such as 11/30 * 150/331 * 331 = 55 px
            # lands a hair below the integer in double precision; nudge it
            # back (far below any other value's distance to an integer)
            offset = offset * (1.0 + 1e-12)
        if self.rounding == 'toward_low':
            offset = _trunc(offset)
        value = self.low * scale + offset
        if self.rounding == 'nearest':
            value = _round(value)
        if self.signed:
            center = self.center * scale
            value = center + sign * (value - center)
        if self.unit is not None:
            value = value / float(size)
        return value


def _lookup(table: Sequence[float], magnitude: Number) -> Number:
    """``table[round(m * (len(table) - 1))]`` for floats, arrays, tensors."""
    last = len(table) - 1
    if hasattr(magnitude, 'trunc'):  # torch.Tensor
        import torch
        dtype = (torch.float64 if magnitude.device.type != 'mps' else
                 torch.float32)
        values = torch.tensor(table, dtype=dtype, device=magnitude.device)
        index = (magnitude * last).round().long().clamp(0, last)
        return values[index]
    if isinstance(magnitude, np.ndarray):
        index = np.clip(np.rint(magnitude * last).astype(np.int64), 0, last)
        return np.asarray(table, dtype=np.float64)[index]
    return float(table[min(max(int(round(magnitude * last)), 0), last)])


def _linspace10(start: float, stop: float) -> Tuple[float, ...]:
    """``numpy.linspace(start, stop, 10)``: the authors' ``RANGES``."""
    return tuple(float(v) for v in np.linspace(start, stop, 10))


def _trunc(x: Number) -> Number:
    if hasattr(x, 'trunc'):  # torch.Tensor
        return x.trunc()
    if isinstance(x, np.ndarray):
        return np.trunc(x)
    return float(math.trunc(x))


def _round(x: Number) -> Number:
    if hasattr(x, 'round') and not isinstance(x, (float, np.ndarray)):
        return x.round()
    return np.round(x) if isinstance(x, np.ndarray) else float(round(x))


@dataclass(frozen=True)
class SearchSpace:
    """An op list plus how each op reads a normalised magnitude.

    Args:
        name (str): The space's name, stored in every policy file.
        ranges (tuple[OpRange]): One entry per op, in the space's order
            (the order a controller indexes, fixed across runs).
        fill (tuple[int]): Colour of pixels that geometric ops bring in
            from outside the image (an op's :attr:`OpRange.fill` overrides
            it, see :meth:`fill_for`).
        cutout_fill (tuple[int]): Colour of the Cutout square.
        magnitude_bins (int, optional): Discrete spaces only: bin ``b`` is
            the normalised magnitude ``b / magnitude_bins``.
        candidates (tuple[tuple[str, float]], optional): Spaces whose choices
            are (op, magnitude) pairs (AWS): the list a controller indexes.
        source (str): Where the ranges come from.
    """
    name: str
    ranges: Tuple[OpRange, ...]
    fill: Tuple[int, int, int] = (0, 0, 0)
    cutout_fill: Tuple[int, int, int] = (125, 123, 114)
    magnitude_bins: Optional[int] = None
    candidates: Optional[Tuple[Tuple[str, float], ...]] = None
    source: str = ''
    _index: Dict[str, int] = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        index = {r.op: i for i, r in enumerate(self.ranges)}
        unknown = [
            r.op for r in self.ranges
            if r.op not in OP_PARAMS and r.op not in BOX_OPS
        ]
        if unknown:
            raise ValueError(f'SearchSpace {self.name!r}: unknown ops '
                             f'{unknown}; allowed: {sorted(OP_PARAMS)} and '
                             f'the box-level ops {sorted(BOX_OPS)}')
        object.__setattr__(self, '_index', index)

    @property
    def ops(self) -> Tuple[str, ...]:
        """The op names, in the space's order."""
        return tuple(r.op for r in self.ranges)

    def __len__(self) -> int:
        return len(self.ranges)

    def __contains__(self, op: str) -> bool:
        return op in self._index

    def index(self, op: str) -> int:
        """Position of ``op`` in the space (raises with the allowed names)."""
        try:
            return self._index[op]
        except KeyError:
            raise KeyError(f'op {op!r} is not in the {self.name!r} space; '
                           f'allowed: {list(self.ops)}') from None

    def range(self, op: str) -> OpRange:
        """The :class:`OpRange` of ``op``."""
        return self.ranges[self.index(op)]

    def param(self,
              op: str,
              magnitude: Number,
              sign: Number = 1.0,
              size: Optional[int] = None):
        """Shortcut for ``self.range(op).param(magnitude, sign, size)``."""
        return self.range(op).param(magnitude, sign, size)

    @property
    def needs_size(self) -> bool:
        """Whether some op of the space is measured in pixels."""
        return any(r.needs_size for r in self.ranges)

    def fill_for(self, op: str) -> Tuple[int, int, int]:
        """The fill colour of ``op``: its own, else the space's.

        Examples:
            >>> AWS.fill_for('Rotate'), AWS.fill_for('ShearX')
            ((0, 0, 0), (128, 128, 128))
        """
        own = self.range(op).fill if op in self else None
        return self.fill if own is None else own

    def interpolation_for(self, op: str) -> str:
        """PIL's resampling filter of ``op`` (``'nearest'`` for ops outside
        the space, e.g. the Identity that batched callers add).

        Examples:
            >>> AWS.interpolation_for('ShearX')
            'bicubic'
        """
        return self.range(op).interpolation if op in self else 'nearest'

    def bin_to_magnitude(self, b: Union[int, np.ndarray]) -> Number:
        """Normalised magnitude of a discrete bin (discrete spaces only)."""
        if self.magnitude_bins is None:
            raise ValueError(f'the {self.name!r} space has no magnitude bins')
        return b / self.magnitude_bins


# --- fastaa ---------------------------------------------------------------
#: Fast AutoAugment's space, used by DADA (15 ops, continuous magnitudes).
#: Source: Fast AutoAugment's released ``augmentations.py`` (``augment_list``
#: with ``for_autoaug=False``), which DADA's released code reuses unchanged:
#: ShearX/Y [-0.3, 0.3]; TranslateX/Y [-0.45, 0.45] x size; Rotate [-30, 30];
#: the geometric ops are mirrored with probability 0.5; Solarize [0, 256];
#: Posterize [4, 8] truncated by ``int()``; enhancement factors [0.1, 1.9];
#: Cutout [0, 0.2] x width filled with (125, 123, 114); geometric fill is
#: PIL's default (black) with nearest resampling.
FASTAA = SearchSpace(
    name='fastaa',
    ranges=(
        OpRange('ShearX', -0.3, 0.3, center=0.0),
        OpRange('ShearY', -0.3, 0.3, center=0.0),
        OpRange('TranslateX', -0.45, 0.45, center=0.0),
        OpRange('TranslateY', -0.45, 0.45, center=0.0),
        OpRange('Rotate', -30.0, 30.0, center=0.0),
        OpRange('AutoContrast'),
        OpRange('Invert'),
        OpRange('Equalize'),
        OpRange('Solarize', 0.0, 256.0),
        OpRange('Posterize', 4.0, 8.0, rounding='toward_low'),
        OpRange('Contrast', 0.1, 1.9),
        OpRange('Color', 0.1, 1.9),
        OpRange('Brightness', 0.1, 1.9),
        OpRange('Sharpness', 0.1, 1.9),
        OpRange('Cutout', 0.0, 0.2),
    ),
    fill=(0, 0, 0),
    source='Fast AutoAugment (Lim et al., NeurIPS 2019) released code, '
    'augment_list(for_autoaug=False); reused by DADA (Li et al., ECCV 2020)')

# --- autoaugment ------------------------------------------------------------
#: AutoAugment's space, used by Adversarial AutoAugment (16 ops, 10 bins).
#: Source: AutoAugment (Cubuk et al., CVPR 2019) Table/appendix and its
#: released ``augmentation_transforms.py``, where a level L in 0..9 is read
#: as ``L / 10`` of the op's maximum (``PARAMETER_MAX = 10``), geometric ops
#: get a random sign, Solarize uses ``256 - int(L*256/10)``, Posterize
#: ``4 - int(L*4/10)`` bits, enhancement factors ``0.1 + 1.8*L/10``.
#: Translate is the paper's 150 px of a 331 px image (the CIFAR code used 10 px
#: of 32, 0.3125); Cutout is the CIFAR code's 20 px of 32 (0.625 of the
#: width); SamplePairing weight up to 0.4. Fill (128, 128, 128).
#: These follow the released code rather than the fastaa ranges so that the
#: published AutoAugment policies in the zoo replay exactly.
AUTOAUGMENT = SearchSpace(
    name='autoaugment',
    ranges=(
        OpRange('ShearX', 0.0, 0.3, center=0.0),
        OpRange('ShearY', 0.0, 0.3, center=0.0),
        OpRange('TranslateX', 0.0, 150 / 331, center=0.0),
        OpRange('TranslateY', 0.0, 150 / 331, center=0.0),
        OpRange('Rotate', 0.0, 30.0, center=0.0),
        OpRange('AutoContrast'),
        OpRange('Invert'),
        OpRange('Equalize'),
        OpRange('Solarize', 256.0, 0.0, rounding='toward_low'),
        OpRange('Posterize', 4.0, 0.0, rounding='toward_low'),
        OpRange('Contrast', 0.1, 1.9),
        OpRange('Color', 0.1, 1.9),
        OpRange('Brightness', 0.1, 1.9),
        OpRange('Sharpness', 0.1, 1.9),
        OpRange('Cutout', 0.0, 20 / 32),
        OpRange('SamplePairing', 0.0, 0.4),
    ),
    fill=(128, 128, 128),
    magnitude_bins=10,
    source='AutoAugment (Cubuk et al., CVPR 2019) paper and released '
    'augmentation_transforms.py; used by Adversarial AutoAugment '
    '(Zhang et al., ICLR 2020)')

# --- aws ------------------------------------------------------------------
_AWS_LEVELS = (1 / 3, 2 / 3, 1.0)
#: AWS's space (36 augmentations): 11 ops at 3 magnitude levels + 3 without.
#: Source: Tian et al., "Improving Auto-Augment via Augmentation-Wise Weight
#: Sharing", NeurIPS 2020, appendix, and the authors' pre-release
#: (AWS-OHL-AutoAug, ``aug_op/ops.py``; levels 3, 6, 9 of 10-point
#: ``linspace`` ranges, kept as tables so the parameters are theirs to the
#: last bit): ShearX/Y {0.1, 0.2, 0.3}, BICUBIC, fill 128;
#: TranslateX/Y {1, 2, 3} x 50/331 of the size (their 150/331 maximum),
#: nearest, fill 128; Rotate {10, 20, 30} by ``Image.rotate`` (nearest, fill
#: black); Color/Contrast/Sharpness/Brightness 1 +/- {0.3, 0.6, 0.9};
#: Posterize {7, 5, 4} bits; Solarize {170.7, 85.3, 0}; random sign where
#: signed; AutoContrast, Equalize, Invert. The levels are the magnitudes 1/3,
#: 2/3 and 1 here.
AWS = SearchSpace(
    name='aws',
    ranges=(
        OpRange('ShearX', 0.0, 0.3, center=0.0, interpolation='bicubic',
                table=_linspace10(0, 0.3)),
        OpRange('ShearY', 0.0, 0.3, center=0.0, interpolation='bicubic',
                table=_linspace10(0, 0.3)),
        OpRange('TranslateX', 0.0, 150 / 331, center=0.0,
                table=_linspace10(0, 150 / 331)),
        OpRange('TranslateY', 0.0, 150 / 331, center=0.0,
                table=_linspace10(0, 150 / 331)),
        OpRange('Rotate', 0.0, 30.0, center=0.0, fill=(0, 0, 0),
                table=_linspace10(0, 30)),
        OpRange('Color', 1.0, 1.9, center=1.0, table=_linspace10(0, 0.9)),
        OpRange('Contrast', 1.0, 1.9, center=1.0,
                table=_linspace10(0, 0.9)),
        OpRange('Sharpness', 1.0, 1.9, center=1.0,
                table=_linspace10(0, 0.9)),
        OpRange('Brightness', 1.0, 1.9, center=1.0,
                table=_linspace10(0, 0.9)),
        OpRange('Posterize', 8.0, 4.0, rounding='nearest',
                table=tuple(float(v) for v in np.round(
                    np.linspace(8, 4, 10), 0))),
        OpRange('Solarize', 256.0, 0.0, table=_linspace10(256, 0)),
        OpRange('AutoContrast'),
        OpRange('Equalize'),
        OpRange('Invert'),
    ),
    fill=(128, 128, 128),
    source='Tian et al., NeurIPS 2020 (AWS), appendix search space; ops as '
    'the authors\' pre-release AWS-OHL-AutoAug aug_op/ops.py applies them')
object.__setattr__(
    AWS, 'candidates',
    tuple((r.op, m) for r in AWS.ranges if r.takes_magnitude
          for m in _AWS_LEVELS) +
    tuple((r.op, 0.0) for r in AWS.ranges if not r.takes_magnitude))

# --- detection --------------------------------------------------------------
#: A detection space with box-level ops (22 ops, 10 bins; continuous
#: magnitudes work too). Source: Zoph et al., "Learning Data Augmentation
#: Strategies for Object Detection" (2019), released
#: ``autoaugment_utils.py`` (``level_to_arg`` with the paper's hparams,
#: images of 640 px), a level L in 0..10 read as ``L / 10`` of the maximum:
#: ShearX/Y(_BBox) up to 0.3; TranslateX/Y(_BBox) up to 250 px of 640
#: (``translate_const``); Rotate(_BBox) up to 30 deg; all with a random
#: sign; Color/Contrast/Brightness/Sharpness ``0.1 + 1.8 L/10``; Cutout a
#: square of 2 x 100 px (``cutout_const``) of 640; fill and Cutout colour
#: 128 grey (``replace``). Box-level ops (``*_Only_BBoxes``): Rotate, ShearX/Y
#: with the same ranges, Solarize, Equalize, and TranslateX/Y and Cutout in
#: units of the box: the released code shifts by up to 120 px and cuts a
#: square of up to 100 px whatever the box's size; here (the op's own unit
#: on the box) up to half the box's side (ours) and a square of up to 0.75
#: of its width (the released ``BBox_Cutout``'s ``cutout_max_pad_fraction``).
#: Solarize and Posterize read levels as the ``autoaugment`` space does (the
#: released detection code reads them the other way round, where level 0
#: inverts every pixel and keeps 0 bits). SolarizeAdd, BBox_Cutout and
#: Flip_Only_BBoxes, which have no base op in the library, are left out.
#: Box-level ops apply to each box with probability 1/3 once drawn
#: (:data:`~.box_ops.BOX_OP_PROB`).
DETECTION = SearchSpace(
    name='detection',
    ranges=(
        OpRange('ShearX', 0.0, 0.3, center=0.0),
        OpRange('ShearY', 0.0, 0.3, center=0.0),
        OpRange('TranslateX', 0.0, 250 / 640, center=0.0),
        OpRange('TranslateY', 0.0, 250 / 640, center=0.0),
        OpRange('Rotate', 0.0, 30.0, center=0.0),
        OpRange('AutoContrast'),
        OpRange('Equalize'),
        OpRange('Solarize', 256.0, 0.0, rounding='toward_low'),
        OpRange('Posterize', 4.0, 0.0, rounding='toward_low'),
        OpRange('Contrast', 0.1, 1.9),
        OpRange('Color', 0.1, 1.9),
        OpRange('Brightness', 0.1, 1.9),
        OpRange('Sharpness', 0.1, 1.9),
        OpRange('Cutout', 0.0, 200 / 640),
        OpRange('BBox_Only_ShearX', 0.0, 0.3, center=0.0),
        OpRange('BBox_Only_ShearY', 0.0, 0.3, center=0.0),
        OpRange('BBox_Only_TranslateX', 0.0, 0.5, center=0.0),
        OpRange('BBox_Only_TranslateY', 0.0, 0.5, center=0.0),
        OpRange('BBox_Only_Rotate', 0.0, 30.0, center=0.0),
        OpRange('BBox_Only_Solarize', 256.0, 0.0, rounding='toward_low'),
        OpRange('BBox_Only_Equalize'),
        OpRange('BBox_Only_Cutout', 0.0, 0.75),
    ),
    fill=(128, 128, 128),
    cutout_fill=(128, 128, 128),
    magnitude_bins=10,
    source='Zoph et al., Learning Data Augmentation Strategies for Object '
    'Detection (2019), released autoaugment_utils.py')

# --- baselines ------------------------------------------------------------
# The spaces of the augmentations users compare a search against. A baseline
# policy (mmautoaug.policy.baselines) draws its magnitudes from the levels
# torchvision states as ``torch.linspace(0, max, 31)``: level b of 31 is the
# normalised magnitude b / 30 here.

#: torchvision's ``TrivialAugmentWide`` (Mueller & Hutter, "TrivialAugment:
#: Tuning-free Yet State-of-the-Art Data Augmentation", ICCV 2021; the
#: "wide" space of its Table 1), as ``torchvision.transforms.TrivialAugmentWide
#: ._augmentation_space`` (torchvision 0.29) states it: ShearX/Y up to 0.99,
#: TranslateX/Y up to 32 px (absolute, whatever the image size, truncated to
#: whole pixels by ``int()``), Rotate up to 135 deg, Brightness/Color/
#: Contrast/Sharpness ``1 +/- 0.99``, each with a random sign; Posterize
#: ``8 - round(6 * level / 30)`` bits (8 -> 2); Solarize threshold 255 -> 0;
#: AutoContrast, Equalize, Identity. Nearest sampling, black fill (its
#: defaults).
TRIVIALAUGMENT_WIDE = SearchSpace(
    name='trivialaugment_wide',
    ranges=(
        OpRange('Identity'),
        OpRange('ShearX', 0.0, 0.99, center=0.0),
        OpRange('ShearY', 0.0, 0.99, center=0.0),
        OpRange('TranslateX', 0.0, 32.0, center=0.0, rounding='toward_low',
                unit='pixels'),
        OpRange('TranslateY', 0.0, 32.0, center=0.0, rounding='toward_low',
                unit='pixels'),
        OpRange('Rotate', 0.0, 135.0, center=0.0),
        OpRange('Brightness', 1.0, 1.99, center=1.0),
        OpRange('Color', 1.0, 1.99, center=1.0),
        OpRange('Contrast', 1.0, 1.99, center=1.0),
        OpRange('Sharpness', 1.0, 1.99, center=1.0),
        OpRange('Posterize', 8.0, 2.0, rounding='nearest'),
        OpRange('Solarize', 255.0, 0.0),
        OpRange('AutoContrast'),
        OpRange('Equalize'),
    ),
    fill=(0, 0, 0),
    source='TrivialAugment (Mueller & Hutter, ICCV 2021) wide space, as '
    'torchvision 0.29 TrivialAugmentWide._augmentation_space states it')

#: torchvision's ``RandAugment`` (Cubuk et al., "RandAugment: Practical
#: automated data augmentation with a reduced search space", CVPR Workshops
#: 2020), as ``torchvision.transforms.RandAugment._augmentation_space``
#: (torchvision 0.29) states it: ShearX/Y up to 0.3, TranslateX/Y up to
#: 150/331 of the image size (AutoAugment's 150 px of 331) truncated to whole
#: pixels, Rotate up to 30 deg, Brightness/Color/Contrast/Sharpness
#: ``1 +/- 0.9``, each with a random sign; Posterize ``8 - round(4 * level /
#: 30)`` bits (8 -> 4); Solarize threshold 255 -> 0; AutoContrast, Equalize,
#: Identity. Nearest sampling, black fill.
RANDAUGMENT = SearchSpace(
    name='randaugment',
    ranges=(
        OpRange('Identity'),
        OpRange('ShearX', 0.0, 0.3, center=0.0),
        OpRange('ShearY', 0.0, 0.3, center=0.0),
        OpRange('TranslateX', 0.0, 150.0 / 331.0, center=0.0,
                rounding='toward_low', unit='size_pixels'),
        OpRange('TranslateY', 0.0, 150.0 / 331.0, center=0.0,
                rounding='toward_low', unit='size_pixels'),
        OpRange('Rotate', 0.0, 30.0, center=0.0),
        OpRange('Brightness', 1.0, 1.9, center=1.0),
        OpRange('Color', 1.0, 1.9, center=1.0),
        OpRange('Contrast', 1.0, 1.9, center=1.0),
        OpRange('Sharpness', 1.0, 1.9, center=1.0),
        OpRange('Posterize', 8.0, 4.0, rounding='nearest'),
        OpRange('Solarize', 255.0, 0.0),
        OpRange('AutoContrast'),
        OpRange('Equalize'),
    ),
    fill=(0, 0, 0),
    source='RandAugment (Cubuk et al., CVPRW 2020), as torchvision 0.29 '
    'RandAugment._augmentation_space states it')

SPACES: Dict[str, SearchSpace] = {
    s.name: s
    for s in (FASTAA, AUTOAUGMENT, AWS, DETECTION, TRIVIALAUGMENT_WIDE,
              RANDAUGMENT)
}


def get_space(name: Union[str, SearchSpace]) -> SearchSpace:
    """Look a space up by name (a :class:`SearchSpace` passes through).

    Examples:
        >>> len(get_space('fastaa')), len(get_space('aws').candidates)
        (15, 36)
    """
    if isinstance(name, SearchSpace):
        return name
    try:
        return SPACES[name]
    except KeyError:
        raise KeyError(f'unknown search space {name!r}; allowed: '
                       f'{sorted(SPACES)}') from None


def sub_policy_pairs(space: Union[str, SearchSpace]) -> Sequence[Tuple[str, str]]:
    """All unordered pairs of distinct ops of a space, in a fixed order.

    DADA's 105 sub-policies are ``sub_policy_pairs('fastaa')``.
    """
    ops = get_space(space).ops
    return tuple((a, b) for i, a in enumerate(ops) for b in ops[i + 1:])
