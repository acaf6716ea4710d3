# Copyright (c) mmautoaug contributors. All rights reserved.
"""Registries of mmautoaug, children of MMEngine's roots.

Every module registered here is found in configs under the ``mmautoaug``
scope; mmpretrain's and mmdet's modules stay reachable with their own scope
prefix (``type='mmpretrain.ResNet'``, ``type='mmdet.RetinaNet'``) because all
three share MMEngine's root registries.

Names that mmautoaug does not register fall back to mmpretrain's registries,
then mmdet's (:class:`FallbackRegistry`): mmpretrain's and mmdet's modules
build their defaults from un-prefixed names (``ImageClassifier`` builds
``dict(type='ClsDataPreprocessor')``, ``LinearClsHead`` builds
``dict(type='CrossEntropyLoss')``), and MMEngine looks un-prefixed names up in
the current default scope and its parents only, never in sibling codebases.
"""
from importlib import import_module
from typing import Optional, Tuple

from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import EVALUATOR as MMENGINE_EVALUATOR
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOG_PROCESSORS as MMENGINE_LOG_PROCESSORS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import OPTIMIZERS as MMENGINE_OPTIMIZERS
from mmengine.registry import PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS
from mmengine.registry import RUNNERS as MMENGINE_RUNNERS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import VISBACKENDS as MMENGINE_VISBACKENDS
from mmengine.registry import VISUALIZERS as MMENGINE_VISUALIZERS
from mmengine.registry import Registry



class FallbackRegistry(Registry):
    """A child registry that looks in sibling codebases for missing names.

    Args:
        *args: :class:`mmengine.registry.Registry`'s arguments.
        fallback_scopes (tuple[str]): Scopes searched, in order, for an
            un-prefixed name this registry and its parents do not know.
            Defaults to ``('mmpretrain', 'mmdet')``.
        **kwargs: :class:`mmengine.registry.Registry`'s keyword arguments.

    Examples:
        >>> from mmautoaug.registry import MODELS
        >>> MODELS.get('CrossEntropyLoss').__module__.split('.')[0]
        'mmpretrain'
    """

    def __init__(self,
                 *args,
                 fallback_scopes: Tuple[str, ...] = ('mmpretrain', 'mmdet'),
                 **kwargs):
        super().__init__(*args, **kwargs)
        self._fallback_scopes = fallback_scopes

    def get(self, key: str) -> Optional[type]:
        obj = super().get(key)
        scope, real_key = self.split_scope_key(key)
        if obj is not None or scope not in (None, self.scope):
            return obj
        root = self._get_root_registry()
        for fallback in self._fallback_scopes:
            try:  # importing <codebase>.registry adds its node to the tree
                import_module(f'{fallback}.registry')
            except ImportError:
                continue
            child = root._search_child(fallback)
            if child is not None and child is not self:
                obj = child.get(real_key)
                if obj is not None:
                    return obj
        return None


__all__ = [
    'RUNNERS', 'LOOPS', 'HOOKS', 'LOG_PROCESSORS', 'OPTIMIZERS',
    'OPTIM_WRAPPERS', 'OPTIM_WRAPPER_CONSTRUCTORS', 'PARAM_SCHEDULERS',
    'DATASETS', 'DATA_SAMPLERS', 'TRANSFORMS', 'MODELS', 'MODEL_WRAPPERS',
    'METRICS', 'EVALUATOR', 'VISUALIZERS', 'VISBACKENDS'
]

RUNNERS = FallbackRegistry('runner', parent=MMENGINE_RUNNERS, scope='mmautoaug',
                   locations=['mmautoaug.engine'])
LOOPS = FallbackRegistry('loop', parent=MMENGINE_LOOPS, scope='mmautoaug',
                 locations=['mmautoaug.search', 'mmautoaug.engine'])
HOOKS = FallbackRegistry('hook', parent=MMENGINE_HOOKS, scope='mmautoaug',
                 locations=['mmautoaug.engine', 'mmautoaug.search'])
LOG_PROCESSORS = FallbackRegistry('log processor', parent=MMENGINE_LOG_PROCESSORS,
                          scope='mmautoaug', locations=['mmautoaug.engine'])
OPTIMIZERS = FallbackRegistry('optimizer', parent=MMENGINE_OPTIMIZERS,
                      scope='mmautoaug', locations=['mmautoaug.engine'])
OPTIM_WRAPPERS = FallbackRegistry('optim_wrapper', parent=MMENGINE_OPTIM_WRAPPERS,
                          scope='mmautoaug', locations=['mmautoaug.engine'])
OPTIM_WRAPPER_CONSTRUCTORS = FallbackRegistry(
    'optimizer wrapper constructor',
    parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS, scope='mmautoaug',
    locations=['mmautoaug.engine', 'mmautoaug.search'])
PARAM_SCHEDULERS = FallbackRegistry('parameter scheduler',
                            parent=MMENGINE_PARAM_SCHEDULERS,
                            scope='mmautoaug', locations=['mmautoaug.engine'])
DATASETS = FallbackRegistry('dataset', parent=MMENGINE_DATASETS, scope='mmautoaug',
                    locations=['mmautoaug.datasets'])
DATA_SAMPLERS = FallbackRegistry('data sampler', parent=MMENGINE_DATA_SAMPLERS,
                         scope='mmautoaug', locations=['mmautoaug.datasets'])
TRANSFORMS = FallbackRegistry('transform', parent=MMENGINE_TRANSFORMS,
                      scope='mmautoaug',
                      locations=['mmautoaug.datasets', 'mmautoaug.detection'])
MODELS = FallbackRegistry('model', parent=MMENGINE_MODELS, scope='mmautoaug',
                  locations=['mmautoaug.models', 'mmautoaug.search'])
MODEL_WRAPPERS = FallbackRegistry('model_wrapper', parent=MMENGINE_MODEL_WRAPPERS,
                          scope='mmautoaug', locations=['mmautoaug.search'])
METRICS = FallbackRegistry('metric', parent=MMENGINE_METRICS, scope='mmautoaug',
                   locations=['mmautoaug.engine'])
EVALUATOR = FallbackRegistry('evaluator', parent=MMENGINE_EVALUATOR,
                     scope='mmautoaug', locations=['mmautoaug.engine'])
VISUALIZERS = FallbackRegistry('visualizer', parent=MMENGINE_VISUALIZERS,
                       scope='mmautoaug', locations=['mmautoaug.engine'])
VISBACKENDS = FallbackRegistry('vis_backend', parent=MMENGINE_VISBACKENDS,
                       scope='mmautoaug', locations=['mmautoaug.engine'])
