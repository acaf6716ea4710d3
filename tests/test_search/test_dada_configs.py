# Copyright (c) mmautoaug contributors. All rights reserved.
"""The DADA search configs carry the authors' per-data-set settings
(search_relax/train_paper.sh and the released genotypes' names, see
configs/dada/README.md): batch, learning rate, weight decay, Cutout after
the policy on half A, gradient clipping at 5, the cosine floor 0.001, the
policy optimiser; half B is not augmented and is the other part of the same
reduced set."""
import os.path as osp

import pytest
from mmengine.config import Config

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

# config: (batch, lr, weight decay, Cutout px, classes)
SETTINGS = {
    'dada-search_wrn40-2_1xb128_reduced-cifar10.py': (128, 0.1, 2e-4, 16, 10),
    'dada-search_wrn40-2_1xb32_reduced-cifar100.py':
    (32, 0.025, 5e-4, 16, 100),
    'dada-search_wrn28-10_1xb32_reduced-svhn.py': (32, 0.00125, 1e-3, 20, 10),
    'dada-search_resnet50_1xb32_reduced-in1k.py':
    (32, 0.00125, 1e-4, None, 120),
}
# steps of a half-B pipeline: loading, the test transform, packing
UNAUGMENTED = {
    'LoadImageFromFile', 'mmpretrain.PackInputs', 'mmpretrain.ResizeEdge',
    'mmpretrain.CenterCrop'
}


def _load(name):
    return Config.fromfile(osp.join(ROOT, 'configs', 'dada', name))


def _pipeline(split_cfg):
    """The pipeline under a (nested) StratifiedSplitDataset config."""
    while 'pipeline' not in split_cfg:
        split_cfg = split_cfg['dataset']
    return [step['type'] for step in split_cfg['pipeline']]


@pytest.mark.parametrize('name', sorted(SETTINGS))
def test_search_config_has_the_authors_settings(name):
    batch, lr, wd, cutout, classes = SETTINGS[name]
    cfg = _load(name)
    assert cfg.train_dataloader.batch_size == batch
    assert cfg.train_cfg.search_dataloader.batch_size == batch
    assert cfg.train_cfg.max_epochs == 20
    net = cfg.optim_wrapper.classifier
    assert net.optimizer.type == 'SGD'
    assert net.optimizer.lr == lr
    assert net.optimizer.momentum == 0.9
    assert net.optimizer.weight_decay == wd
    assert net.clip_grad == dict(max_norm=5.0)
    policy = cfg.optim_wrapper.policy.optimizer
    assert (policy.type, policy.lr, tuple(policy.betas),
            policy.weight_decay) == ('Adam', 0.005, (0.5, 0.999), 0)
    cosine = cfg.param_scheduler.classifier
    assert cosine.type == 'CosineAnnealingLR'
    assert cosine.eta_min == 0.001 and cosine.T_max == 20
    model = cfg.model
    assert model.type == 'DADASearchModel'
    assert model.cutout == cutout
    assert model.policy.temperature == 0.5
    assert model.first_order is False and model.estimator == 'relax'
    assert model.data_preprocessor.defer_normalize is True
    assert model.classifier.head.num_classes == classes


@pytest.mark.parametrize('name', sorted(SETTINGS))
def test_half_b_is_the_unaugmented_other_part(name):
    cfg = _load(name)
    half_a = cfg.train_dataloader.dataset
    half_b = cfg.train_cfg.search_dataloader.dataset
    assert (half_a.type, half_b.type) == ('StratifiedSplitDataset', ) * 2
    assert (half_a.part, half_b.part) == ('train', 'heldout')
    assert (half_a.heldout, half_a.seed) == (half_b.heldout, half_b.seed)
    assert set(_pipeline(half_b)) <= UNAUGMENTED, _pipeline(half_b)
    # half A: the CPU part of the authors' search augmentation (the policy
    # and Cutout run on the device in the step)
    steps = _pipeline(half_a)
    assert 'mmpretrain.RandomFlip' in steps
    if name.endswith('in1k.py'):
        assert {
            'mmpretrain.RandomResizedCrop', 'mmpretrain.ColorJitter',
            'mmpretrain.Lighting'
        } <= set(steps)
        jitter = [
            s for s in half_a.dataset.pipeline
            if s['type'] == 'mmpretrain.ColorJitter'
        ][0]
        assert (jitter.brightness, jitter.contrast,
                jitter.saturation) == (0.4, 0.4, 0.4)
    else:
        assert 'mmpretrain.RandomCrop' in steps
