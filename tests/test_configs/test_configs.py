# Copyright (c) mmautoaug contributors. All rights reserved.
"""Every config parses, and every config with a model builds it."""
import copy
import functools
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.model import BaseModel

from mmautoaug.registry import MODELS
from mmautoaug.utils import register_all_modules

register_all_modules()
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = sorted(
    glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True))
# classifiers of this room whose output we check with a forward pass
CLASSIFIERS = sorted(
    glob.glob(osp.join(REPO, 'configs', 'baseline', '*.py')) +
    glob.glob(osp.join(REPO, 'configs', '_base_', 'models', '*.py')))


def _id(path):
    return osp.relpath(path, osp.join(REPO, 'configs'))


def _id_of(cfg):
    return _id(cfg.filename)


def _model_cfg(cfg):
    model = copy.deepcopy(cfg.model)
    # as mmengine's Runner does with a top-level data_preprocessor
    if isinstance(model, dict) and cfg.get('data_preprocessor'):
        model.setdefault('data_preprocessor', cfg.data_preprocessor)
    # a models/ base alone gets it from the dataset base it is combined with
    if _id_of(cfg).startswith(osp.join('_base_', 'models')):
        model.setdefault('data_preprocessor',
                         dict(type='mmpretrain.ClsDataPreprocessor'))
    return model


def test_configs_are_found():
    assert len(CONFIGS) >= 20
    assert any(p.endswith('wrn16-1_demo-cifar.py') for p in CONFIGS)


def _is_fragment(path):
    """A file of a ``_base_`` folder, a piece of a config (the model bases
    of ``configs/_base_/models`` are whole models)."""
    return '_base_' in _id(path).split(osp.sep) and not _id(path).startswith(
        osp.join('_base_', 'models'))


@functools.lru_cache(maxsize=None)
def _load(path):
    return Config.fromfile(path)


def _build(cfg):
    """Build on the meta device (structure only: no memory, no random
    initialisation, so big models build fast) unless the model computes with
    its tensors while it is built (mmpretrain's ResNet does)."""
    try:
        with torch.device('meta'):
            return MODELS.build(_model_cfg(cfg))
    except (RuntimeError, NotImplementedError) as e:
        if 'meta' not in str(e):
            raise
        return MODELS.build(_model_cfg(cfg))


@pytest.mark.parametrize('path', CONFIGS, ids=_id)
def test_config_parses(path):
    cfg = _load(path)
    if _id(path).startswith('baseline') or path.endswith('default_runtime.py'):
        assert cfg.default_scope == 'mmautoaug'


@pytest.mark.parametrize('path', CONFIGS, ids=_id)
def test_model_builds(path):
    cfg = _load(path)
    if _is_fragment(path) or 'model' not in cfg:
        pytest.skip('no whole model in this config')
    model = _build(cfg)
    assert isinstance(model, torch.nn.Module)
    assert sum(p.numel() for p in model.parameters()) > 0


@pytest.mark.parametrize('path', CLASSIFIERS, ids=_id)
def test_classifier_outputs_one_logit_per_class(path):
    """The head fits the backbone: shapes flow through on the meta device
    (numerics are the backbone tests' business)."""
    cfg = _load(path)
    model = _build(cfg).to('meta')
    assert isinstance(model, BaseModel)
    model.eval()
    size = 224 if 'resnet50' in path else 32
    logits = model(torch.empty(2, 3, size, size, device='meta'), mode='tensor')
    assert logits.shape == (2, cfg.model.head.num_classes)


def test_demo_classifier_runs_a_training_step():
    cfg = _load(osp.join(REPO, 'configs', 'baseline', 'wrn16-1_demo-cifar.py'))
    model = MODELS.build(_model_cfg(cfg))
    model.init_weights()
    from mmpretrain.structures import DataSample
    data = dict(
        inputs=[torch.randint(0, 256, (3, 32, 32), dtype=torch.uint8)
                for _ in range(4)],
        data_samples=[DataSample().set_gt_label(i) for i in range(4)])
    from mmengine.optim import OptimWrapper
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    losses = model.train_step(data, optim)
    assert torch.isfinite(losses['loss'])
