# Copyright (c) mmautoaug contributors. All rights reserved.
"""Batched detection face of the op library: a detection batch on the device.

A detection batch is what mmdet's data preprocessor makes: images of
different sizes padded into one ``(N, C, H, W)`` canvas, each with its valid
``img_shape`` ``(h, w)``, and per sample its boxes (and bitmap masks). Every
op acts on the sample's valid region, as the per-image face acts on the
unpadded image: samples whose regions have the same size are cropped out
together and given to the batched face (:func:`~.batch_ops.augment_batch`,
which draws signs and Cutout centres and carries DADA's straight-through
magnitude gradient), so the loop runs over distinct image sizes, not over
samples. Boxes and masks follow with the rules of :mod:`.box_ops` (one
definition for both detection faces): a geometric op moves boxes by its 3x3
matrix and clips them, resamples masks with the image's own sampler, and
drops the instances it pushed out; box-level ops (``BBox_Only_*``) crop
each picked box's pixels, grouped by box rank and size, through the same
batched ops. :func:`apply_detection_sub_policies` chains the ops of one
sub-policy per sample and applies ``recompute_bbox``.

Geometric ops replay PIL's sampler, so this face equals
``DetPolicyAugment(warp='exact')`` pixel for pixel on the same draws;
``DetPolicyAugment``'s default ``warp='fast'`` (OpenCV) picks a direct
neighbour on about 0.1% of the pixels (:mod:`.fast_warp`).
"""
import functools
import warnings
from dataclasses import replace
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple, Union

import torch

from .batch_ops import apply_batch_op, augment_batch
from .box_ops import (BOX_OP_PROB, box_regions, boxes_from_masks,
                      check_box_prob, kept_instances, mask_has_pixels,
                      move_boxes, tight_boxes)
from .geometry import op_matrix
from .spaces import BOX_OPS, GEOMETRIC_OPS, SearchSpace, base_op, get_space

#: Ops left out of detection: SamplePairing blends in another image whose
#: objects have no boxes (as ``DetPolicyAugment`` leaves it out).
UNSUPPORTED_OPS = ('SamplePairing', )
#: The base ops of box-level ops, the index space of their batched calls.
_BASE_OPS = tuple(dict.fromkeys(BOX_OPS.values()))


class DetectionBatch(NamedTuple):
    """A detection batch after augmentation.

    Attributes:
        images (Tensor): ``(N, C, H, W)``, the padded canvas (padding as it
            was).
        boxes (list[Tensor]): Per sample ``(n_i, 4)`` ``xyxy`` boxes of the
            kept instances.
        masks (list[Tensor] | None): Per sample ``(n_i, Hm, Wm)`` masks of
            the kept instances, or None.
        keep (list[Tensor]): Per sample, int64 indices of the kept
            instances into the input's instances (to filter labels, ignore
            flags and the like).
        moved (Tensor): ``(N,)`` bool, a geometric op moved pixels of the
            sample (``recompute_bbox`` applies there).
    """
    images: torch.Tensor
    boxes: List[torch.Tensor]
    masks: Optional[List[torch.Tensor]]
    keep: List[torch.Tensor]
    moved: torch.Tensor


@functools.lru_cache(maxsize=None)
def _image_part(space: SearchSpace) -> Tuple[SearchSpace, Tuple[int, ...]]:
    """The space without its box-level ops, and where each op of ``space``
    sits in it (-1 for box-level ops)."""
    kept = tuple(r for r in space.ranges if r.op not in BOX_OPS)
    if len(kept) == len(space.ranges):
        return space, tuple(range(len(space)))
    part = replace(space, ranges=kept, candidates=None)
    return part, tuple(
        part.index(op) if op not in BOX_OPS else -1 for op in space.ops)


def augment_detection_batch(images: torch.Tensor,
                            img_shapes: Sequence[Sequence[int]],
                            boxes: Sequence[torch.Tensor],
                            space: Union[str, SearchSpace],
                            op_index: torch.Tensor,
                            magnitude: torch.Tensor,
                            applied: torch.Tensor,
                            *,
                            masks: Optional[Sequence[torch.Tensor]] = None,
                            sign: Optional[torch.Tensor] = None,
                            box_applied: Optional[Sequence[
                                torch.Tensor]] = None,
                            generator: Optional[torch.Generator] = None,
                            straight_through: bool = True,
                            channel_order: str = 'rgb',
                            min_box_size: float = 1.0,
                            keep_degenerate: bool = False,
                            box_prob: float = BOX_OP_PROB) -> DetectionBatch:
    """Apply one op of ``space`` per sample of a padded detection batch.

    Args:
        images (Tensor): ``(N, C, H, W)`` uint8 or float levels in [0, 255]
            (NOT normalised), padded.
        img_shapes (Sequence[tuple]): ``(h, w)`` of every sample's valid
            region (mmdet's ``img_shape``), top-left in the canvas.
        boxes (Sequence[Tensor]): Per sample ``(n_i, 4)`` ``xyxy`` boxes.
        space (str | SearchSpace): The space ``op_index`` indexes.
        op_index (Tensor): ``(N,)`` indices into ``space.ops``.
        magnitude (Tensor): ``(N,)`` normalised magnitudes in [0, 1]; its
            straight-through gradient reaches the pixels an applied op
            changed (the whole valid region, or the picked boxes).
        applied (Tensor): ``(N,)`` bool or 0/1 (hard: an instance either
            moves or not).
        masks (Sequence[Tensor], optional): Per sample ``(n_i, Hm, Wm)``
            bitmap masks (uint8 or bool) with ``Hm >= h``, ``Wm >= w``.
        sign (Tensor, optional): ``(N,)`` +1/-1; drawn when None.
        box_applied (Sequence[Tensor], optional): Per sample ``(n_i,)``
            bool, the boxes a box-level op augments; drawn with
            ``box_prob`` when None.
        generator (torch.Generator, optional): For signs, boxes and Cutout.
        straight_through (bool): Attach the magnitude gradient.
        channel_order (str): ``'rgb'`` or ``'bgr'``.
        min_box_size (float): Boxes narrower or lower are dropped after a
            geometric op. Defaults to 1.
        keep_degenerate (bool): Keep every instance. Defaults to False.
        box_prob (float): Chance that a box-level op augments a box.

    Returns:
        DetectionBatch: see its attributes.

    Examples:
        >>> x = torch.zeros(2, 3, 32, 48)
        >>> out = augment_detection_batch(
        ...     x, [(32, 48), (20, 30)],
        ...     [torch.tensor([[4., 4, 12, 12]]), torch.zeros(0, 4)],
        ...     'detection', torch.tensor([2, 11]), torch.tensor([1.0, 0.5]),
        ...     torch.tensor([True, True]), sign=torch.tensor([1, 1]))
        >>> out.boxes[0].tolist()  # TranslateX by 0.39 x 48 px: pushed out
        []
    """
    space = get_space(space)
    n = _check_inputs(images, img_shapes, boxes, masks, op_index, magnitude,
                      applied, sign, box_applied, channel_order)
    box_prob = check_box_prob(box_prob)
    device = images.device
    boxes = [b.to(device) for b in boxes]
    masks = None if masks is None else [m.to(device) for m in masks]
    keep = [torch.arange(len(b), device=device) for b in boxes]
    moved = torch.zeros(n, dtype=torch.bool, device=device)
    if n == 0:
        return DetectionBatch(images.clone(), boxes, masks, keep, moved)
    if bool(((op_index < 0) | (op_index >= len(space))).any()):
        raise ValueError(f'op_index: values must lie in [0, {len(space)}) '
                         f'(indices into the {space.name!r} space: '
                         f'{list(space.ops)})')
    if sign is None:
        sign = torch.randint(
            0, 2, (n, ), generator=generator, device=device) * 2 - 1
    op_index = op_index.to(device, torch.int64)
    names = [space.ops[k] for k in op_index.tolist()]
    hard = (applied.to(device) != 0) & torch.tensor(
        [op not in UNSUPPORTED_OPS for op in names], device=device)
    if any(op in UNSUPPORTED_OPS for op in names):
        warnings.warn(
            f'augment_detection_batch: {UNSUPPORTED_OPS} blend in another '
            'image whose objects have no boxes; those samples are left '
            'unchanged',
            stacklevel=2)
    shapes = [(int(h), int(w)) for h, w in img_shapes]
    param = _params(space, op_index, magnitude, sign.to(device), shapes)
    is_box = torch.tensor([op in BOX_OPS for op in names], device=device)
    out = _image_level(images, shapes, space, op_index, magnitude, sign,
                       hard & ~is_box, generator, straight_through,
                       channel_order)
    flags = hard.tolist()
    geometric = [flags[i] and names[i] in GEOMETRIC_OPS for i in range(n)]
    if any(geometric):
        _move_instances(geometric, names, param, shapes, boxes, masks, keep,
                        min_box_size, keep_degenerate)
        moved |= torch.tensor(geometric, device=device)
    box_rows = [i for i in range(n) if flags[i] and names[i] in BOX_OPS]
    if box_rows:
        picked = _pick_boxes(box_rows, boxes, box_applied, box_prob, generator,
                             device)
        out, box_moved = _box_level(out, magnitude, straight_through, box_rows,
                                    picked, names, param, shapes, boxes, masks,
                                    keep, space, generator, channel_order,
                                    keep_degenerate, min_box_size)
        moved |= box_moved
    return DetectionBatch(out, boxes, masks, keep, moved)


def apply_detection_sub_policies(
        images: torch.Tensor,
        img_shapes: Sequence[Sequence[int]],
        boxes: Sequence[torch.Tensor],
        space: Union[str, SearchSpace],
        op_index: torch.Tensor,
        prob: Optional[torch.Tensor],
        magnitude: torch.Tensor,
        *,
        applied: Optional[torch.Tensor] = None,
        masks: Optional[Sequence[torch.Tensor]] = None,
        sign: Optional[torch.Tensor] = None,
        generator: Optional[torch.Generator] = None,
        channel_order: str = 'rgb',
        min_box_size: float = 1.0,
        keep_degenerate: bool = False,
        recompute_bbox: bool = False,
        box_prob: float = BOX_OP_PROB) -> DetectionBatch:
    """One sub-policy per sample of a detection batch: its ``K`` ops in
    order, each with its probability, then ``recompute_bbox``.

    When ``magnitude`` requires grad, each applied op also counts as the
    identity backwards (DADA's straight-through on the image), so the
    magnitude of an earlier op keeps its gradient through a later one.

    Args:
        images, img_shapes, boxes, space, masks, generator, channel_order,
        min_box_size, keep_degenerate, box_prob: As
            :func:`augment_detection_batch`.
        op_index (Tensor): ``(N, K)`` indices into ``space.ops``.
        prob (Tensor, optional): ``(N, K)`` application probabilities.
        magnitude (Tensor): ``(N, K)`` normalised magnitudes.
        applied (Tensor, optional): ``(N, K)`` hard 0/1 applications drawn
            by the caller (DADA's sample), instead of ``prob``.
        sign (Tensor, optional): ``(N, K)`` +1/-1; drawn when None.
        recompute_bbox (bool): After the ops, take each box of a sample a
            geometric op moved from its mask (where it is not empty), then
            drop degenerate boxes; needs ``masks``.

    Returns:
        DetectionBatch: ``keep`` indexes the input's instances.

    Examples:
        >>> x = torch.full((1, 3, 16, 16), 100.)
        >>> out = apply_detection_sub_policies(
        ...     x, [(16, 16)], [torch.tensor([[2., 2, 8, 8]])], 'detection',
        ...     torch.tensor([[11, 4]]), torch.tensor([[1.0, 0.0]]),
        ...     torch.tensor([[0.5, 0.5]]))
        >>> float(out.images[0, 0, 0, 0])  # Brightness 1.0: unchanged
        100.0
    """
    num = len(images) if isinstance(images, torch.Tensor) else 0
    if (prob is None) == (applied is None):
        raise ValueError('give exactly one of prob and applied')
    draws = prob if applied is None else applied
    if op_index.ndim != 2 or draws.shape != op_index.shape or (
            magnitude.shape != op_index.shape) or len(op_index) != num:
        raise ValueError(
            f'op_index, {"prob" if applied is None else "applied"}, '
            f'magnitude: expected equal shapes (N, K) with N={num}, got '
            f'{tuple(op_index.shape)}, {tuple(draws.shape)}, '
            f'{tuple(magnitude.shape)}')
    p = draws.detach()
    if bool((~((p >= 0) & (p <= 1))).any()):
        raise ValueError('prob: expected finite numbers in [0, 1]')
    device = images.device
    keep = [torch.arange(len(b), device=device) for b in boxes]
    moved = torch.zeros(num, dtype=torch.bool, device=device)
    batch = None
    for k in range(op_index.shape[1]):
        if applied is None:
            draw = torch.rand(num, generator=generator, device=device)
            hard = draw < prob[:, k].to(device)
        else:
            hard = applied[:, k].to(device) != 0
        batch = augment_detection_batch(
            images,
            img_shapes,
            boxes,
            space,
            op_index[:, k],
            magnitude[:, k],
            hard,
            masks=masks,
            sign=None if sign is None else sign[:, k],
            generator=generator,
            channel_order=channel_order,
            min_box_size=min_box_size,
            keep_degenerate=keep_degenerate,
            box_prob=box_prob)
        new = batch.images
        if magnitude.requires_grad and images.requires_grad:
            through = hard.to(new.dtype).view(-1, 1, 1, 1)
            new = new + through * (images - images.detach())
        images, boxes, masks = new, batch.boxes, batch.masks
        keep = [kk[b] for kk, b in zip(keep, batch.keep)]
        moved |= batch.moved
    boxes, masks = list(boxes), None if masks is None else list(masks)
    if recompute_bbox and bool(moved.any()):
        if masks is None and any(
                len(b) for b, m in zip(boxes, moved.tolist()) if m):
            raise KeyError('recompute_bbox=True needs masks (the boxes are '
                           'taken from them)')
        for i in torch.nonzero(moved).flatten().tolist():
            if masks is None or not len(boxes[i]):
                continue
            h, w = (int(v) for v in img_shapes[i])
            boxes[i] = boxes_from_masks(boxes[i],
                                        tight_boxes(masks[i][:, :h, :w]))
            if not keep_degenerate:
                ok = kept_instances(boxes[i], min_box_size)
                boxes[i], masks[i] = boxes[i][ok], masks[i][ok]
                keep[i] = keep[i][ok]
    return DetectionBatch(images, boxes, masks, keep, moved)


# ---------------------------------------------------------------- helpers
def _params(space: SearchSpace, op_index: torch.Tensor,
            magnitude: torch.Tensor, sign: torch.Tensor,
            shapes: Sequence[Tuple[int, int]]) -> torch.Tensor:
    """Every sample's (signed) parameter, float64, by the space's ranges.

    Ranges in pixels (the baseline spaces' translates) are fractions of
    each sample's own valid ``(h, w)``, as the per-image face measures them
    on its image (the padding of the batch does not count).
    """
    m = magnitude.detach().to(op_index.device, torch.float64)
    sign = sign.to(torch.float64)
    param = torch.zeros(
        len(op_index), dtype=torch.float64, device=op_index.device)
    for k, r in enumerate(space.ranges):
        if not r.takes_magnitude:
            continue
        if not r.needs_size:
            param = torch.where(op_index == k, r.param(m, sign), param)
            continue
        for (h, w), rows in _groups(shapes).items():
            rows = torch.tensor(rows, device=op_index.device)
            value = r.param(m[rows], sign[rows], size=r.axis_length(h, w))
            param[rows] = torch.where(op_index[rows] == k, value,
                                      param[rows])
    return param


def _groups(keys: Sequence) -> Dict:
    """Positions of equal keys, in order of first appearance."""
    out: Dict = {}
    for i, key in enumerate(keys):
        out.setdefault(key, []).append(i)
    return out


def _image_level(images, shapes, space, op_index, magnitude, sign, applied,
                 generator, straight_through, channel_order):
    """Image-level ops on each sample's valid region (one call per size)."""
    out = images.clone()
    if not bool(applied.any()):
        return out
    part, where = _image_part(space)
    index = torch.tensor(where, device=op_index.device)[op_index].clamp(0)
    for (h, w), rows in _groups(shapes).items():
        rows = torch.tensor(rows, device=images.device)
        if not bool(applied[rows].any()):
            continue
        crop = images.index_select(0, rows)[:, :, :h, :w]
        out[rows, :, :h, :w] = augment_batch(
            crop,
            part,
            index[rows],
            magnitude[rows.to(magnitude.device)],
            applied[rows],
            sign=sign[rows.to(sign.device)],
            generator=generator,
            straight_through=straight_through,
            channel_order=channel_order)
    return out


def _warp_masks(stacks: List[torch.Tensor], ops: List[str],
                params: List[float]) -> List[torch.Tensor]:
    """Move ``(n_j, h, w)`` mask stacks (all one size) by their geometric op
    in ONE call of the batched face (nearest, fill 0, as the image)."""
    counts = [len(s) for s in stacks]
    if not sum(counts):
        return stacks
    flat = torch.cat(stacks)
    device = flat.device
    index = torch.tensor([GEOMETRIC_OPS.index(op) for op in ops],
                         device=device).repeat_interleave(
                             torch.tensor(counts, device=device))
    param = torch.tensor(
        params, dtype=torch.float64,
        device=device).repeat_interleave(torch.tensor(counts, device=device))
    moved = apply_batch_op(
        flat.to(torch.uint8)[:, None], index, param, ops=GEOMETRIC_OPS,
        fill=0)[:, 0].to(flat.dtype)
    return list(moved.split(counts))


def _drop(i, ok, boxes, masks, keep) -> None:
    if ok is None or bool(ok.all()):
        return
    boxes[i] = boxes[i][ok]
    keep[i] = keep[i][ok]
    if masks is not None:
        masks[i] = masks[i][ok]


def _move_instances(geometric, names, param, shapes, boxes, masks, keep,
                    min_box_size, keep_degenerate) -> None:
    """Boxes by the op's matrix, masks by the image's sampler, then the
    drop rule, for every sample an image-level geometric op moved."""
    rows = [i for i, g in enumerate(geometric) if g]
    values = param.cpu().tolist()
    for i in rows:
        h, w = shapes[i]
        matrix = op_matrix(names[i], values[i], h, w)
        # float64 like the per-image face, which moves float32 boxes with a
        # float64 matrix
        boxes[i] = move_boxes(boxes[i].double(), matrix, h,
                              w).to(boxes[i].dtype)
    had = {}
    if masks is not None:
        for (h, w), group in _groups([shapes[i] for i in rows]).items():
            group = [rows[j] for j in group]
            crops = [masks[i][:, :h, :w] for i in group]
            for i, crop in zip(group, crops):
                had[i] = mask_has_pixels(crop)
            warped = _warp_masks(crops, [names[i] for i in group],
                                 [values[i] for i in group])
            for i, crop in zip(group, warped):
                masks[i] = masks[i].clone()
                masks[i][:, :h, :w] = crop
    if keep_degenerate:
        return
    for i in rows:
        h, w = shapes[i]
        has = None if masks is None else mask_has_pixels(masks[i][:, :h, :w])
        _drop(i, kept_instances(boxes[i], min_box_size, had.get(i), has),
              boxes, masks, keep)


def _pick_boxes(rows, boxes, box_applied, box_prob, generator, device):
    """Per sample of ``rows``: which of its boxes the box-level op
    augments (given, or drawn with ``box_prob`` in sample order)."""
    picked = {}
    for i in rows:
        if box_applied is not None:
            chosen = box_applied[i].to(device, torch.bool)
            if len(chosen) != len(boxes[i]):
                raise ValueError(f'box_applied[{i}]: {len(chosen)} values for '
                                 f'{len(boxes[i])} boxes')
        else:
            chosen = torch.rand(
                len(boxes[i]), generator=generator, device=device) < box_prob
        picked[i] = chosen
    return picked


def _box_level(out, magnitude, straight_through, rows, picked, names, param,
               shapes, boxes, masks, keep, space, generator, channel_order,
               keep_degenerate, min_box_size):
    """Box-level ops: each picked box's pixels through the base op, box
    rank after box rank (as the per-image face goes box after box), boxes
    of one size in one call."""
    device = out.device
    jobs = []  # (rank, sample, x0, y0, x1, y1)
    for i in rows:
        h, w = shapes[i]
        regions = box_regions(boxes[i], h, w).cpu().tolist()
        for k in torch.nonzero(picked[i]).flatten().tolist():
            x0, y0, x1, y1 = regions[k]
            if x1 > x0 and y1 > y0:
                jobs.append((k, i, x0, y0, x1, y1))
    moved = torch.zeros(len(out), dtype=torch.bool, device=device)
    geometric = {i for i in rows if base_op(names[i]) in GEOMETRIC_OPS}
    had = {
        i: mask_has_pixels(masks[i])
        for i in geometric if masks is not None
    }
    values = param.cpu().tolist()
    region = None
    wants_grad = straight_through and magnitude.requires_grad
    if wants_grad:
        region = torch.zeros(
            len(out), 1, *out.shape[2:], device=device, dtype=out.dtype)
    painted = out.detach().clone()
    jobs.sort(key=lambda j: j[0])
    for rank in sorted({j[0] for j in jobs}):
        level = [j for j in jobs if j[0] == rank]
        sizes = [(j[4] - j[2], j[5] - j[3]) for j in level]
        for _, group in _groups(sizes).items():
            group = [level[g] for g in group]
            crops = torch.stack([
                painted[i, :, y0:y1, x0:x1] for _, i, x0, y0, x1, y1 in group
            ])
            ops = [base_op(names[j[1]]) for j in group]
            new = apply_batch_op(
                crops,
                torch.tensor([_BASE_OPS.index(op) for op in ops],
                             device=device),
                torch.tensor([values[j[1]] for j in group],
                             dtype=torch.float64,
                             device=device),
                ops=_BASE_OPS,
                fill=space.fill,
                cutout_fill=space.cutout_fill,
                generator=generator,
                channel_order=channel_order)
            for (_, i, x0, y0, x1, y1), crop in zip(group, new):
                painted[i, :, y0:y1, x0:x1] = crop
                if region is not None:
                    region[i, :, y0:y1, x0:x1] = 1
            moving = [(j, op) for j, op in zip(group, ops)
                      if op in GEOMETRIC_OPS and masks is not None]
            if moving:
                stacks = [
                    masks[i][:, y0:y1, x0:x1]
                    for (_, i, x0, y0, x1, y1), _ in moving
                ]
                warped = _warp_masks(stacks, [op for _, op in moving],
                                     [values[j[1]] for j, _ in moving])
                for ((_, i, x0, y0, x1, y1), _), crop in zip(moving, warped):
                    masks[i] = masks[i].clone()
                    masks[i][:, y0:y1, x0:x1] = crop
    for _, i, *_ in jobs:
        moved[i] = i in geometric
    # an applied op's samples take its output, detached from the input as
    # the batched face does (augment_batch); the others keep ``out``
    applied = torch.zeros(len(out), dtype=torch.bool, device=device)
    applied[rows] = True
    out = torch.where(applied.view(-1, 1, 1, 1), painted, out)
    if region is not None:
        ste = (magnitude - magnitude.detach()).to(device, out.dtype)
        out = out + ste.view(-1, 1, 1, 1) * region
    if not keep_degenerate:
        for i in sorted(had):
            _drop(
                i,
                kept_instances(None, min_box_size, had[i],
                               mask_has_pixels(masks[i])), boxes, masks, keep)
    return out, moved


def _check_inputs(images, img_shapes, boxes, masks, op_index, magnitude,
                  applied, sign, box_applied, channel_order) -> int:
    if not isinstance(images, torch.Tensor) or images.ndim != 4:
        raise ValueError('images: expected a padded (N, C, H, W) tensor, '
                         f'got {getattr(images, "shape", type(images))}')
    n, _, height, width = images.shape
    for name, value in (('img_shapes', img_shapes), ('boxes', boxes)):
        if len(value) != n:
            raise ValueError(f'{name}: {len(value)} entries for a batch of '
                             f'{n}; one per sample')
    for i, shape in enumerate(img_shapes):
        h, w = (int(v) for v in tuple(shape)[:2])
        if not (0 < h <= height and 0 < w <= width):
            raise ValueError(
                f'img_shapes[{i}]: ({h}, {w}) does not fit the padded '
                f'canvas {height}x{width}; the valid region is the '
                'top-left (h, w) of each image (mmdet img_shape)')
    for i, b in enumerate(boxes):
        if not isinstance(b, torch.Tensor) or b.ndim != 2 or b.shape[1] != 4:
            raise ValueError(f'boxes[{i}]: expected an (n, 4) xyxy tensor, '
                             f'got {getattr(b, "shape", type(b).__name__)}')
        if len(b) and not (bool(torch.isfinite(b).all()) and bool(
            (b[:, 2] >= b[:, 0]).all()) and bool((b[:, 3] >= b[:, 1]).all())):
            raise ValueError(f'boxes[{i}]: boxes must be finite xyxy with '
                             'x1 <= x2 and y1 <= y2')
    if masks is not None:
        if len(masks) != n:
            raise ValueError(f'masks: {len(masks)} entries for a batch of '
                             f'{n}; one per sample (or masks=None)')
        for i, (m, b, shape) in enumerate(zip(masks, boxes, img_shapes)):
            h, w = (int(v) for v in tuple(shape)[:2])
            if not isinstance(m, torch.Tensor) or m.ndim != 3 or len(m) != len(
                    b) or m.shape[1] < h or m.shape[2] < w:
                raise ValueError(
                    f'masks[{i}]: expected ({len(b)}, >= {h}, >= {w}) '
                    'bitmap masks (one per box, covering the valid region), '
                    f'got {getattr(m, "shape", type(m).__name__)}')
            if m.is_floating_point():
                raise TypeError(f'masks[{i}]: dtype {m.dtype}; allowed: '
                                'bool or uint8 bitmaps')
    for name, v in (('op_index', op_index), ('magnitude', magnitude),
                    ('applied', applied)) + ((
                        ('sign', sign), ) if sign is not None else ()):
        if not isinstance(v, torch.Tensor) or tuple(v.shape) != (n, ):
            raise ValueError(f'{name}: expected a tensor of shape ({n},) '
                             f'(one per image), got '
                             f'{getattr(v, "shape", type(v).__name__)}')
    if applied.is_floating_point() and applied.requires_grad:
        raise ValueError(
            'applied: a relaxed (differentiable) application has no meaning '
            'for boxes, which either move or not; pass the hard 0/1 sample '
            '(straight-through reaches the magnitudes)')
    if box_applied is not None and len(box_applied) != n:
        raise ValueError(f'box_applied: {len(box_applied)} entries for a '
                         f'batch of {n}')
    if channel_order not in ('rgb', 'bgr'):
        raise ValueError(f"channel_order: {channel_order!r}; allowed: "
                         "'rgb', 'bgr'")
    return n
