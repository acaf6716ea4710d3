# Copyright (c) mmautoaug contributors. All rights reserved.
"""A distributed model wrapper that lets a search model run its own step."""
from mmengine.model import MMDistributedDataParallel

from mmautoaug.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class SearchDistributedDataParallel(MMDistributedDataParallel):
    """``MMDistributedDataParallel`` that delegates ``train_step``.

    MMEngine's wrapper runs ``data_preprocessor`` + forward + backward
    itself, which cannot express a bilevel step. This one calls the wrapped
    model's ``train_step``, which averages its own gradients over ranks
    (see :class:`DADASearchModel`). DDP's constructor still broadcasts rank
    0's parameters and buffers, so every rank starts identical. On CPU
    modules ``device_ids`` is dropped (DDP requires None there; the Runner
    passes the local rank).

    Examples:
        >>> model_wrapper_cfg = dict(
        ...     type='mmautoaug.SearchDistributedDataParallel')
    """

    def __init__(self, module, device_ids=None, **kwargs):
        device = next(module.parameters()).device
        if device.type == 'cpu':
            device_ids = None
        kwargs.setdefault('broadcast_buffers', False)
        super().__init__(module=module, device_ids=device_ids, **kwargs)

    def train_step(self, data, optim_wrapper):
        return self.module.train_step(data, optim_wrapper)
