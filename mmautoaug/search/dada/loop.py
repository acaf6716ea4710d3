# Copyright (c) mmautoaug contributors. All rights reserved.
"""An epoch loop that feeds a bilevel search two batches per iteration."""
from typing import Dict, List, Optional, Tuple, Union

from mmengine.runner import EpochBasedTrainLoop
from torch.utils.data import DataLoader

from mmautoaug.registry import LOOPS


@LOOPS.register_module()
class DADASearchLoop(EpochBasedTrainLoop):
    """``EpochBasedTrainLoop`` that pairs each batch with a held-out batch.

    Each iteration calls ``model.train_step(dict(train=a, val=b), ...)``
    where ``a`` comes from ``dataloader`` (half A of the training set: the
    network's data) and ``b`` from ``search_dataloader`` (half B: the
    policy's validation data). The second loader is restarted at every
    epoch with ``sampler.set_epoch(epoch)``, and cycled within an epoch if
    it is shorter, so the pairs depend only on the seed and the epoch and a
    resumed search sees the same batches as an uninterrupted one.

    Args:
        runner (Runner): The runner.
        dataloader (DataLoader | dict): Half A.
        search_dataloader (DataLoader | dict): Half B.
        max_epochs (int): Total epochs.
        val_begin (int): First epoch that runs validation. Defaults to 1.
        val_interval (int): Validation interval. Defaults to 1.
        dynamic_intervals (list[tuple[int, int]], optional): As
            ``EpochBasedTrainLoop``.

    Examples:
        >>> train_cfg = dict(type='mmautoaug.DADASearchLoop', max_epochs=20,
        ...                  search_dataloader=dict(batch_size=128, ...))
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 search_dataloader: Union[DataLoader, Dict],
                 max_epochs: int,
                 val_begin: int = 1,
                 val_interval: int = 1,
                 dynamic_intervals: Optional[List[Tuple[int, int]]] = None):
        super().__init__(runner, dataloader, max_epochs, val_begin,
                         val_interval, dynamic_intervals)
        if isinstance(search_dataloader, dict):
            diff_rank_seed = runner._randomness_cfg.get(
                'diff_rank_seed', False)
            search_dataloader = runner.build_dataloader(
                search_dataloader,
                seed=runner.seed,
                diff_rank_seed=diff_rank_seed)
        self.search_dataloader = search_dataloader

    def _search_batches(self):
        sampler = getattr(self.search_dataloader, 'sampler', None)
        if hasattr(sampler, 'set_epoch'):
            sampler.set_epoch(self._epoch)
        while True:
            empty = True
            for batch in self.search_dataloader:
                empty = False
                yield batch
            if empty:
                raise ValueError('DADASearchLoop: search_dataloader is '
                                 'empty (half B has no batch)')

    def run_epoch(self) -> None:
        """Iterate half A once, each batch with the next batch of half B."""
        self.runner.call_hook('before_train_epoch')
        self.runner.model.train()
        search_batches = self._search_batches()
        for idx, data_batch in enumerate(self.dataloader):
            self.run_iter(idx,
                          dict(train=data_batch, val=next(search_batches)))
        self.runner.call_hook('after_train_epoch')
        self._epoch += 1
