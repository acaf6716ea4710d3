# Copyright (c) mmautoaug contributors. All rights reserved.
"""Registries of mmautoaug, children of MMEngine's roots.

Every module registered here is found in configs under the ``mmautoaug``
scope; mmpretrain's and mmdet's modules stay reachable with their own scope
prefix (``type='mmpretrain.ResNet'``, ``type='mmdet.RetinaNet'``) because all
three share MMEngine's root registries.
"""
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

__all__ = [
    'RUNNERS', 'LOOPS', 'HOOKS', 'LOG_PROCESSORS', 'OPTIMIZERS',
    'OPTIM_WRAPPERS', 'OPTIM_WRAPPER_CONSTRUCTORS', 'PARAM_SCHEDULERS',
    'DATASETS', 'DATA_SAMPLERS', 'TRANSFORMS', 'MODELS', 'MODEL_WRAPPERS',
    'METRICS', 'EVALUATOR', 'VISUALIZERS', 'VISBACKENDS'
]

RUNNERS = Registry('runner', parent=MMENGINE_RUNNERS, scope='mmautoaug',
                   locations=['mmautoaug.engine'])
LOOPS = Registry('loop', parent=MMENGINE_LOOPS, scope='mmautoaug',
                 locations=['mmautoaug.search', 'mmautoaug.engine'])
HOOKS = Registry('hook', parent=MMENGINE_HOOKS, scope='mmautoaug',
                 locations=['mmautoaug.engine', 'mmautoaug.search'])
LOG_PROCESSORS = Registry('log processor', parent=MMENGINE_LOG_PROCESSORS,
                          scope='mmautoaug', locations=['mmautoaug.engine'])
OPTIMIZERS = Registry('optimizer', parent=MMENGINE_OPTIMIZERS,
                      scope='mmautoaug', locations=['mmautoaug.engine'])
OPTIM_WRAPPERS = Registry('optim_wrapper', parent=MMENGINE_OPTIM_WRAPPERS,
                          scope='mmautoaug', locations=['mmautoaug.engine'])
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor',
    parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS, scope='mmautoaug',
    locations=['mmautoaug.engine', 'mmautoaug.search'])
PARAM_SCHEDULERS = Registry('parameter scheduler',
                            parent=MMENGINE_PARAM_SCHEDULERS,
                            scope='mmautoaug', locations=['mmautoaug.engine'])
DATASETS = Registry('dataset', parent=MMENGINE_DATASETS, scope='mmautoaug',
                    locations=['mmautoaug.datasets'])
DATA_SAMPLERS = Registry('data sampler', parent=MMENGINE_DATA_SAMPLERS,
                         scope='mmautoaug', locations=['mmautoaug.datasets'])
TRANSFORMS = Registry('transform', parent=MMENGINE_TRANSFORMS,
                      scope='mmautoaug',
                      locations=['mmautoaug.datasets', 'mmautoaug.detection'])
MODELS = Registry('model', parent=MMENGINE_MODELS, scope='mmautoaug',
                  locations=['mmautoaug.models', 'mmautoaug.search'])
MODEL_WRAPPERS = Registry('model_wrapper', parent=MMENGINE_MODEL_WRAPPERS,
                          scope='mmautoaug', locations=['mmautoaug.search'])
METRICS = Registry('metric', parent=MMENGINE_METRICS, scope='mmautoaug',
                   locations=['mmautoaug.engine'])
EVALUATOR = Registry('evaluator', parent=MMENGINE_EVALUATOR,
                     scope='mmautoaug', locations=['mmautoaug.engine'])
VISUALIZERS = Registry('visualizer', parent=MMENGINE_VISUALIZERS,
                       scope='mmautoaug', locations=['mmautoaug.engine'])
VISBACKENDS = Registry('vis_backend', parent=MMENGINE_VISBACKENDS,
                       scope='mmautoaug', locations=['mmautoaug.engine'])
