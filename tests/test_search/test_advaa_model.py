# Copyright (c) mmautoaug contributors. All rights reserved.
"""AdvAAClassifier: one pass over M copies, losses grouped by policy."""
import numpy as np
import pytest
import torch
import torch.nn as nn
from mmpretrain.structures import DataSample

from mmautoaug.augment import AUTOAUGMENT
from mmautoaug.models import AugmentDataPreprocessor
from mmautoaug.search.advaa import AdvAAClassifier

INVERT = AUTOAUGMENT.index('Invert')
BRIGHTNESS = AUTOAUGMENT.index('Brightness')


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny tensors: one intra-op thread avoids OpenMP spin-waits on a busy
    machine (10-100x faster here)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


class _Loss(nn.Module):

    def forward(self, score, target, reduction_override=None):
        assert reduction_override == 'none'
        return score


class _Head(nn.Module):

    def __init__(self):
        super().__init__()
        self.loss_module = _Loss()

    def forward(self, feats):
        return feats[-1]


class MeanPixelClassifier(nn.Module):
    """Stand-in classifier whose per-image loss is the image's mean value."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(()))
        self.head = _Head()
        self.batch_sizes = []

    def extract_feat(self, x):
        self.batch_sizes.append(x.shape[0])
        return (x.mean((1, 2, 3)) * self.scale, )


def _preprocessor():
    return AugmentDataPreprocessor(defer_normalize=True, mean=[0.0] * 3,
                                   std=[255.0] * 3)


def _brightened(value: float) -> float:
    """Brightness at magnitude 0.9 of a constant image, per the op library."""
    from mmautoaug.augment.image_ops import apply_image_op
    img = np.full((2, 2, 3), value, np.uint8)
    factor = AUTOAUGMENT.param('Brightness', 0.9)
    return float(apply_image_op(img, 'Brightness', factor)[0, 0, 0])


def _samples(labels):
    return [DataSample().set_gt_label(int(i)) for i in labels]


def test_losses_are_credited_to_the_policy_that_made_the_copy():
    model = AdvAAClassifier(classifier=MeanPixelClassifier(),
                            augmentor=dict(type='PolicyBatchAugment'),
                            data_preprocessor=_preprocessor())
    # policy 0 inverts, policy 1 does nothing, policy 2 brightens (x1.72)
    model.set_policy_arrays(
        torch.tensor([[[INVERT]], [[INVERT]], [[BRIGHTNESS]]]),
        torch.tensor([[[1.0]], [[0.0]], [[1.0]]]),
        # magnitudes arrive as float64 (from Policy.to_arrays / to_arrays)
        torch.tensor([[[0.0]], [[0.0]], [[0.9]]], dtype=torch.float64))
    x = torch.full((4, 3, 8, 8), 50.0)
    out = model(x, _samples(range(4)), mode='loss')
    x[:2] = 100.0  # a second step with other images
    model(x, _samples(range(4)), mode='loss')
    # ONE forward pass per step, over the M * N images
    assert model.classifier.batch_sizes == [12, 12]
    expected_first = torch.tensor([205.0, 50.0, _brightened(50)]) / 255
    torch.testing.assert_close(out['loss'], expected_first.mean())
    loss_sum, count = model.pop_policy_losses()
    second = torch.tensor([
        (155 + 205) / 2, (100 + 50) / 2,
        (_brightened(100) + _brightened(50)) / 2
    ]) / 255
    assert float(count) == 8
    torch.testing.assert_close(loss_sum.float(), 4 * (expected_first + second))
    # popping resets the sums
    loss_sum, count = model.pop_policy_losses()
    assert float(count) == 0 and float(loss_sum.abs().sum()) == 0


def test_gradient_is_the_mean_over_copies():
    model = AdvAAClassifier(classifier=MeanPixelClassifier(),
                            augmentor=dict(type='PolicyBatchAugment'),
                            data_preprocessor=_preprocessor())
    model.set_policy_arrays(torch.tensor([[[INVERT]], [[INVERT]]]),
                            torch.tensor([[[1.0]], [[0.0]]]),
                            torch.zeros(2, 1, 1))
    x = torch.full((2, 3, 4, 4), 55.0)
    model(x, _samples([0, 1]), mode='loss')['loss'].backward()
    # d/d scale of mean(image means) = mean of the copies' image means
    expected = (200.0 + 55.0) / 2 / 255
    assert float(model.classifier.scale.grad) == pytest.approx(expected)


def test_with_an_mmpretrain_classifier():
    from mmautoaug.utils import register_all_modules
    register_all_modules()
    torch.manual_seed(0)
    model = AdvAAClassifier(
        classifier=dict(
            type='mmpretrain.ImageClassifier',
            backbone=dict(type='mmautoaug.WideResNet', depth=10,
                          widen_factor=1),
            neck=dict(type='mmpretrain.GlobalAveragePooling'),
            head=dict(type='mmpretrain.LinearClsHead', num_classes=3,
                      in_channels=64,
                      loss=dict(type='mmpretrain.CrossEntropyLoss'))),
        augmentor=dict(type='PolicyBatchAugment', cutout=8, seed=0),
        data_preprocessor=dict(type='AugmentDataPreprocessor',
                               defer_normalize=True, mean=[128.0] * 3,
                               std=[64.0] * 3))
    model.set_policy_arrays(torch.randint(0, 16, (4, 5, 2)),
                            torch.ones(4, 5, 2), torch.rand(4, 5, 2))
    data = dict(inputs=[torch.randint(0, 256, (3, 16, 16), dtype=torch.uint8)
                        for _ in range(3)],
                data_samples=_samples([0, 1, 2]))
    batch = model.data_preprocessor(data, training=True)
    assert batch['inputs'].max() > 1.5  # not normalised: the policy's input
    losses = model(**batch, mode='loss')
    losses['loss'].backward()
    assert next(model.classifier.backbone.parameters()).grad.abs().sum() > 0
    loss_sum, count = model.pop_policy_losses()
    assert loss_sum.shape == (4, ) and float(count) == 3
    torch.testing.assert_close(loss_sum.sum() / (4 * 3),
                               losses['loss'].double().detach(), rtol=1e-5,
                               atol=1e-6)
    # the per-sample losses average to the head's own (mean) loss
    model.eval()
    x = model.data_preprocessor.normalize(batch['inputs'])
    samples = batch['data_samples']
    with torch.no_grad():
        per_sample = model.per_sample_loss(x, samples)
        own = model.classifier.loss(x, samples)['loss']
    torch.testing.assert_close(per_sample.mean(), own)
    # evaluation goes straight to the classifier, normalised by the
    # preprocessor
    preds = model.val_step(data)
    assert len(preds) == 3 and preds[0].pred_score.shape == (3, )


def test_misconfiguration_is_named():
    with pytest.raises(ValueError, match='defer_normalize'):
        AdvAAClassifier(classifier=MeanPixelClassifier(),
                        data_preprocessor=AugmentDataPreprocessor())
    with pytest.raises(ValueError, match='loss_module'):
        AdvAAClassifier(classifier=nn.Linear(2, 2),
                        data_preprocessor=_preprocessor())
    model = AdvAAClassifier(classifier=MeanPixelClassifier(),
                            data_preprocessor=_preprocessor())
    with pytest.raises(RuntimeError, match='no policies'):
        model.pop_policy_losses()
    with pytest.raises(RuntimeError, match='AdvAAHook'):
        model(torch.zeros(1, 3, 4, 4), _samples([0]), mode='loss')


def test_export_policy_is_the_union_of_the_epochs_policies():
    from mmautoaug.models import AdvAAPolicyGenerator
    from mmautoaug.models.policy_models.advaa import union_policy
    gen = AdvAAPolicyGenerator()
    actions = gen(3, generator=torch.Generator().manual_seed(0)).actions
    model = AdvAAClassifier(classifier=MeanPixelClassifier(),
                            data_preprocessor=_preprocessor())
    model.set_policy_arrays(*gen.to_arrays(actions))
    policy = model.export_policy()
    assert len(policy) == 3 * 5 and policy.weights is None
    assert policy.meta['num_policies'] == 3
    for m, one in enumerate(gen.to_policies(actions)):
        assert policy.sub_policies[m * 5:(m + 1) * 5] == one.sub_policies
    assert union_policy('autoaugment', *gen.to_arrays(actions)) \
        .sub_policies == policy.sub_policies
    # non-uniform sub-policy weights are kept, divided among the policies
    weights = torch.tensor([[1.0, 0, 0, 0, 0]] * 3)
    model.set_policy_arrays(*gen.to_arrays(actions), weights=weights)
    assert model.export_policy().weights == [1 / 3, 0, 0, 0, 0] * 3


def test_the_classifier_learns_under_the_adversarial_copies():
    from mmengine.optim import OptimWrapper

    from mmautoaug.models import AdvAAPolicyGenerator
    from mmautoaug.utils import register_all_modules
    register_all_modules()
    torch.manual_seed(0)
    model = AdvAAClassifier(
        classifier=dict(
            type='mmpretrain.ImageClassifier',
            backbone=dict(type='WideResNet', depth=10, widen_factor=1),
            neck=dict(type='mmpretrain.GlobalAveragePooling'),
            head=dict(type='mmpretrain.LinearClsHead', num_classes=2,
                      in_channels=64,
                      loss=dict(type='mmpretrain.CrossEntropyLoss'))),
        augmentor=dict(type='PolicyBatchAugment', cutout=8, seed=0),
        data_preprocessor=dict(type='AugmentDataPreprocessor',
                               defer_normalize=True, mean=[127.5] * 3,
                               std=[127.5] * 3))
    gen = AdvAAPolicyGenerator()
    model.set_policy_arrays(*gen.to_arrays(
        gen(8, generator=torch.Generator().manual_seed(0)).actions))
    # two classes: which colour channel is bright
    rng = np.random.default_rng(0)
    images = rng.integers(0, 60, (32, 3, 16, 16)).astype(np.uint8)
    images[np.arange(32), np.arange(32) % 2] += 150
    data = dict(inputs=list(torch.from_numpy(images)),
                data_samples=_samples(np.arange(32) % 2))
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1,
                                         momentum=0.9))
    losses = [
        float(model.train_step(data, optim)['loss'].detach())
        for _ in range(10)
    ]
    assert losses[-1] < 0.5 * losses[0]


def test_with_no_op_policies_it_trains_exactly_like_the_classifier():
    from mmengine.optim import OptimWrapper

    from mmautoaug.registry import MODELS
    from mmautoaug.utils import register_all_modules
    register_all_modules()
    norm = dict(mean=[120.0, 110.0, 100.0], std=[60.0, 50.0, 70.0])
    classifier = dict(
        type='mmpretrain.ImageClassifier',
        backbone=dict(type='WideResNet', depth=10, widen_factor=1),
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(type='mmpretrain.LinearClsHead', num_classes=3,
                  in_channels=64,
                  loss=dict(type='mmpretrain.CrossEntropyLoss')))
    torch.manual_seed(0)
    plain = MODELS.build(dict(
        classifier, data_preprocessor=dict(
            type='mmpretrain.ClsDataPreprocessor', **norm)))
    torch.manual_seed(0)
    advaa = AdvAAClassifier(
        classifier=classifier,
        augmentor=dict(type='PolicyBatchAugment'),
        data_preprocessor=dict(type='AugmentDataPreprocessor',
                               defer_normalize=True, **norm))
    advaa.set_policy_arrays(np.zeros((1, 1, 1), np.int64),
                            np.zeros((1, 1, 1)), np.zeros((1, 1, 1)))
    g = torch.Generator().manual_seed(0)
    data = dict(inputs=[torch.randint(0, 256, (3, 16, 16), generator=g,
                                      dtype=torch.uint8) for _ in range(4)],
                data_samples=_samples([0, 1, 2, 0]))
    optims = [OptimWrapper(torch.optim.SGD(m.parameters(), lr=0.1,
                                           momentum=0.9))
              for m in (plain, advaa)]
    for _ in range(3):
        a = plain.train_step(data, optims[0])['loss']
        b = advaa.train_step(data, optims[1])['loss']
        torch.testing.assert_close(a, b)
    theirs = advaa.classifier.state_dict()
    for k, v in plain.state_dict().items():
        if not k.startswith('data_preprocessor'):
            torch.testing.assert_close(theirs[k], v, msg=k)
