# Copyright (c) mmautoaug contributors. All rights reserved.
"""The AdvAA configs parse, carry the paper's settings and build."""
import os.path as osp

import pytest
from mmengine.config import Config

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = {
    'cifar10': 'configs/advaa/advaa_wrn28-10_1xb128_cifar10.py',
    'cifar100': 'configs/advaa/advaa_wrn28-10_1xb128_cifar100.py',
    'in1k': 'configs/advaa/advaa_resnet50_8xb32_in1k.py',
    'demo': 'configs/demo/advaa_demo.py',
}


def _load(name):
    return Config.fromfile(osp.join(ROOT, CONFIGS[name]))


@pytest.mark.parametrize('name', sorted(CONFIGS))
def test_generator_settings_are_the_papers(name):
    cfg = _load(name)
    hook, = [h for h in cfg.custom_hooks if h.type == 'AdvAAHook']
    assert hook.num_policies == 8
    assert hook.optimizer == dict(type='Adam', lr=3.5e-4)
    assert hook.entropy_weight == 1e-5
    assert cfg.model.type == 'AdvAAClassifier'
    assert cfg.data_preprocessor.type == 'AugmentDataPreprocessor'
    assert cfg.data_preprocessor.defer_normalize is True
    assert cfg.model.augmentor.space == 'autoaugment'


@pytest.mark.parametrize('name, classes', [('cifar10', 10),
                                           ('cifar100', 100)])
def test_cifar_recipe(name, classes):
    cfg = _load(name)
    assert cfg.train_dataloader.batch_size == 128
    assert cfg.train_cfg.max_epochs == 200
    assert cfg.optim_wrapper.optimizer.lr == 0.1
    assert cfg.optim_wrapper.optimizer.weight_decay == 5e-4
    assert cfg.model.augmentor.cutout == 0.5  # 16 px of 32
    classifier = cfg.model.classifier
    assert classifier.backbone == dict(type='WideResNet', depth=28,
                                       widen_factor=10)
    assert classifier.head.num_classes == classes
    assert cfg.data_preprocessor.num_classes == classes
    assert cfg.train_dataloader.dataset.type == (
        'mmpretrain.CIFAR10' if classes == 10 else 'mmpretrain.CIFAR100')


def test_imagenet_resnet50():
    cfg = _load('in1k')
    assert cfg.model.classifier.backbone.depth == 50
    assert cfg.model.classifier.head.num_classes == 1000
    assert cfg.model.augmentor.cutout is None
    assert cfg.data_preprocessor.to_rgb is True


def test_demo_model_builds():
    from mmautoaug.registry import MODELS
    from mmautoaug.utils import register_all_modules
    register_all_modules()
    cfg = _load('demo')
    model = MODELS.build(dict(cfg.model,
                              data_preprocessor=cfg.data_preprocessor))
    assert model.augmentor.cutout == 0.5
    assert model.data_preprocessor.defer_normalize
