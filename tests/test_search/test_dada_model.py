# Copyright (c) mmautoaug contributors. All rights reserved.
"""DADASearchModel: straight-through magnitudes, one step, export."""
import pytest
import torch
from mmengine.optim import OptimWrapperDict
from mmpretrain.structures import DataSample

from mmautoaug.augment import FASTAA, sub_policy_pairs
from mmautoaug.policy import Policy
from mmautoaug.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS
from mmautoaug.search.dada import DADAPolicy, PolicySample
from mmautoaug.utils import register_all_modules

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
OPTIM = dict(
    classifier=dict(
        type='OptimWrapper',
        optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=2e-4)),
    policy=dict(
        type='OptimWrapper',
        optimizer=dict(
            type='Adam', lr=0.005, betas=(0.5, 0.999), weight_decay=0)))


def build(**kwargs):
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='DADASearchModel',
            classifier=CLASSIFIER,
            data_preprocessor=PREPROCESSOR,
            seed=0,
            **kwargs))
    optim = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(type='SubmoduleOptimWrapperConstructor',
             optim_wrapper_cfg=OPTIM))(
                 model)
    return model, optim


def batch(seed, n=8, size=16):
    g = torch.Generator().manual_seed(seed)
    return dict(
        inputs=[
            torch.randint(
                0, 256, (3, size, size), dtype=torch.uint8, generator=g)
            for _ in range(n)
        ],
        data_samples=[DataSample().set_gt_label(i % 4) for i in range(n)])


def fixed_sample(pair, applied):
    """A PolicySample that picks sub-policy ``pair`` for the whole batch."""
    index = torch.tensor([sub_policy_pairs('fastaa').index(pair)])
    applied = torch.tensor([applied], dtype=torch.float32)
    return PolicySample(index, applied, torch.zeros(()), torch.zeros(315),
                        torch.zeros(315), torch.ones(1), applied)


@pytest.mark.parametrize('direction', [1.0, -1.0])
def test_straight_through_magnitude_gradient_sign(direction):
    """Brightness grows with its magnitude: a loss that rewards (or
    penalises) bright images gets a gradient of the matching sign, and
    the true finite-difference effect of the op agrees."""
    model, _ = build()
    images = torch.full((4, 3, 8, 8), 100.0)
    sample = fixed_sample(('Brightness', 'Sharpness'), [1.0, 0.0])
    gen = torch.Generator().manual_seed(0)
    out = model._augment(images, sample, gen)
    loss = direction * out.mean()
    (grad, ) = torch.autograd.grad(loss, [model.policy.magnitudes])
    row = sample.index.item()
    assert grad[row, 0] == pytest.approx(direction)  # d out / d m = 1
    assert torch.count_nonzero(grad) == 1  # not applied: no gradient
    with torch.no_grad():
        effect = []
        for delta in (0.1, -0.1):
            model.policy.magnitudes[row, 0] = 0.5 + delta
            effect.append(direction *
                          model._augment(images, sample, gen).mean())
        model.policy.magnitudes[row, 0] = 0.5
    assert torch.sign(effect[0] - effect[1]) == torch.sign(grad[row, 0])


def test_straight_through_reaches_both_ops():
    model, _ = build()
    images = torch.full((2, 3, 8, 8), 100.0)
    sample = fixed_sample(('Solarize', 'Brightness'), [1.0, 1.0])
    out = model._augment(images, sample, torch.Generator().manual_seed(0))
    (grad, ) = torch.autograd.grad(out.mean(), [model.policy.magnitudes])
    row = sample.index.item()
    torch.testing.assert_close(grad[row], torch.ones(2))


@pytest.mark.parametrize('kwargs', [
    dict(),
    dict(first_order=True),
    dict(estimator='gumbel_st'),
    dict(per_sample=True)
])
def test_train_step_updates_policy_and_network(kwargs):
    model, optim = build(**kwargs)
    assert isinstance(optim, OptimWrapperDict)
    # the policy never reaches the network's optimiser and vice versa
    net_ids = {
        id(p)
        for g in optim['classifier'].param_groups
        for p in g['params']
    }
    assert not net_ids & {id(p) for p in model.policy.parameters()}
    before = {k: v.clone() for k, v in model.state_dict().items()}
    log = model.train_step(dict(train=batch(0), val=batch(1)), optim)
    expected = {'loss', 'val_loss'}
    if kwargs.get('estimator', 'relax') == 'relax':
        expected.add('val_gain')  # L_val(w) - L_val(w'), the RELAX signal
    assert set(log) == expected
    assert torch.isfinite(log['loss']) and torch.isfinite(log['val_loss'])
    after = model.state_dict()
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert 'classifier.head.fc.weight' in changed
    assert 'policy.logits' in changed and 'policy.probs' in changed
    if kwargs.get('first_order'):
        # no Hessian-vector product: the magnitudes keep their values
        assert 'policy.magnitudes' not in changed
    if kwargs.get('estimator') == 'gumbel_st':
        assert not any(k.startswith('policy.control_variate') for k in changed)
    else:
        assert 'policy.control_variate.net.0.weight' in changed
    # ops without a parameter never move their (unused) magnitude
    fixed = model.policy.magnitudes.detach()[model.policy.magnitude_mask == 0]
    assert len(fixed) and torch.all(fixed == 0.5)
    assert int(after['step_count']) == 1
    assert float(model.policy.probs.detach().min()) >= 0
    assert float(model.policy.probs.detach().max()) <= 1


def test_same_seed_same_step():
    logs = []
    for _ in range(2):
        model, optim = build()
        model.train_step(dict(train=batch(0), val=batch(1)), optim)
        logs.append(model.state_dict())
    for k in logs[0]:
        torch.testing.assert_close(logs[0][k], logs[1][k])


def test_export_policy():
    model, _ = build(topk=5)
    with torch.no_grad():
        model.policy.logits.zero_()
        model.policy.logits[7] = 3.0
        model.policy.probs[7] = torch.tensor([0.2, 0.9])
    policy = model.export_policy()
    assert isinstance(policy, Policy)
    assert policy.space_name == 'fastaa' and len(policy) == 5
    first = policy.sub_policies[0]
    assert (first[0].op, first[1].op) == sub_policy_pairs(FASTAA)[7]
    assert first[0].prob == pytest.approx(0.2)
    assert policy.meta['method'] == 'DADA'
    policy.validate()


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match='estimator'):
        build(estimator='reinforce')
    with pytest.raises(ValueError, match='first_order'):
        build(estimator='gumbel_st', first_order=True)
    with pytest.raises(ValueError, match='defer_normalize'):
        MODELS.build(
            dict(
                type='DADASearchModel',
                classifier=CLASSIFIER,
                data_preprocessor=dict(type='AugmentDataPreprocessor')))
    model, optim = build()
    with pytest.raises(ValueError, match='train=.*val='):
        model.train_step(batch(0), optim)
    with pytest.raises(ValueError, match='temperature'):
        DADAPolicy(temperature=0)


def test_constructor_rejects_uncovered_parameters():
    model, _ = build()
    with pytest.raises(ValueError, match='no optimiser'):
        OPTIM_WRAPPER_CONSTRUCTORS.build(
            dict(
                type='SubmoduleOptimWrapperConstructor',
                optim_wrapper_cfg=dict(classifier=OPTIM['classifier'])))(
                    model)
    with pytest.raises(KeyError, match='no submodule'):
        OPTIM_WRAPPER_CONSTRUCTORS.build(
            dict(
                type='SubmoduleOptimWrapperConstructor',
                optim_wrapper_cfg=dict(OPTIM, network=OPTIM['policy'])))(
                    model)


def test_search_steps_train_the_network():
    """With every application probability at 0 the batch is not augmented:
    repeated steps on one batch must fit it (the reused virtual-step
    gradient drives the real SGD step)."""
    model, optim = build()
    with torch.no_grad():
        model.policy.probs.zero_()
    data = dict(train=batch(0), val=batch(1))
    losses = [float(model.train_step(data, optim)['loss']) for _ in range(6)]
    assert losses[-1] < 0.5 * losses[0], losses


def test_cutout_after_the_policy_on_the_training_half_only():
    """cutout=L paints one clipped L x L square of the preprocessor's mean
    colour on every training image (after the policy) and never touches
    the validation batch."""
    model, optim = build(cutout=4)
    assert model.cutout_fill == (128, 128, 128)  # PREPROCESSOR's mean
    with torch.no_grad():
        model.policy.probs.zero_()  # no op applied: only the Cutout shows
    seen = []
    classifier_loss = model._classifier_loss

    def record(inputs, data_samples, params=None):
        seen.append(inputs.detach() * 64.0 + 128.0)  # undo normalisation
        return classifier_loss(inputs, data_samples, params)

    model._classifier_loss = record
    train = dict(
        inputs=[torch.full((3, 16, 16), 10, dtype=torch.uint8)] * 8,
        data_samples=batch(0)['data_samples'])
    val = dict(
        inputs=[torch.full((3, 16, 16), 20, dtype=torch.uint8)] * 8,
        data_samples=batch(1)['data_samples'])
    model.train_step(dict(train=train, val=val), optim)
    trained = seen[0]  # the training pass
    painted = (trained - 128.0).abs() < 1e-3
    assert torch.all(painted.all(1) | ((trained - 10).abs() < 1e-3).all(1))
    counts = painted[:, 0].sum((1, 2))
    # a 4 x 4 square clipped at the borders: at least 2 x 2
    assert torch.all(counts >= 4) and torch.all(counts <= 16), counts
    # validation at w and at w': untouched; the two HVP passes: the painted
    # training batch
    untouched = [
        x for x in seen
        if torch.allclose(x, torch.full_like(x, 20.0), atol=1e-3)
    ]
    assert len(untouched) == 2
    assert sum(torch.allclose(x, trained) for x in seen) == len(seen) - 2


def test_cutout_is_painted_after_the_policy():
    """With Invert applied to every training image, the Cutout square keeps
    the fill colour (128) and the rest is inverted (255 - 10): painted
    before the policy, the square would come out inverted too (127)."""
    model, optim = build(cutout=4)
    pairs = sub_policy_pairs('fastaa')
    row = next(i for i, pair in enumerate(pairs) if 'Invert' in pair)
    with torch.no_grad():
        model.policy.logits.fill_(-30.0)
        model.policy.logits[row] = 30.0
        model.policy.probs.zero_()
        model.policy.probs[row, pairs[row].index('Invert')] = 1.0
    seen = []
    classifier_loss = model._classifier_loss

    def record(inputs, data_samples, params=None):
        seen.append(inputs.detach() * 64.0 + 128.0)  # undo normalisation
        return classifier_loss(inputs, data_samples, params)

    model._classifier_loss = record
    train = dict(
        inputs=[torch.full((3, 16, 16), 10, dtype=torch.uint8)] * 8,
        data_samples=batch(0)['data_samples'])
    model.train_step(dict(train=train, val=batch(1)), optim)
    trained = seen[0]
    painted = ((trained - 128.0).abs() < 1e-3).all(1)
    inverted = ((trained - 245.0).abs() < 1e-3).all(1)
    assert torch.all(painted | inverted)
    assert torch.all(painted.sum((1, 2)) >= 4)


def test_cutout_and_scale_arguments_are_checked():
    with pytest.raises(ValueError, match='cutout'):
        build(cutout=0)
    with pytest.raises(ValueError, match='hvp_r'):
        build(hvp_r=0)
    model, optim = build(scale_by_xi=False)
    optim['classifier'].param_groups[0]['lr'] = 0.0
    with pytest.raises(ValueError, match='scale_by_xi'):
        model.train_step(dict(train=batch(0), val=batch(1)), optim)


def test_logits_start_equal():
    model, _ = build()
    logits = model.policy.logits.detach()
    assert torch.all(logits == 1e-3)
