# Copyright (c) mmautoaug contributors. All rights reserved.
"""The three search steps on the GPU: DADA's, AWS's and AdvAA's train_step
run there end to end (augmentation included), update what they should, and
AdvAA's and AWS's steps also run under AMP (``AmpOptimWrapper``); DADA's
unrolled second-order step has no AMP path (it differentiates through a
virtual SGD step in float32)."""
import pytest
import torch
from mmengine.optim import AmpOptimWrapper, OptimWrapper
from mmpretrain.structures import DataSample

from mmautoaug.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS
from mmautoaug.utils import register_all_modules

pytestmark = pytest.mark.cuda
register_all_modules()

CLASSIFIER = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(type='WideResNet', depth=10, widen_factor=1),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(
        type='mmpretrain.LinearClsHead',
        num_classes=4,
        in_channels=64,
        loss=dict(type='mmpretrain.CrossEntropyLoss')))
PREPROCESSOR = dict(
    type='AugmentDataPreprocessor',
    defer_normalize=True,
    mean=[128.0] * 3,
    std=[64.0] * 3)


def _batch(seed, n=16, size=32):
    g = torch.Generator().manual_seed(seed)
    return dict(
        inputs=[
            torch.randint(
                0, 256, (3, size, size), dtype=torch.uint8, generator=g)
            for _ in range(n)
        ],
        data_samples=[DataSample().set_gt_label(i % 4) for i in range(n)])


def _snapshot(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _changed(before, model):
    after = model.state_dict()
    return {k for k in before if not torch.equal(before[k], after[k])}


def _on_device(model, device):
    params = list(model.parameters()) + list(model.buffers())
    return all(t.device.type == device.type for t in params)


def test_dada_step(device):
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='DADASearchModel',
            classifier=CLASSIFIER,
            data_preprocessor=PREPROCESSOR,
            seed=0)).to(device)
    optim = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(
            type='SubmoduleOptimWrapperConstructor',
            optim_wrapper_cfg=dict(
                classifier=dict(
                    type='OptimWrapper',
                    optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
                policy=dict(
                    type='OptimWrapper',
                    optimizer=dict(
                        type='Adam', lr=0.005, betas=(0.5, 0.999))))))(
                            model)
    before = _snapshot(model)
    for step in range(2):
        log = model.train_step(
            dict(train=_batch(2 * step), val=_batch(2 * step + 1)), optim)
        assert all(torch.isfinite(v).all() for v in log.values())
    changed = _changed(before, model)
    assert 'classifier.head.fc.weight' in changed
    assert {'policy.logits', 'policy.probs', 'policy.magnitudes'} <= changed
    assert _on_device(model, device)


def _skip_amp_off_gpu(device, amp):
    if amp and device.type != 'cuda':
        pytest.skip('AmpOptimWrapper needs a GPU')


def _advaa(device, amp):
    _skip_amp_off_gpu(device, amp)
    from mmautoaug.models import AdvAAPolicyGenerator
    from mmautoaug.search.advaa import AdvAAClassifier
    torch.manual_seed(0)
    model = AdvAAClassifier(
        classifier=CLASSIFIER,
        augmentor=dict(type='PolicyBatchAugment', seed=0),
        data_preprocessor=PREPROCESSOR)
    gen = AdvAAPolicyGenerator()
    actions = gen(4, generator=torch.Generator().manual_seed(0)).actions
    model.set_policy_arrays(*gen.to_arrays(actions))
    model.to(device)
    sgd = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    optim = AmpOptimWrapper(optimizer=sgd) if amp else OptimWrapper(sgd)
    return model, optim


@pytest.mark.parametrize('amp', [False, True])
def test_advaa_step(device, amp):
    """M = 4 copies per batch, on the GPU; per-policy losses collected."""
    model, optim = _advaa(device, amp)
    before = _snapshot(model)
    data = _batch(0)
    losses = [
        float(model.train_step(data, optim)['loss'].detach())
        for _ in range(3)
    ]
    assert all(torch.isfinite(torch.tensor(losses)))
    assert 'classifier.head.fc.weight' in _changed(before, model)
    loss_sum, count = model.pop_policy_losses()
    assert loss_sum.shape == (4, ) and float(count) == 3 * len(data['inputs'])
    assert torch.isfinite(loss_sum).all()


@pytest.mark.parametrize('amp', [False, True])
def test_aws_step(device, amp):
    from mmautoaug.augment import AWS
    from mmautoaug.search.aws import AWSImageClassifier
    _skip_amp_off_gpu(device, amp)
    torch.manual_seed(0)
    model = AWSImageClassifier(
        data_preprocessor=dict(PREPROCESSOR, num_classes=4),
        **{k: v
           for k, v in CLASSIFIER.items() if k != 'type'}).to(device)
    c = len(AWS.candidates)
    model.set_distribution(torch.full((c, c), 1.0 / (c * c)))
    sgd = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    optim = AmpOptimWrapper(optimizer=sgd) if amp else OptimWrapper(sgd)
    before = _snapshot(model)
    for step in range(3):
        log = model.train_step(_batch(step), optim)
        assert torch.isfinite(log['loss'])
    assert 'head.fc.weight' in _changed(before, model)
    assert int(model.pair_usage.sum()) == 3 * 16
