# Copyright (c) mmautoaug contributors. All rights reserved.
"""A seeded, stratified train / held-out split of a classification set.

AWS trains the shared weights on one part of the training set and rewards
the controller with the accuracy on the other (CIFAR: 40k / 10k). The split
keeps every class's share (stratified) and depends only on the labels and
the seed, so stage 1, stage 2 and every rank see the same two parts.
"""
import copy
from typing import List, Sequence, Tuple, Union

import numpy as np
from mmengine.dataset import BaseDataset, force_full_init

from mmautoaug.registry import DATASETS

_PARTS = ('train', 'heldout')


def stratified_split(labels: Sequence[int], heldout: Union[int, float],
                     seed: int = 0) -> Tuple[np.ndarray, np.ndarray]:
    """Split indices into train and held-out parts with equal class shares.

    Every class gives ``round(heldout_share * class_size)`` samples to the
    held-out part (largest remainders first so the total is exact), chosen
    by a permutation seeded with ``seed``.

    Args:
        labels (Sequence[int]): The label of every sample.
        heldout (int | float): Size of the held-out part: a number of
            samples (int) or a fraction of the set in (0, 1) (float).
        seed (int): Seed of the permutation. Defaults to 0.

    Returns:
        tuple[ndarray, ndarray]: Sorted train and held-out indices.

    Examples:
        >>> labels = np.array([0] * 8 + [1] * 4)
        >>> train, held = stratified_split(labels, heldout=3)
        >>> len(train), np.bincount(labels[held]).tolist()
        (9, [2, 1])
    """
    labels = np.asarray(labels, dtype=np.int64)
    total = len(labels)
    if isinstance(heldout, float):
        if not 0.0 < heldout < 1.0:
            raise ValueError('stratified_split: a float heldout is a '
                             f'fraction in (0, 1), got {heldout}')
        heldout = int(round(heldout * total))
    if not 0 < heldout < total:
        raise ValueError(f'stratified_split: heldout must be in [1, '
                         f'{total - 1}] samples for a set of {total}, got '
                         f'{heldout}')
    classes, counts = np.unique(labels, return_counts=True)
    exact = counts * heldout / total
    take = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - take), kind='stable')
    take[order[:heldout - take.sum()]] += 1
    rng = np.random.default_rng(seed)
    held: List[np.ndarray] = []
    for cls, num in zip(classes, take):
        members = np.flatnonzero(labels == cls)
        held.append(rng.permutation(members)[:num])
    held_idx = np.sort(np.concatenate(held))
    mask = np.ones(total, dtype=bool)
    mask[held_idx] = False
    return np.flatnonzero(mask), held_idx


@DATASETS.register_module()
class StratifiedSplitDataset:
    """One part of a stratified, seeded split of a classification data set.

    Args:
        dataset (dict | BaseDataset): The full data set (e.g. the CIFAR-10
            training set); it must give ``get_cat_ids(idx)``.
        part (str): ``'train'`` or ``'heldout'``.
        heldout (int | float): Held-out size, samples or a fraction (see
            :func:`stratified_split`).
        seed (int): Seed of the split. Defaults to 0.
        lazy_init (bool): Postpone building the split until first used.
            Defaults to False.
        stratified (bool): Keep every class's share (one label per
            sample). False: a seeded random split of any data set (e.g.
            detection images, which hold several classes). Defaults to True.

    Examples:
        >>> # configs: CIFAR-10's 50k training images -> 40k + 10k
        >>> cfg = dict(type='mmautoaug.StratifiedSplitDataset', part='train',
        ...            heldout=10000, seed=0,
        ...            dataset=dict(type='mmpretrain.CIFAR10',
        ...                         data_root='data/cifar10', split='train'))
    """

    def __init__(self,
                 dataset: Union[dict, BaseDataset],
                 part: str,
                 heldout: Union[int, float],
                 seed: int = 0,
                 lazy_init: bool = False,
                 stratified: bool = True):
        if part not in _PARTS:
            raise ValueError(f'StratifiedSplitDataset: part must be one of '
                             f'{_PARTS}, got {part!r}')
        if isinstance(dataset, dict):
            dataset = DATASETS.build(dataset)
        self.dataset = dataset
        self.part = part
        self.heldout = heldout
        self.seed = seed
        self.stratified = stratified
        self._metainfo = copy.deepcopy(getattr(dataset, 'metainfo', {}))
        self._fully_initialized = False
        if not lazy_init:
            self.full_init()

    @property
    def metainfo(self) -> dict:
        return copy.deepcopy(self._metainfo)

    def full_init(self) -> None:
        """Build the inner data set and pick this part's indices."""
        if self._fully_initialized:
            return
        if hasattr(self.dataset, 'full_init'):
            self.dataset.full_init()
        labels = [
            _single_label(self.dataset.get_cat_ids(i), i)
            for i in range(len(self.dataset))
        ] if self.stratified else [0] * len(self.dataset)
        train, held = stratified_split(labels, self.heldout, self.seed)
        self.indices = train if self.part == 'train' else held
        self._fully_initialized = True

    @force_full_init
    def get_data_info(self, idx: int) -> dict:
        return self.dataset.get_data_info(int(self.indices[idx]))

    @force_full_init
    def get_cat_ids(self, idx: int) -> List[int]:
        return self.dataset.get_cat_ids(int(self.indices[idx]))

    @force_full_init
    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, idx: int) -> dict:
        if not self._fully_initialized:
            self.full_init()
        return self.dataset[int(self.indices[idx])]


def _single_label(cat_ids: Sequence[int], idx: int) -> int:
    if len(cat_ids) != 1:
        raise ValueError('StratifiedSplitDataset: sample '
                         f'{idx} has {len(cat_ids)} labels; a stratified '
                         'split needs exactly one per sample')
    return int(cat_ids[0])
