# Copyright (c) mmautoaug contributors. All rights reserved.
"""Apply a searched (or published) policy to each image of a pipeline."""
from typing import Any, Dict, Optional, Union

import mmcv
import numpy as np

from mmautoaug.augment.image_ops import apply_image_op
from mmautoaug.policy import Policy, load_policy
from mmautoaug.registry import TRANSFORMS
from .policy_schedule import PolicySchedule
from .random_stream import RandomStreamTransform


@TRANSFORMS.register_module()
class PolicyAugment(RandomStreamTransform):
    """Augment an image with a :class:`~mmautoaug.policy.Policy`.

    Each call picks one sub-policy (by the policy's weights, uniformly when
    it has none) and applies its ops in order, each with its probability
    and, for signed ops, a random sign (:meth:`Policy.sample_ops`), through
    the op library's :func:`~mmautoaug.augment.image_ops.apply_image_op`.

    Required Keys:

    - img (np.ndarray): ``HxW`` or ``HxWxC`` uint8, ``C`` in {1, 3}.

    Modified Keys:

    - img
    - img_shape (if present; the ops keep the size)

    Randomness: with ``seed=None`` each process draws its generator's seed
    from numpy's global generator the first time it runs, mixed in a
    data-loader worker with the worker's torch seed, so MMEngine's
    ``randomness=dict(seed=...)`` (which seeds every rank and worker
    differently) makes a run reproducible while workers that are re-created
    each epoch still draw new augmentations. With an integer ``seed`` the
    stream is fixed and mixed with the data-loader worker id and the
    distributed rank, so workers never repeat each other; it restarts when
    a worker is re-created, so use ``persistent_workers=True`` with it.

    SamplePairing (only in the ``'autoaugment'`` space): AutoAugment's code
    blends with a random training image; here the pair is the previous
    image this transform saw in the same process (with a shuffled loader,
    a random training image), resized to the current one. The first image
    of a process has no predecessor and is paired with itself, which leaves
    it unchanged.

    Schedule: with ``schedule`` instead of ``policy`` the transform replays
    a search's per-epoch policies (Adversarial AutoAugment's
    ``work_dir/policy_schedule``), one per epoch, as the epoch
    :class:`~mmautoaug.engine.hooks.PolicyScheduleHook` sets
    (:class:`PolicySchedule`; it reaches data-loader workers, persistent
    ones too).

    Args:
        policy (str | dict | Policy, optional): A policy file, a zoo name
            (e.g. ``'autoaugment_cifar10'``), a dict in the JSON layout or a
            :class:`Policy`.
        seed (int, optional): Seed of the random stream. Defaults to None.
        channel_order (str): ``'rgb'`` (mmpretrain's CIFAR/SVHN data sets)
            or ``'bgr'`` (images from ``LoadImageFromFile``): which channel
            is red for Color/Contrast's grey level and the fill colours.
            Defaults to ``'rgb'``.
        schedule (str | list[str], optional): A ``policy_schedule`` folder
            of ``epoch_XXXX.json`` files, or a list of policy files (epoch
            1, 2, ...); give either this or ``policy``.

    Examples:
        >>> import numpy as np
        >>> t = PolicyAugment('autoaugment_cifar10', seed=0)
        >>> out = t(dict(img=np.zeros((32, 32, 3), np.uint8)))
        >>> out['img'].shape
        (32, 32, 3)
    """

    #: Box-level ops need boxes: refused here, applied by the detection
    #: transform (which sets this).
    has_boxes = False

    def __init__(self,
                 policy: Optional[Union[str, Dict[str, Any], Policy]] = None,
                 seed: Optional[int] = None,
                 channel_order: str = 'rgb',
                 schedule: Optional[Union[str, list]] = None):
        if channel_order not in ('rgb', 'bgr'):
            raise ValueError(f"channel_order: {channel_order!r}; allowed: "
                             "'rgb', 'bgr'")
        if (policy is None) == (schedule is None):
            raise ValueError('PolicyAugment: give exactly one of policy (one '
                             'policy for the whole run) and schedule (a '
                             'policy_schedule folder replayed per epoch)')
        super().__init__(seed)
        self.schedule = None if schedule is None else PolicySchedule(schedule)
        # with a schedule, the first epoch's policy stands for the space
        self.policy = load_policy(policy) if schedule is None else \
            self.schedule.policies[self.schedule.epochs[0]]
        policies = [self.policy] if schedule is None else list(
            self.schedule.policies.values())
        if not self.has_boxes:
            for p in policies:
                _refuse_box_ops(p, type(self).__name__)
        self.channel_order = channel_order
        self._pair: Optional[np.ndarray] = None
        self._pairs = any(op.op == 'SamplePairing' for p in policies
                          for sub in p.sub_policies for op in sub)

    def set_schedule_epoch(self, epoch: int) -> None:
        """Replay epoch ``epoch`` of the schedule (see
        :meth:`PolicySchedule.set_epoch`)."""
        if self.schedule is None:
            raise RuntimeError('PolicyAugment: set_schedule_epoch() needs '
                               'PolicyAugment(schedule=...)')
        self.schedule.set_epoch(epoch)

    def transform(self, results: Dict[str, Any]) -> Dict[str, Any]:
        img = results.get('img')
        _check_image(img, type(self).__name__)
        policy = self.policy if self.schedule is None else \
            self.schedule.current()
        space = policy.space
        out = img
        for op, param in policy.sample_ops(
                self.rng, image_size=img.shape[:2]):
            pair = self._pair_for(img) if op == 'SamplePairing' else None
            out = apply_image_op(
                out,
                op,
                param,
                fill=space.fill_for(op),
                interpolation=space.interpolation_for(op),
                cutout_fill=space.cutout_fill,
                rng=self.rng,
                pair=pair,
                channel_order=self.channel_order)
        if self._pairs:
            self._pair = img
        results['img'] = out
        if 'img_shape' in results:
            results['img_shape'] = out.shape[:2]
        return results

    def _pair_for(self, img: np.ndarray) -> np.ndarray:
        """The previous image, in ``img``'s size and channels."""
        pair = img if self._pair is None else self._pair
        if pair.shape[:2] != img.shape[:2]:
            pair = mmcv.imresize(pair, (img.shape[1], img.shape[0]))
        if pair.ndim != img.ndim or pair.shape[2:] != img.shape[2:]:
            pair = _match_channels(pair, img)
        return pair

    def __repr__(self) -> str:
        what = (f'policy={self.policy!r}' if self.schedule is None else
                f'schedule={self.schedule!r}')
        return (f'{self.__class__.__name__}({what}, '
                f'seed={self.seed}, channel_order={self.channel_order!r})')


def _refuse_box_ops(policy: Policy, name: str) -> None:
    """A classification pipeline has no boxes for ``BBox_Only_*`` ops."""
    from mmautoaug.augment.spaces import BOX_OPS
    found = sorted({op.op for sub in policy.sub_policies for op in sub} &
                   set(BOX_OPS))
    if found:
        raise ValueError(
            f'{name}: the policy uses the box-level ops {found}, which act '
            'on the pixels of each box; images here have no boxes. Use '
            'DetPolicyAugment in a detection pipeline, or a policy without '
            'them')


def _check_image(img: Any, name: str = 'PolicyAugment') -> None:
    """Refuse what no op accepts, whether or not an op is drawn this time
    (so a bad pipeline fails on its first image, not by chance); ``name``
    is the transform named in the message."""
    if not isinstance(img, np.ndarray):
        raise TypeError(f"{name}: results['img'] must be a numpy "
                        f'array, got {type(img).__name__}')
    if img.dtype != np.uint8:
        raise TypeError(f"{name}: results['img'] must be uint8 "
                        f'(0..255), got {img.dtype}; put {name} before any '
                        'float conversion/normalisation')
    if img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[2] not in
                                  (1, 3)):
        raise ValueError(f"{name}: results['img'] must be HxW or "
                         f'HxWxC with C in (1, 3), got shape {img.shape}')
    if img.size == 0:
        raise ValueError(f"{name}: results['img'] is empty "
                         f'(shape {img.shape})')


def _match_channels(pair: np.ndarray, img: np.ndarray) -> np.ndarray:
    grey = pair if pair.ndim == 2 else (
        pair[..., 0] if pair.shape[2] == 1 else mmcv.rgb2gray(pair))
    if img.ndim == 2:
        return grey
    return np.repeat(grey[..., None], img.shape[2], axis=2)
