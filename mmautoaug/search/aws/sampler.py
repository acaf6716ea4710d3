# Copyright (c) mmautoaug contributors. All rights reserved.
"""A sampler that gives every rank the whole data set."""
from typing import Iterator, Optional, Sized

import torch
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler

from mmautoaug.registry import DATA_SAMPLERS


@DATA_SAMPLERS.register_module()
class RankLocalSampler(Sampler):
    """Iterate the WHOLE data set on every rank, in a rank-specific order.

    AWS's stage 2 runs one independent policy evaluation per rank: each rank
    fine-tunes its own copy of the shared weights on the whole training split
    and measures its own held-out accuracy. MMEngine's ``DefaultSampler``
    would give each rank a shard instead.

    Args:
        dataset (Sized): The data set.
        shuffle (bool): Shuffle every epoch. Defaults to True.
        seed (int, optional): Base seed, the same on every rank (a synced
            random one when None); rank ``r`` shuffles with
            ``seed + epoch + 1000003 * r``. Defaults to None.

    Examples:
        >>> sampler = RankLocalSampler(range(5), shuffle=False)
        >>> list(sampler)
        [0, 1, 2, 3, 4]
    """

    def __init__(self,
                 dataset: Sized,
                 shuffle: bool = True,
                 seed: Optional[int] = None) -> None:
        self.rank, _ = get_dist_info()
        self.dataset = dataset
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else seed
        self.epoch = 0

    def __iter__(self) -> Iterator[int]:
        if not self.shuffle:
            return iter(range(len(self.dataset)))
        gen = torch.Generator()
        gen.manual_seed(self.seed + self.epoch + 1000003 * self.rank)
        return iter(torch.randperm(len(self.dataset), generator=gen).tolist())

    def __len__(self) -> int:
        return len(self.dataset)

    def set_epoch(self, epoch: int) -> None:
        """Reshuffle differently in every epoch (called by MMEngine)."""
        self.epoch = epoch
