# Copyright (c) mmautoaug contributors. All rights reserved.
"""One optimiser per submodule, so search parameters never mix."""
import copy
from typing import Optional

import torch.nn as nn
from mmengine.model import is_model_wrapper
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapperDict

from mmautoaug.registry import OPTIM_WRAPPER_CONSTRUCTORS


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class SubmoduleOptimWrapperConstructor:
    """Build an ``OptimWrapperDict`` with one wrapper per named submodule.

    Every key of the config is the dotted path of a submodule of the model
    (e.g. ``classifier``, ``policy``) and its value an ordinary
    ``optim_wrapper`` config (``type``, ``optimizer``, optional
    ``paramwise_cfg``...), built by MMEngine's
    ``DefaultOptimWrapperConstructor`` on that submodule only. Every
    trainable parameter of the model must belong to exactly one of them,
    so the policy parameters and the control variate never reach the
    network's optimiser (and nothing is silently left untrained).

    Args:
        optim_wrapper_cfg (dict): ``{submodule path: optim_wrapper config}``.
        paramwise_cfg (dict, optional): Not allowed at this level; put it
            inside the entry it belongs to.

    Examples:
        >>> optim_wrapper = dict(
        ...     constructor='mmautoaug.SubmoduleOptimWrapperConstructor',
        ...     classifier=dict(type='OptimWrapper', optimizer=dict(
        ...         type='SGD', lr=0.1, momentum=0.9, weight_decay=2e-4)),
        ...     policy=dict(type='OptimWrapper', optimizer=dict(
        ...         type='Adam', lr=0.005, betas=(0.5, 0.999))))
    """

    def __init__(self,
                 optim_wrapper_cfg: dict,
                 paramwise_cfg: Optional[dict] = None):
        if paramwise_cfg is not None:
            raise ValueError(
                'SubmoduleOptimWrapperConstructor: put paramwise_cfg inside '
                'the entry of the submodule it applies to')
        if not optim_wrapper_cfg:
            raise ValueError('SubmoduleOptimWrapperConstructor: no '
                             'submodule entries were given')
        for name, cfg in optim_wrapper_cfg.items():
            if not isinstance(cfg, dict):
                raise TypeError(
                    f'SubmoduleOptimWrapperConstructor: entry {name!r} must '
                    f'be an optim_wrapper config dict, got {type(cfg)}')
        self.optim_wrapper_cfg = copy.deepcopy(optim_wrapper_cfg)

    def __call__(self, model: nn.Module) -> OptimWrapperDict:
        if is_model_wrapper(model):
            model = model.module
        wrappers, owner = {}, {}
        for name, cfg in self.optim_wrapper_cfg.items():
            try:
                module = model.get_submodule(name)
            except AttributeError:
                raise KeyError(
                    f'SubmoduleOptimWrapperConstructor: the model has no '
                    f'submodule {name!r}; its children are '
                    f'{[n for n, _ in model.named_children()]}') from None
            cfg = copy.deepcopy(cfg)
            paramwise_cfg = cfg.pop('paramwise_cfg', None)
            wrappers[name] = DefaultOptimWrapperConstructor(
                cfg, paramwise_cfg)(
                    module)
            for p in module.parameters():
                if id(p) in owner:
                    raise ValueError(
                        'SubmoduleOptimWrapperConstructor: submodules '
                        f'{owner[id(p)]!r} and {name!r} share parameters')
                owner[id(p)] = name
        missing = [
            n for n, p in model.named_parameters()
            if p.requires_grad and id(p) not in owner
        ]
        if missing:
            raise ValueError(
                'SubmoduleOptimWrapperConstructor: trainable parameters in '
                f'no optimiser: {missing[:5]}{"..." if len(missing) > 5 else ""}'
                f'; entries given: {list(self.optim_wrapper_cfg)}')
        return OptimWrapperDict(**wrappers)
