# Copyright (c) mmautoaug contributors. All rights reserved.
import pytest
import torch

from mmautoaug.models.backbones import WideResNet
from mmautoaug.registry import MODELS
from mmautoaug.utils import register_all_modules

register_all_modules()


def classifier_params(depth, widen_factor, num_classes=10):
    """Parameters of WRN-d-k with a linear head, counted as the papers do."""
    model = MODELS.build(
        dict(
            type='mmpretrain.ImageClassifier',
            data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor'),
            backbone=dict(
                type='WideResNet', depth=depth, widen_factor=widen_factor),
            neck=dict(type='mmpretrain.GlobalAveragePooling'),
            head=dict(
                type='mmpretrain.LinearClsHead',
                num_classes=num_classes,
                in_channels=64 * widen_factor,
                loss=dict(type='mmpretrain.CrossEntropyLoss'))))
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize('depth,widen_factor,published', [
    (40, 2, 2.2e6),
    (28, 10, 36.5e6),
])
def test_parameter_count_matches_paper(depth, widen_factor, published):
    count = classifier_params(depth, widen_factor)
    assert abs(count - published) / published < 0.02, count


def test_output_shapes_of_every_stage():
    model = WideResNet(depth=16, widen_factor=2, out_indices=(0, 1, 2))
    model.init_weights()
    outs = model(torch.rand(2, 3, 32, 32))
    assert [tuple(o.shape) for o in outs] == [(2, 32, 32, 32),
                                              (2, 64, 16, 16),
                                              (2, 128, 8, 8)]
    # the last output is taken after the final BN + ReLU
    assert outs[-1].min() >= 0
    assert model.out_channels == 128


def test_default_returns_last_stage_tuple():
    outs = WideResNet(depth=10, widen_factor=1)(torch.rand(1, 3, 32, 32))
    assert isinstance(outs, tuple) and len(outs) == 1
    assert outs[0].shape == (1, 64, 8, 8)


def test_every_parameter_gets_a_gradient():
    model = WideResNet(depth=10, widen_factor=1)
    model.init_weights()
    out = model(torch.rand(2, 3, 32, 32))[0]
    out.mean().backward()
    for name, param in model.named_parameters():
        assert param.grad is not None, name
        assert torch.isfinite(param.grad).all(), name
    assert model.stem.weight.grad.abs().sum() > 0


def test_init_weights_sets_batchnorm_to_identity():
    model = WideResNet(depth=10, widen_factor=1)
    model.final_norm.weight.data.fill_(3.0)
    model.init_weights()
    assert torch.all(model.final_norm.weight == 1)
    assert torch.all(model.final_norm.bias == 0)


def test_blocks_follow_the_paper():
    model = WideResNet(depth=28, widen_factor=10)
    # (28 - 4) / 6 = 4 blocks per stage
    assert [len(s) for s in model.stages] == [4, 4, 4]
    first = model.stages[1][0]
    assert first.conv1.stride == (2, 2)  # downsampling in the first conv
    assert first.shortcut is not None and first.shortcut.kernel_size == (1, 1)
    assert model.stages[1][1].shortcut is None
    assert model.stages[0][0].conv1.out_channels == 160


def test_dropout_only_in_train_mode():
    model = WideResNet(depth=10, widen_factor=1, drop_rate=0.5)
    x = torch.rand(2, 3, 32, 32)
    model.train()
    assert not torch.equal(model(x)[0], model(x)[0])
    model.eval()
    assert torch.equal(model(x)[0], model(x)[0])


@pytest.mark.parametrize('kwargs,field', [
    (dict(depth=27), 'depth'),
    (dict(depth=4), 'depth'),
    (dict(widen_factor=0), 'widen_factor'),
    (dict(out_indices=(3, )), 'out_indices'),
])
def test_bad_arguments_name_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        WideResNet(**kwargs)


def test_registered_in_mmautoaug_scope():
    model = MODELS.build(dict(type='WideResNet', depth=16, widen_factor=1))
    assert isinstance(model, WideResNet)
    from mmpretrain.models.backbones.base_backbone import BaseBackbone
    assert isinstance(model, BaseBackbone)
