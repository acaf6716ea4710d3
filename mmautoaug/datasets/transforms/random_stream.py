# Copyright (c) mmautoaug contributors. All rights reserved.
"""A random stream per process for data transforms that draw."""
import os
from typing import Optional

import numpy as np
from mmcv.transforms import BaseTransform


class RandomStreamTransform(BaseTransform):
    """Base of the transforms that draw: one generator per process.

    With ``seed=None`` each process draws its generator's seed from numpy's
    global generator the first time it runs, mixed in a data-loader worker
    with the worker's torch seed, so MMEngine's ``randomness=dict(seed=...)``
    (which seeds every rank and worker differently) makes a run reproducible
    while workers that are re-created each epoch still draw new
    augmentations. With an integer ``seed`` the stream is fixed and mixed
    with the data-loader worker id and the distributed rank, so workers never
    repeat each other; it restarts when a worker is re-created, so use
    ``persistent_workers=True`` with it.

    Args:
        seed (int, optional): Seed of the random stream. Defaults to None.
    """

    def __init__(self, seed: Optional[int] = None):
        if seed is not None and (isinstance(seed, bool)
                                 or not isinstance(seed, int)):
            raise TypeError(f'seed: expected an int or None, got {seed!r}')
        if seed is not None and seed < 0:
            # numpy's SeedSequence takes non-negative integers only
            raise ValueError(f'seed: {seed} is negative; allowed: an integer '
                             '>= 0 or None')
        self.seed = seed
        self._rng: Optional[np.random.Generator] = None
        self._rng_pid: Optional[int] = None

    @property
    def rng(self) -> np.random.Generator:
        """This process's generator (made on first use; a forked worker
        makes its own)."""
        if self._rng is None or self._rng_pid != os.getpid():
            self._rng = np.random.default_rng(self._seed_sequence())
            self._rng_pid = os.getpid()
        return self._rng

    def _seed_sequence(self) -> np.random.SeedSequence:
        from torch.utils.data import get_worker_info
        worker = get_worker_info()
        if self.seed is None:
            entropy = [np.random.randint(2**31)]
            if worker is not None:
                # The worker's torch seed changes every epoch (numpy's, as
                # MMEngine's worker_init_fn sets it, does not).
                entropy.append(worker.seed % 2**32)
            return np.random.SeedSequence(entropy)
        from mmengine.dist import get_rank
        worker_id = 0 if worker is None else worker.id
        return np.random.SeedSequence([self.seed, get_rank(), worker_id])
