# Copyright (c) mmautoaug contributors. All rights reserved.
"""AWSImageClassifier: ordered pairs applied on the device, usage counted."""
import pytest
import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper
from mmpretrain.structures import DataSample

from mmautoaug.augment import AWS
from mmautoaug.registry import MODELS
from mmautoaug.search.aws import AWSImageClassifier
from mmautoaug.utils import register_all_modules

register_all_modules()
C = len(AWS.candidates)


@MODELS.register_module(force=True)
class _AWSModelTinyNet(nn.Module):

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)

    def forward(self, x):
        return (torch.relu(self.conv(x)), )


def _model(**preproc):
    preproc = dict(dict(type='AugmentDataPreprocessor', defer_normalize=True,
                        num_classes=2, mean=[0.0] * 3, std=[255.0] * 3),
                   **preproc)
    return AWSImageClassifier(
        data_preprocessor=preproc,
        backbone=dict(type='_AWSModelTinyNet'),
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(type='mmpretrain.LinearClsHead', num_classes=2,
                  in_channels=4,
                  loss=dict(type='mmpretrain.CrossEntropyLoss')))


def _only(first, second):
    """A distribution with all its mass on the ordered pair (first, second)."""
    probs = torch.zeros(C, C)
    probs[AWS.candidates.index(first), AWS.candidates.index(second)] = 1.0
    return probs


INVERT, SOLARIZE_ALL, POSTERIZE_4 = ('Invert', 0.0), ('Solarize', 1.0), \
    ('Posterize', 1.0)


@pytest.fixture
def batch():
    gen = torch.Generator().manual_seed(0)
    return torch.randint(0, 256, (6, 3, 8, 8), generator=gen).float()


def test_pair_is_applied_in_order_and_counted(batch):
    model = _model()
    model.set_distribution(_only(INVERT, POSTERIZE_4))
    out = model.augment(batch)
    # Invert then Posterize to 4 bits: keep the top 4 bits of 255 - x
    assert torch.equal(out, torch.floor((255 - batch) / 16) * 16)
    model.set_distribution(_only(POSTERIZE_4, INVERT))
    out = model.augment(batch)
    assert torch.equal(out, 255 - torch.floor(batch / 16) * 16)
    usage = model.pair_usage.view(C, C)
    i, p = AWS.candidates.index(INVERT), AWS.candidates.index(POSTERIZE_4)
    assert usage[i, p] == 6 and usage[p, i] == 6 and usage.sum() == 12
    model.reset_usage()
    assert model.pair_usage.sum() == 0


def test_solarize_at_full_magnitude_then_invert_is_the_identity(batch):
    model = _model()
    model.set_distribution(_only(SOLARIZE_ALL, INVERT))  # threshold 0
    assert torch.equal(model.augment(batch), batch)


def test_uniform_start_and_bad_distribution():
    model = _model()
    assert torch.allclose(model.pair_probs, torch.full((C * C, ), 1 / C**2))
    with pytest.raises(ValueError, match='probabilities'):
        model.set_distribution(torch.ones(5))
    with pytest.raises(ValueError, match='defer_normalize'):
        _model(defer_normalize=False)


def test_state_dict_is_an_image_classifiers():
    keys = set(_model().state_dict())
    assert not any(k.startswith(('pair_', 'candidate_')) for k in keys)
    assert 'backbone.conv.weight' in keys


def test_cutout_after_the_pair_is_a_clipped_black_square():
    model = _model()
    model.cutout = 4
    model.set_distribution(_only(INVERT, INVERT))  # identity pair
    out = model.augment(torch.full((64, 3, 8, 8), 255.0))
    for img in out:
        black = (img == 0).all(0)
        rows, cols = torch.nonzero(black, as_tuple=True)
        # one square of side 4 around a centre in the image, clipped at the
        # borders (2x2 in a corner); everything else untouched
        assert 4 <= int(black.sum()) <= 16
        assert int(black.sum()) == (int(rows.max() - rows.min()) + 1) * (
            int(cols.max() - cols.min()) + 1)
        assert bool((img[:, ~black] == 255).all())
    with pytest.raises(ValueError, match='cutout'):
        AWSImageClassifier(cutout=0, backbone=dict(type='_AWSModelTinyNet'))


def test_the_loss_path_every_wrapper_reaches_augments_and_normalises():
    """``model(inputs, samples, mode='loss')`` is what MMEngine's DDP
    wrapper calls after its own preprocessing: the pair, then the
    normalisation, happen there."""
    model = _model()
    model.set_distribution(_only(INVERT, POSTERIZE_4))
    seen = []
    model.backbone.register_forward_pre_hook(
        lambda m, args: seen.append(args[0].detach().clone()))
    x = torch.randint(0, 256, (2, 3, 8, 8)).float()
    samples = [DataSample().set_gt_label(0), DataSample().set_gt_label(1)]
    model(x, samples, mode='loss')['loss'].backward()
    assert torch.equal(seen[0], torch.floor((255 - x) / 16) * 16 / 255)
    assert int(model.pair_usage.sum()) == 2


def test_train_step_trains_on_augmented_normalised_inputs():
    model = _model()
    model.set_distribution(_only(INVERT, INVERT))  # identity pair
    seen = []
    model.backbone.register_forward_pre_hook(
        lambda m, args: seen.append(args[0].detach().clone()))
    imgs = [torch.full((3, 8, 8), 255, dtype=torch.uint8)] * 2
    samples = [DataSample().set_gt_label(0), DataSample().set_gt_label(1)]
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    before = model.backbone.conv.weight.detach().clone()
    log_vars = model.train_step(dict(inputs=imgs, data_samples=samples),
                                optim)
    assert torch.isfinite(log_vars['loss'])
    # normalised after the (identity) pair: 255 / 255 = 1
    assert torch.equal(seen[0], torch.ones(2, 3, 8, 8))
    assert not torch.equal(model.backbone.conv.weight, before)
    assert int(model.pair_usage.sum()) == 2
