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
    'shake10': 'configs/advaa/advaa_shake-shake-26-2x96d_1xb128_cifar10.py',
    'shake100': 'configs/advaa/advaa_shake-shake-26-2x96d_1xb128_cifar100.py',
    'pyramid10':
    'configs/advaa/advaa_pyramidnet272-shakedrop_8xb16_cifar10.py',
    'pyramid100':
    'configs/advaa/advaa_pyramidnet272-shakedrop_8xb16_cifar100.py',
}
SHAKE = 'configs/_base_/models/shake_shake_26_2x96d.py'
PYRAMID = 'configs/_base_/models/pyramidnet272_a200_shakedrop.py'


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
    assert cfg.model.augmentor.cutout == 16  # the paper Cutout, pixels
    classifier = cfg.model.classifier
    assert classifier.backbone == dict(type='WideResNet', depth=28,
                                       widen_factor=10)
    assert classifier.head.num_classes == classes
    assert cfg.data_preprocessor.num_classes == classes
    assert cfg.train_dataloader.dataset.type == (
        'mmpretrain.CIFAR10' if classes == 10 else 'mmpretrain.CIFAR100')


@pytest.mark.parametrize(
    'name, model_file, gpus, classes, epochs, lr, wd',
    [
        # the public reimplementation's confs for these models
        ('shake10', SHAKE, 1, 10, 600, 0.2, 1e-4),
        ('shake100', SHAKE, 1, 100, 1200, 0.1, 5e-4),
        # 8 GPUs x 16: one GPU cannot hold 8 x 128 PyramidNet-272 images
        ('pyramid10', PYRAMID, 8, 10, 600, 0.1, 1e-4),
        ('pyramid100', PYRAMID, 8, 100, 1200, 0.5, 1e-4),
    ])
def test_other_cifar_models(name, model_file, gpus, classes, epochs, lr, wd):
    cfg = _load(name)
    assert f'_{gpus}xb{128 // gpus}_' in CONFIGS[name]
    assert gpus * cfg.train_dataloader.batch_size == 128  # the paper's
    assert cfg.train_cfg.max_epochs == epochs
    assert cfg.param_scheduler.T_max == epochs == cfg.param_scheduler.end
    assert cfg.optim_wrapper.optimizer.lr == lr
    assert cfg.optim_wrapper.optimizer.weight_decay == wd
    assert cfg.optim_wrapper.optimizer.nesterov is True
    assert cfg.model.augmentor.cutout == 16
    classifier = cfg.model.classifier
    assert classifier.head.num_classes == classes
    assert cfg.data_preprocessor.num_classes == classes
    # the same classifier as the model file of ../_base_/models
    model = Config.fromfile(osp.join(ROOT, model_file)).model
    model.head.num_classes = classes
    assert classifier.to_dict() == model.to_dict()


def test_imagenet_resnet50():
    cfg = _load('in1k')
    assert cfg.model.classifier.backbone.depth == 50
    assert cfg.model.classifier.head.num_classes == 1000
    assert cfg.model.augmentor.cutout is None
    assert cfg.data_preprocessor.to_rgb is True
    # the paper's ImageNet recipe: 120 epochs, batch 2048, lr 0.8
    assert cfg.train_cfg.max_epochs == 120
    assert cfg.param_scheduler.type == 'CosineAnnealingLR'
    assert cfg.param_scheduler.T_max == 120
    assert cfg.optim_wrapper.optimizer.lr == 0.8
    assert cfg.optim_wrapper.optimizer.weight_decay == 1e-4
    gpus = 8  # the config's name: 8 GPUs x 32
    assert gpus * cfg.train_dataloader.batch_size * \
        cfg.optim_wrapper.accumulative_counts == 2048


def test_demo_model_builds():
    from mmautoaug.registry import MODELS
    from mmautoaug.utils import register_all_modules
    register_all_modules()
    cfg = _load('demo')
    model = MODELS.build(dict(cfg.model,
                              data_preprocessor=cfg.data_preprocessor))
    assert model.augmentor.cutout == 16
    assert model.data_preprocessor.defer_normalize


@pytest.mark.parametrize('path, replays', [
    ('configs/retrain/wrn28-10_advaa-schedule_1xb128_cifar10.py', True),
    ('configs/retrain/wrn28-10_advaa-policy_1xb128_cifar10.py', False),
    ('configs/retrain/resnet50_advaa-schedule_8xb32_in1k.py', True),
    ('configs/demo/advaa_demo_retrain.py', True),
])
def test_retrain_configs_use_the_schedule_or_the_transfer_policy(
        path, replays):
    cfg = Config.fromfile(osp.join(ROOT, path))
    pipeline = cfg.train_dataloader.dataset.pipeline
    types = [t.type for t in pipeline]
    policy_t = pipeline[types.index('PolicyAugment')]
    hooks = [h.type for h in cfg.get('custom_hooks', [])]
    if replays:
        assert policy_t.schedule.endswith('/policy_schedule')
        assert 'policy' not in policy_t
        assert hooks == ['PolicyScheduleHook']
    else:
        assert policy_t.policy.endswith('/policy_transfer.json')
        assert 'PolicyScheduleHook' not in hooks
    if 'in1k' in path:
        assert 'ClippedCutout' not in types
        assert policy_t.channel_order == 'bgr'
    else:
        # the search's Cutout, after the policy
        cut = types.index('ClippedCutout')
        assert cut == types.index('PolicyAugment') + 1
        assert pipeline[cut].length == 16
