# Copyright (c) mmautoaug contributors. All rights reserved.
import pytest
import torch

from mmautoaug.models.backbones import ShakeShakeResNet, shake_shake
from mmautoaug.registry import MODELS
from mmautoaug.utils import register_all_modules

register_all_modules()


@pytest.mark.parametrize('width,published', [
    (32, 2.9e6),
    (96, 26.2e6),
    (112, 35.6e6),
])
def test_parameter_count_matches_paper(width, published):
    model = MODELS.build(
        dict(
            type='mmpretrain.ImageClassifier',
            data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor'),
            backbone=dict(
                type='ShakeShakeResNet', depth=26, base_channels=width),
            neck=dict(type='mmpretrain.GlobalAveragePooling'),
            head=dict(
                type='mmpretrain.LinearClsHead',
                num_classes=10,
                in_channels=4 * width,
                loss=dict(type='mmpretrain.CrossEntropyLoss'))))
    count = sum(p.numel() for p in model.parameters())
    assert abs(count - published) / published < 0.02, count


def test_output_shapes_of_every_stage():
    model = ShakeShakeResNet(depth=8, base_channels=8, out_indices=(0, 1, 2))
    model.init_weights()
    outs = model(torch.rand(2, 3, 32, 32))
    assert [tuple(o.shape) for o in outs] == [(2, 8, 32, 32), (2, 16, 16, 16),
                                              (2, 32, 8, 8)]
    assert outs[-1].min() >= 0  # final ReLU
    assert ShakeShakeResNet(depth=26).out_channels == 128


def test_stochastic_in_train_deterministic_in_eval():
    model = ShakeShakeResNet(depth=8, base_channels=8)
    model.init_weights()
    x = torch.rand(4, 3, 32, 32)
    model.train()
    assert not torch.allclose(model(x)[0], model(x)[0])
    model.eval()
    assert torch.equal(model(x)[0], model(x)[0])


def test_eval_averages_the_branches():
    b1, b2 = torch.randn(3, 4, 5, 5), torch.randn(3, 4, 5, 5)
    assert torch.allclose(shake_shake(b1, b2, False), 0.5 * (b1 + b2))


def test_forward_and_backward_coefficients_are_random_per_sample():
    torch.manual_seed(0)
    n = 64
    b1 = torch.ones(n, 2, 3, 3, requires_grad=True)
    b2 = torch.zeros(n, 2, 3, 3, requires_grad=True)
    out = shake_shake(b1, b2, True)
    # forward: alpha * 1 + (1 - alpha) * 0 = alpha, one value per sample
    alpha = out[:, 0, 0, 0].detach()
    assert torch.allclose(out, alpha.view(n, 1, 1, 1).expand_as(out))
    assert alpha.min() >= 0 and alpha.max() <= 1
    assert alpha.std() > 0.1  # differs between samples
    out.sum().backward()
    beta = b1.grad[:, 0, 0, 0]
    # backward: beta to branch 1, 1 - beta to branch 2, one value per sample
    assert torch.allclose(b1.grad, beta.view(n, 1, 1, 1).expand_as(b1.grad))
    assert torch.allclose(b1.grad + b2.grad, torch.ones_like(b1.grad))
    assert beta.std() > 0.1
    # beta is drawn independently of alpha
    assert (beta - alpha).abs().mean() > 0.1


def test_every_parameter_gets_a_gradient():
    model = ShakeShakeResNet(depth=8, base_channels=8)
    model.init_weights()
    model(torch.rand(2, 3, 32, 32))[0].mean().backward()
    for name, param in model.named_parameters():
        assert param.grad is not None and torch.isfinite(param.grad).all(), \
            name


def test_shortcut_uses_both_pixel_phases():
    model = ShakeShakeResNet(depth=8, base_channels=8)
    shortcut = model.stages[1][0].shortcut
    torch.nn.init.ones_(shortcut.conv1.weight)
    torch.nn.init.ones_(shortcut.conv2.weight)
    shortcut.eval()  # BN with fresh running stats is (almost) the identity
    x = torch.zeros(1, 8, 4, 4)
    x[0, :, 1, 1] = 1.0  # only an odd pixel is on
    with torch.no_grad():
        out = shortcut(x)
    half = shortcut.conv1.out_channels
    assert out.shape == (1, 16, 2, 2)
    # the strided path sees the even pixels only, the shifted path the odd
    assert out[0, :half].abs().sum() == 0
    assert torch.allclose(out[0, half:, 0, 0], torch.full((half, ), 8.0),
                          atol=1e-3)
    assert out[0, half:, 1:, :].abs().sum() == 0


@pytest.mark.parametrize('kwargs,field', [
    (dict(depth=25), 'depth'),
    (dict(base_channels=33), 'base_channels'),
    (dict(out_indices=()), 'out_indices'),
])
def test_bad_arguments_name_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        ShakeShakeResNet(**kwargs)
