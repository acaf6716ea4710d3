# Copyright (c) mmautoaug contributors. All rights reserved.
"""Apply augmentation policies to an mmdet batch on the device."""
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch

from mmautoaug.augment import apply_detection_sub_policies
from mmautoaug.augment.box_ops import BOX_OP_PROB, check_box_prob
from mmautoaug.registry import MODELS
from .policy_batch_augment import PolicyBatchAugment


@MODELS.register_module()
class DetPolicyBatchAugment(PolicyBatchAugment):
    """Augment an mmdet training batch on the device with ``M`` policies.

    The detection counterpart of :class:`PolicyBatchAugment` (same policy
    arrays, generator and reseeding): :meth:`forward` takes the padded,
    un-normalised batch of
    :class:`~mmautoaug.models.DetAugmentDataPreprocessor` and its
    ``DetDataSample`` s and returns the copies under the chosen policies,
    copy-major, with new data samples whose instances (boxes,
    labels, bitmap masks; crowd boxes in ``ignored_instances`` too) moved by
    the op library's batched detection face
    (:func:`~mmautoaug.augment.apply_detection_sub_policies`): the same
    rules as :class:`~mmautoaug.detection.DetPolicyAugment`. Every image of
    every copy draws a sub-policy of its copy's policy.

    Args:
        policy (str | dict | Policy | list, optional): Fixed policies, as
            :class:`PolicyBatchAugment`.
        space (str): Space of policies given as arrays. Defaults to
            ``'detection'``.
        seed (int, optional): Seed of a private generator.
        min_box_size (float): See ``DetPolicyAugment``. Defaults to 1.
        keep_degenerate (bool): See ``DetPolicyAugment``.
        recompute_bbox (bool): Boxes from the moved masks (use it where
            masks are loaded). Defaults to False.
        box_prob (float): Chance that a drawn box-level op augments a box.
            Defaults to 1/3.
        channel_order (str): Channel order of the batch; the search models
            set it from their data preprocessor. Defaults to ``'rgb'``.

    Examples:
        >>> from mmdet.structures import DetDataSample
        >>> from mmengine.structures import InstanceData
        >>> aug = DetPolicyBatchAugment(seed=0)
        >>> aug.set_arrays(torch.tensor([[[4, 0]], [[2, 0]]]),
        ...                torch.ones(2, 1, 2), torch.full((2, 1, 2), 0.5))
        >>> s = DetDataSample(metainfo=dict(img_shape=(32, 40)))
        >>> s.gt_instances = InstanceData(
        ...     bboxes=torch.tensor([[4., 4, 20, 20]]),
        ...     labels=torch.tensor([3]))
        >>> x, samples = aug(torch.zeros(1, 3, 32, 48), [s])
        >>> x.shape, len(samples)  # two copies, one per policy
        (torch.Size([2, 3, 32, 48]), 2)
    """

    def __init__(self,
                 policy=None,
                 space='detection',
                 seed: Optional[int] = None,
                 min_box_size: float = 1.0,
                 keep_degenerate: bool = False,
                 recompute_bbox: bool = False,
                 box_prob: float = BOX_OP_PROB,
                 channel_order: str = 'rgb'):
        super().__init__(policy, space=space, seed=seed)
        self.min_box_size = float(min_box_size)
        self.keep_degenerate = bool(keep_degenerate)
        self.recompute_bbox = bool(recompute_bbox)
        self.box_prob = check_box_prob(box_prob)
        if channel_order not in ('rgb', 'bgr'):
            raise ValueError(f"DetPolicyBatchAugment: channel_order "
                             f"{channel_order!r}; allowed: 'rgb', 'bgr'")
        self.channel_order = channel_order

    def forward(
            self,
            inputs: torch.Tensor,
            data_samples: Sequence,
            copies: Optional[Sequence[int]] = None
    ) -> Tuple[torch.Tensor, List]:
        """The augmented copies of a detection batch, copy-major.

        Args:
            inputs (Tensor): ``(N, C, H, W)`` padded levels in [0, 255].
            data_samples (Sequence[DetDataSample]): One per image, with
                ``img_shape`` and ``gt_instances``.
            copies (Sequence[int], optional): Which of the ``M`` policies to
                make copies for (a chunk of them); all by default.

        Returns:
            tuple: ``(len(copies) * N, C, H, W)`` float images and the list
            of their new data samples (rows ``j * N ... (j + 1) * N - 1``
            are the batch under policy ``copies[j]``).
        """
        if self.op_index is None:
            raise RuntimeError(
                'DetPolicyBatchAugment: no policy set; pass policy=... or '
                'call set_policies()/set_arrays() first')
        if inputs.dim() != 4 or len(data_samples) != len(inputs):
            raise ValueError(
                f'DetPolicyBatchAugment: inputs must be (N, C, H, W) with '
                f'one data sample each, got {tuple(inputs.shape)} and '
                f'{len(data_samples)} samples')
        device = inputs.device
        if self.op_index.device != device:
            self.set_arrays(
                self.op_index.to(device), self.prob.to(device),
                self.magnitude.to(device), self.weights.to(device))
        copies = list(range(
            self.num_copies)) if copies is None else [int(c) for c in copies]
        if not copies or min(copies) < 0 or max(copies) >= self.num_copies:
            raise ValueError(f'DetPolicyBatchAugment: copies must be indices '
                             f'in [0, {self.num_copies}), got {copies}')
        rng = self._rng(device)
        batch = len(inputs)
        shapes, boxes, masks, counts = instances_to_tensors(
            data_samples, device)
        copy = torch.tensor(copies, device=device).repeat_interleave(batch)
        # one sub-policy per image and copy, by the copy's policy weights
        sub = torch.multinomial(
            self.weights[copy], 1, True, generator=rng)[:, 0]
        reps = len(copies)
        out = apply_detection_sub_policies(
            inputs.float().repeat(reps, 1, 1, 1),
            shapes * reps,
            boxes * reps,
            self.space,
            self.op_index[copy, sub],
            self.prob[copy, sub],
            self.magnitude[copy, sub],
            masks=None if masks is None else masks * reps,
            generator=rng,
            channel_order=self.channel_order,
            min_box_size=self.min_box_size,
            keep_degenerate=self.keep_degenerate,
            recompute_bbox=self.recompute_bbox,
            box_prob=self.box_prob)
        samples = [
            tensors_to_sample(data_samples[r % batch], out.boxes[r],
                              None if out.masks is None else out.masks[r],
                              out.keep[r], counts[r % batch])
            for r in range(reps * batch)
        ]
        return out.images, samples

    def extra_repr(self) -> str:
        return (f'space={self.space.name!r}, num_copies={self.num_copies}, '
                f'recompute_bbox={self.recompute_bbox}, '
                f'box_prob={self.box_prob:.4g}, seed={self.seed}')


def instances_to_tensors(data_samples: Sequence, device: torch.device):
    """The instances of mmdet data samples as the batched face takes them.

    Crowd boxes (``ignored_instances``) follow the others: they are put
    after the sample's ``gt_instances``.

    Returns:
        tuple: ``img_shapes`` (list of ``(h, w)``), ``boxes`` (list of
        ``(n_i, 4)`` tensors on ``device``), ``masks`` (list of
        ``(n_i, Hm, Wm)`` uint8 tensors, or None without masks) and
        ``counts`` (list of ``(gt, ignored)`` instance counts).
    """
    shapes, boxes, masks, counts = [], [], [], []
    with_masks = None
    for i, sample in enumerate(data_samples):
        if 'gt_sem_seg' in sample:
            raise ValueError(
                f'data_samples[{i}] has gt_sem_seg: the batched detection '
                'face moves boxes and instance masks only; search without '
                'semantic maps')
        parts = [sample.gt_instances]
        if 'ignored_instances' in sample and 'bboxes' in \
                sample.ignored_instances:
            parts.append(sample.ignored_instances)
        has = ['masks' in p for p in parts if len(p)]
        if with_masks is None and has:
            with_masks = has[0]
        if any(h != with_masks for h in has):
            raise ValueError(f'data_samples[{i}]: some instances have masks '
                             'and some do not; the batch needs one or the '
                             'other')
        shapes.append(tuple(int(v) for v in sample.img_shape[:2]))
        boxes.append(torch.cat([_box_tensor(p.bboxes, device) for p in parts]))
        counts.append((len(parts[0]), sum(len(p) for p in parts[1:])))
        if with_masks:
            masks.append(_cat_masks(parts, i, device))
    if with_masks and len(masks) != len(boxes):
        raise ValueError('every data sample needs masks when one has them')
    return shapes, boxes, (masks if with_masks else None), counts


def tensors_to_sample(sample, boxes: torch.Tensor,
                      masks: Optional[torch.Tensor], keep: torch.Tensor,
                      counts: Tuple[int, int]):
    """A new ``DetDataSample`` with the augmented instances of ``sample``."""
    from mmdet.structures import DetDataSample
    from mmdet.structures.mask import BitmapMasks
    from mmengine.structures import InstanceData
    new = DetDataSample(metainfo=dict(sample.metainfo))
    num_gt = counts[0]
    is_gt = keep < num_gt
    names = (('gt_instances', is_gt, 0), ('ignored_instances', ~is_gt, num_gt))
    for name, rows, offset in names:
        if name not in sample:
            continue
        old = sample.get(name)
        index = keep[rows] - offset
        # the fields the face moved are replaced, the others indexed
        rest = InstanceData(
            metainfo=old.metainfo,
            **{
                k: v
                for k, v in old.items() if k not in ('bboxes', 'masks')
            })
        if len(rest.keys()):
            rest = rest[index.to(_index_device(rest))]
        if 'bboxes' in old:
            rest.bboxes = _like(old.bboxes, boxes[rows])
        if masks is not None and 'masks' in old:
            # each part keeps its own mask size (mmdet pads gt_instances'
            # masks to the batch, not ignored_instances')
            height, width = old.masks.height, old.masks.width
            array = masks[rows][:, :height, :width].cpu().numpy().astype(
                np.uint8)
            rest.masks = BitmapMasks(array, height, width)
        new.set_field(rest, name)
    return new


def _index_device(instances) -> torch.device:
    for value in instances.values():
        if isinstance(value, torch.Tensor):
            return value.device
    return torch.device('cpu')


def _box_tensor(bboxes, device) -> torch.Tensor:
    tensor = getattr(bboxes, 'tensor', bboxes)
    if not isinstance(tensor, torch.Tensor) or tensor.shape[-1:] != (4, ):
        raise TypeError(
            'gt_instances.bboxes must be horizontal xyxy boxes (a tensor or '
            f'HorizontalBoxes of shape (n, 4)), got {type(bboxes).__name__}')
    return tensor.reshape(-1, 4).to(device, torch.float32)


def _like(old, tensor: torch.Tensor):
    """``tensor`` in the form of ``old`` (a tensor or a box type)."""
    if isinstance(old, torch.Tensor):
        return tensor.to(old)
    return type(old)(tensor.to(old.tensor))


def _cat_masks(parts, i: int, device) -> torch.Tensor:
    """The masks of all parts of a sample in one ``(n, Hm, Wm)`` tensor,
    zero-padded to the largest part (a part may have no masks only when it
    is empty)."""
    stacks = [
        _mask_tensor(p.masks, i, device) if 'masks' in p else None
        for p in parts
    ]
    height = max(m.shape[1] for m in stacks if m is not None)
    width = max(m.shape[2] for m in stacks if m is not None)
    out = []
    for m in stacks:
        if m is None:
            m = torch.zeros(0, height, width, dtype=torch.uint8, device=device)
        elif m.shape[1:] != (height, width):
            m = torch.nn.functional.pad(
                m, (0, width - m.shape[2], 0, height - m.shape[1]))
        out.append(m)
    return torch.cat(out)


def _mask_tensor(masks, i: int, device) -> torch.Tensor:
    from mmdet.structures.mask import BitmapMasks
    if not isinstance(masks, BitmapMasks):
        raise TypeError(
            f'data_samples[{i}]: masks of type {type(masks).__name__}; the '
            'batched detection face moves bitmap masks: load them with '
            "LoadAnnotations(with_mask=True, poly2mask=True)")
    return torch.from_numpy(np.ascontiguousarray(masks.masks)).to(
        device, torch.uint8).reshape(len(masks), masks.height, masks.width)
