# Copyright (c) mmautoaug contributors. All rights reserved.
"""The policy transform of detection pipelines."""
import warnings
from typing import Optional, Sequence

import numpy as np

from mmautoaug.augment import GEOMETRIC_OPS
from mmautoaug.augment.box_ops import (BOX_OP_PROB, apply_box_op,
                                       boxes_from_masks, check_box_prob,
                                       kept_instances, mask_has_pixels,
                                       move_boxes, tight_boxes)
from mmautoaug.augment.fast_warp import check_warp
from mmautoaug.augment.geometry import op_matrix
from mmautoaug.augment.image_ops import apply_image_op
from mmautoaug.augment.spaces import BOX_OPS
from mmautoaug.datasets.transforms import PolicyAugment
from mmautoaug.datasets.transforms.policy_augment import _check_image
from mmautoaug.registry import TRANSFORMS
from .annotations import polygon_area, transform_polygons, warp_label_maps

#: Ops with no meaning for a detection sample: SamplePairing blends in the
#: pixels of another image whose objects have no boxes here. A policy that
#: uses one (every Adversarial AutoAugment policy, whose space has it) has it
#: left out, with one :class:`DroppedOpWarning` per transform.
UNSUPPORTED_OPS = ('SamplePairing', )
#: Per-instance keys of mmdet's results that are filtered together.
INSTANCE_KEYS = ('gt_bboxes', 'gt_bboxes_labels', 'gt_ignore_flags',
                 'gt_masks', 'gt_instances_ids')
#: Ignore index of mmdet's semantic maps, the colour that flows in from
#: outside the image.
SEG_IGNORE_INDEX = 255


class DroppedOpWarning(UserWarning):
    """A policy op was left out of a detection pipeline (the message names
    the op and how many sub-policy entries it removed)."""


@TRANSFORMS.register_module()
class DetPolicyAugment(PolicyAugment):
    """Apply an augmentation policy to a detection sample.

    The detection variant of :class:`~mmautoaug.datasets.PolicyAugment`
    (same sampling, same random streams): for every sample one sub-policy
    is drawn (:meth:`Policy.sample_ops`) and its ops are applied in order:
    the pixels by the op library's per-image ops, everything else by the
    op's 3x3 matrix (:func:`~mmautoaug.augment.geometry.op_matrix`): boxes
    become the bounding box of their moved corners, clipped to the image;
    bitmap masks and the semantic map are resampled pixel for pixel like the
    image (the semantic map filled with the ignore index 255); polygons are
    moved and clipped to the image; the homography matrix is composed, as
    mmdet's geometric transforms do. Photometric ops and Cutout leave
    annotations untouched (a Cutout square hides part of an object, it does
    not move its box).

    After EACH geometric op (so that a later op cannot bring the clipped
    box of an object that left the image back to size: a box around
    nothing), an instance is dropped together with its label, ignore flag,
    mask and instance id, unless ``keep_degenerate``, when

    - its box is narrower or lower than ``min_box_size`` (pushed out), or
    - its mask had pixels (polygon area) before the op and has none after
      (the object left the image although its corner box did not).

    Instances whose mask was empty to begin with (mmdet's placeholder) keep
    their box. Crowd boxes (``gt_ignore_flags``) move like the others;
    samples without annotations pass through. These rules are the op
    library's (:mod:`mmautoaug.augment.box_ops`), shared with the batched
    detection face (:mod:`mmautoaug.augment.batch_detection`).

    Box-level ops (``BBox_Only_<op>``, the ``'detection'`` space; Zoph et
    al., 2019) pick each box with probability ``box_prob`` and give its
    pixels ``<op>`` as if they were an image
    (:func:`~mmautoaug.augment.box_ops.apply_box_op`); boxes stay, bitmap
    masks and the semantic map follow the pixels of a geometric one inside
    each box (then the drop rule applies), polygon masks cannot and stay (a
    warning says so once; load bitmaps, ``poly2mask=True``, to keep them
    aligned).

    Every call checks its input, whether or not an op is drawn, so a bad
    pipeline fails on its first sample: the image as
    :class:`~mmautoaug.datasets.PolicyAugment` does (uint8, ``HxW`` or
    ``HxWxC`` with ``C`` in {1, 3}, not empty), boxes finite ``xyxy`` with
    ``x1 <= x2`` and ``y1 <= y2``, one label / flag / mask / id per box and
    masks of the image's size.

    SamplePairing (in the ``autoaugment`` space of Adversarial AutoAugment)
    blends in another image whose objects have no boxes here, so it is left
    out: a :class:`DroppedOpWarning` (once per transform) names it and how
    many sub-policy entries it removed; the other ops of those sub-policies
    still apply. List it in ``skip_ops`` to leave it out silently.

    Use it after the flip and before ``PackDetInputs`` (see
    :func:`~mmautoaug.detection.inject_policy`). From an mmdet config
    (``default_scope='mmdet'``) name it ``'mmautoaug.DetPolicyAugment'``
    with ``custom_imports=dict(imports=['mmautoaug.detection'])``.

    Required Keys:

    - img
    - gt_bboxes (HorizontalBoxes[torch.float32] | np.ndarray) (optional)
    - gt_bboxes_labels (np.int64) (optional)
    - gt_ignore_flags (bool) (optional)
    - gt_masks (BitmapMasks | PolygonMasks) (optional)
    - gt_seg_map (np.ndarray) (optional)
    - homography_matrix (np.float32) (optional)

    Modified Keys:

    - img
    - gt_bboxes
    - gt_bboxes_labels
    - gt_ignore_flags
    - gt_masks
    - gt_seg_map
    - homography_matrix

    Added Keys:

    - homography_matrix (when a geometric op was applied and it is absent)

    Args:
        policy (str | dict | Policy): A zoo name
            (``'autoaugment_imagenet'``), the path of a policy JSON file
            (what a search writes), its content as a dict, or a
            :class:`~mmautoaug.policy.Policy`.
        min_box_size (float): Boxes whose width or height (pixels, after
            clipping) is below this are degenerate. Defaults to 1.
        keep_degenerate (bool): Keep every instance (degenerate boxes and
            emptied masks included) instead of dropping them with their
            labels and masks. Defaults to False.
        recompute_bbox (bool): After the geometric ops, take each box from
            its moved mask (as mmdet's ``RandomCrop(recompute_bbox=True)``):
            tight, where the moved corners of a rotated or sheared box
            enclose background. Instances with an empty mask keep the
            corner box. Needs ``gt_masks``; use it in every pipeline that
            loads masks. Defaults to False.
        box_prob (float): Chance that a drawn box-level op augments a given
            box. Defaults to 1/3 (Zoph et al.'s released code).
        skip_ops (Sequence[str]): Ops of the policy to leave out, silently.
            Ops of :data:`UNSUPPORTED_OPS` are left out anyway (with a
            warning unless listed here). Defaults to ().
        channel_order (str): ``'bgr'`` (default: mmdet's
            ``LoadImageFromFile`` loads BGR) or ``'rgb'``; tells the image
            ops which channel is red (fill colours, grey levels).
        warp (str): How geometric ops sample the image, masks and
            semantic map: ``'fast'`` (default) with OpenCV's
            ``warpAffine``, 3-5x faster on COCO-sized samples (detection
            has no PIL reference to replay: mmdet's own transforms warp with
            OpenCV), or ``'exact'``, PIL's sampler pixel for pixel as the
            classification policies were searched with. Both modes move
            boxes and polygons by the same matrix; with nearest sampling
            they pick the same source pixel except within about 1/1024 px
            of a pixel border, and masks and the semantic map take the
            image's source pixels in either mode (see
            :mod:`mmautoaug.augment.fast_warp`; a space's bilinear or
            bicubic ops take OpenCV's kernels in fast mode).
        seed (int, optional): Seed of the random stream, mixed with the
            data-loader worker id and the rank as
            :class:`~mmautoaug.datasets.PolicyAugment` does. ``None``
            (default) seeds from numpy's global generator, which MMEngine
            seeds per rank and worker.

    Examples:
        >>> import numpy as np
        >>> from mmdet.structures.bbox import HorizontalBoxes
        >>> policy = dict(format_version=1, space='fastaa', sub_policies=[[
        ...     dict(op='TranslateX', prob=1.0, magnitude=1.0)]])
        >>> aug = DetPolicyAugment(policy, seed=0)  # +/-0.45 x width
        >>> results = aug(dict(
        ...     img=np.zeros((40, 40, 3), np.uint8),
        ...     gt_bboxes=HorizontalBoxes(np.array([[18., 8, 22, 12]])),
        ...     gt_bboxes_labels=np.array([3])))
        >>> abs(results['gt_bboxes'].tensor[0, 0].item() - 18)
        18.0
    """

    has_boxes = True

    def __init__(self,
                 policy,
                 min_box_size: float = 1.0,
                 keep_degenerate: bool = False,
                 recompute_bbox: bool = False,
                 skip_ops: Sequence[str] = (),
                 channel_order: str = 'bgr',
                 seed: Optional[int] = None,
                 box_prob: float = BOX_OP_PROB,
                 warp: str = 'fast') -> None:
        super().__init__(policy, seed=seed, channel_order=channel_order)
        self.box_prob = check_box_prob(box_prob)
        self._warned_polygons = False
        self.space = self.policy.space
        self.warp = check_warp(warp, 'DetPolicyAugment: warp')
        if isinstance(min_box_size, bool) or not isinstance(
                min_box_size, (int, float)) or not 0 <= min_box_size < np.inf:
            raise ValueError('DetPolicyAugment: min_box_size must be a '
                             f'finite number >= 0, got {min_box_size!r}')
        self.min_box_size = float(min_box_size)
        for name, value in (('keep_degenerate', keep_degenerate),
                            ('recompute_bbox', recompute_bbox)):
            # bool('no') is True: a string here would silently switch it on
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError(f'DetPolicyAugment: {name} must be True or '
                                f'False, got {value!r}')
        self.keep_degenerate = bool(keep_degenerate)
        self.recompute_bbox = bool(recompute_bbox)
        if not isinstance(skip_ops, (list, tuple)):
            hint = f' (write {[skip_ops]})' if isinstance(skip_ops,
                                                          str) else ''
            raise ValueError('DetPolicyAugment: skip_ops must be a list of '
                             f'op names, got {skip_ops!r}{hint}')
        unknown = [op for op in skip_ops if op not in self.space]
        if unknown:
            raise ValueError(f'DetPolicyAugment: skip_ops {unknown} are not '
                             f'ops of the {self.space.name!r} space; '
                             f'allowed: {list(self.space.ops)}')
        entries = [op.op for sub in self.policy.sub_policies for op in sub]
        dropped = {
            op: entries.count(op)
            for op in UNSUPPORTED_OPS
            if op in entries and op not in skip_ops
        }
        self.skip_ops = tuple(skip_ops) + tuple(dropped)
        if all(op in self.skip_ops for op in entries):
            raise ValueError(
                f'DetPolicyAugment: every op of the policy is in '
                f'{sorted(set(entries))}, which is left out of detection '
                f'(skip_ops={list(self.skip_ops)}): the transform would '
                'never change a sample; use a policy with other ops')
        if dropped:
            counts = ', '.join(f'{op} ({n} of the {len(entries)} sub-policy '
                               'entries)' for op, n in dropped.items())
            warnings.warn(
                f'DetPolicyAugment: left out {counts}: it blends in another '
                'image whose objects have no boxes here, which has no '
                'meaning in detection; the other ops of those sub-policies '
                f'still apply (pass skip_ops={list(dropped)} to leave it out '
                'without this warning)', DroppedOpWarning, stacklevel=2)

    def transform(self, results: dict) -> dict:
        """Apply one sub-policy drawn from the policy to ``results``."""
        _check_image(results.get('img'), type(self).__name__)
        _check_instances(results)
        rng = self.rng
        moved = False
        for op, param in self.policy.sample_ops(
                rng, image_size=results['img'].shape[:2]):
            if op in self.skip_ops:
                continue
            if op in BOX_OPS:
                moved |= self._box_op(results, op, param, rng)
                continue
            img = results['img']
            results['img'] = apply_image_op(
                img,
                op,
                param,
                fill=self.space.fill_for(op),
                interpolation=self.space.interpolation_for(op),
                cutout_fill=self.space.cutout_fill,
                rng=rng,
                channel_order=self.channel_order,
                warp=self.warp)
            if op in GEOMETRIC_OPS:
                had_pixels = _mask_has_pixels(results.get('gt_masks'))
                self._move_annotations(
                    results, op, param, *img.shape[:2], warp=self.warp)
                moved = True
                if not self.keep_degenerate:
                    self._drop_gone(results, had_pixels)
        if moved and self.recompute_bbox:
            _boxes_from_masks(results)
            if not self.keep_degenerate:
                self._drop_gone(results, None)
        return results

    def _box_op(self, results: dict, op: str, param: Optional[float],
                rng) -> bool:
        """Apply a box-level op; True when it moved pixels (and masks)."""
        from mmdet.structures.mask import BitmapMasks
        boxes = results.get('gt_bboxes')
        if boxes is None or len(boxes) == 0:
            return False
        geometric = BOX_OPS[op] in GEOMETRIC_OPS
        masks = results.get('gt_masks')
        seg = results.get('gt_seg_map')
        maps = []
        bitmaps = isinstance(masks, BitmapMasks)
        if geometric and bitmaps:
            maps.append((masks.masks, 0))
        elif geometric and masks is not None and not self._warned_polygons:
            self._warned_polygons = True
            warnings.warn(
                f'DetPolicyAugment: {op} moves the pixels inside boxes but '
                'polygon masks cannot follow them there, so they stay where '
                'they were; load bitmap masks '
                '(LoadAnnotations(poly2mask=True)) to keep them aligned',
                stacklevel=2)
        if geometric and seg is not None:
            maps.append((seg, SEG_IGNORE_INDEX))
        had_pixels = _mask_has_pixels(masks) if maps and bitmaps else None
        results['img'], moved = apply_box_op(
            results['img'],
            _box_array(boxes),
            op,
            param,
            maps=maps,
            box_prob=self.box_prob,
            fill=self.space.fill,
            cutout_fill=self.space.cutout_fill,
            rng=rng,
            channel_order=self.channel_order)
        if geometric and bitmaps:
            results['gt_masks'] = BitmapMasks(moved.pop(0), masks.height,
                                              masks.width)
        if geometric and seg is not None:
            results['gt_seg_map'] = moved.pop(0)
        if geometric and not self.keep_degenerate:
            self._drop_gone(results, had_pixels)
        return geometric

    @staticmethod
    def _move_annotations(results: dict,
                          op: str,
                          param: float,
                          height: int,
                          width: int,
                          warp: str = 'exact') -> None:
        matrix = op_matrix(op, param, height, width)
        boxes = results.get('gt_bboxes')
        if boxes is not None:
            results['gt_bboxes'] = _move_boxes(boxes, matrix, height, width)
        masks = results.get('gt_masks')
        if masks is not None:
            results['gt_masks'] = _move_masks(masks, op, param, matrix, warp)
        if results.get('gt_seg_map') is not None:
            results['gt_seg_map'] = warp_label_maps(
                results['gt_seg_map'],
                op,
                param,
                fill=SEG_IGNORE_INDEX,
                warp=warp)
        homography = matrix.astype(np.float32)
        if results.get('homography_matrix') is not None:
            homography = homography @ results['homography_matrix']
        results['homography_matrix'] = homography

    def _drop_gone(self, results: dict,
                   had_pixels: Optional[np.ndarray]) -> None:
        """Drop the instances an op pushed out: degenerate boxes, and masks
        that had pixels before the op (``had_pixels``) and have none now."""
        boxes, masks = results.get('gt_bboxes'), results.get('gt_masks')
        num = len(boxes) if boxes is not None else (
            len(masks) if masks is not None else 0)
        if num == 0:
            return
        keep = kept_instances(
            None if boxes is None else _box_array(boxes), self.min_box_size,
            had_pixels, None if had_pixels is None else
            _mask_has_pixels(masks))
        if keep is None or keep.all():
            return
        index = np.flatnonzero(keep)
        for key in INSTANCE_KEYS:
            if results.get(key) is not None:
                results[key] = results[key][index]

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(space={self.space.name!r}, '
                f'sub_policies={len(self.policy.sub_policies)}, '
                f'min_box_size={self.min_box_size}, '
                f'keep_degenerate={self.keep_degenerate}, '
                f'recompute_bbox={self.recompute_bbox}, '
                f'box_prob={self.box_prob:.4g}, '
                f'skip_ops={self.skip_ops}, '
                f'channel_order={self.channel_order!r}, seed={self.seed}, '
                f'warp={self.warp!r})')


def _mask_has_pixels(masks) -> Optional[np.ndarray]:
    """Per instance: does its mask cover anything? ``None`` without masks.

    Bitmaps: any pixel set; polygons: a part of positive area (mmdet's
    empty placeholder, ``[np.zeros(6)]``, has none).
    """
    if masks is None:
        return None
    from mmdet.structures.mask import BitmapMasks
    if isinstance(masks, BitmapMasks):
        return mask_has_pixels(masks.masks)
    return np.array([
        any(
            polygon_area(np.asarray(p, np.float64).reshape(-1, 2)) > 0
            for p in parts) for parts in masks.masks
    ], dtype=bool)


def _check_instances(results: dict) -> None:
    """Refuse annotations the ops would silently mangle."""
    from mmdet.structures.mask import BitmapMasks, PolygonMasks
    img = results['img']
    boxes = results.get('gt_bboxes')
    if boxes is not None:
        array = _box_array(boxes)
        bad = ~np.isfinite(array).all(axis=1)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f'DetPolicyAugment: gt_bboxes[{k}] = {array[k].tolist()} is '
                'not finite; boxes must be finite xyxy pixel coordinates')
        bad = (array[:, 2] < array[:, 0]) | (array[:, 3] < array[:, 1])
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f'DetPolicyAugment: gt_bboxes[{k}] = {array[k].tolist()} has '
                'x2 < x1 or y2 < y1; boxes must be xyxy with x1 <= x2 and '
                'y1 <= y2')
        for key in INSTANCE_KEYS[1:]:
            value = results.get(key)
            if value is not None and len(value) != len(array):
                raise ValueError(
                    f'DetPolicyAugment: {len(array)} gt_bboxes but '
                    f'{len(value)} {key}; every per-instance key '
                    f'({", ".join(INSTANCE_KEYS[1:])}) needs one entry per '
                    'box')
    masks = results.get('gt_masks')
    if masks is not None and not isinstance(masks,
                                            (BitmapMasks, PolygonMasks)):
        raise TypeError('DetPolicyAugment: gt_masks of type '
                        f'{type(masks).__name__} are not supported; allowed: '
                        'BitmapMasks, PolygonMasks (as LoadAnnotations makes '
                        'them)')
    if masks is not None and (masks.height, masks.width) != img.shape[:2]:
        raise ValueError(
            f'DetPolicyAugment: gt_masks are {masks.height}x{masks.width} '
            f'(HxW) but the image is {img.shape[0]}x{img.shape[1]}; resize '
            'the masks with the image (mmdet Resize does) before the policy')
    seg = results.get('gt_seg_map')
    if seg is not None and np.shape(seg)[:2] != img.shape[:2]:
        raise ValueError(
            f'DetPolicyAugment: gt_seg_map is {np.shape(seg)[:2]} (HxW) but '
            f'the image is {img.shape[:2]}')


def _box_array(boxes) -> np.ndarray:
    """``(N, 4)`` float array of mmdet ``HorizontalBoxes`` or an array."""
    from mmdet.structures.bbox import BaseBoxes, HorizontalBoxes
    if isinstance(boxes, HorizontalBoxes):
        return boxes.numpy().reshape(-1, 4)
    if isinstance(boxes, BaseBoxes):
        raise TypeError('DetPolicyAugment: gt_bboxes of type '
                        f'{type(boxes).__name__} are not supported; allowed: '
                        'HorizontalBoxes or an (N, 4) xyxy np.ndarray')
    array = np.asarray(boxes, dtype=np.float32)
    if array.ndim != 2 or array.shape[1] != 4:
        raise ValueError('DetPolicyAugment: gt_bboxes must be (N, 4) xyxy, '
                         f'got shape {array.shape}')
    return array


def _move_boxes(boxes, matrix: np.ndarray, height: int, width: int):
    array = move_boxes(_box_array(boxes), matrix, height,
                       width).astype(np.float32)
    if isinstance(boxes, np.ndarray):
        return array
    return type(boxes)(array)


def _boxes_from_masks(results: dict) -> None:
    from mmdet.structures.bbox import HorizontalBoxes
    from mmdet.structures.mask import BitmapMasks
    boxes, masks = results.get('gt_bboxes'), results.get('gt_masks')
    if boxes is None or len(boxes) == 0:
        return
    if masks is None:
        raise KeyError('DetPolicyAugment: recompute_bbox=True needs '
                       "'gt_masks' (LoadAnnotations(with_mask=True))")
    if isinstance(masks, BitmapMasks):
        tight = tight_boxes(masks.masks)
    else:
        tight = HorizontalBoxes.from_instance_masks(masks).numpy()
    array = boxes_from_masks(_box_array(boxes), tight)
    results['gt_bboxes'] = array if isinstance(boxes, np.ndarray) \
        else type(boxes)(array)


def _move_masks(masks,
                op: str,
                param: float,
                matrix: np.ndarray,
                warp: str = 'exact'):
    from mmdet.structures.mask import BitmapMasks, PolygonMasks
    height, width = masks.height, masks.width
    if isinstance(masks, BitmapMasks):
        return BitmapMasks(
            warp_label_maps(masks.masks, op, param, fill=0, warp=warp),
            height, width)
    if isinstance(masks, PolygonMasks):
        return PolygonMasks(
            transform_polygons(masks.masks, matrix, width, height), height,
            width)
    raise TypeError('DetPolicyAugment: gt_masks of type '
                    f'{type(masks).__name__} are not supported; allowed: '
                    'BitmapMasks, PolygonMasks')
