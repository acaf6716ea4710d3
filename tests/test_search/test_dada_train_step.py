# Copyright (c) mmautoaug contributors. All rights reserved.
"""DADASearchModel.train_step against an independent computation.

On a tiny network with a smooth activation (so the finite-difference
Hessian-vector product converges to the exact one), one ``train_step`` is
compared with what the test computes itself, from the step's own sample
and augmented batch:

- magnitudes: ``d L_val(w'(x)) / d x`` by double backward (``w'`` the
  virtual SGD step, built here by hand), summed over the pixels (the
  straight-through estimator: ``d x / d m = 1``), times ``xi`` or not;
- selection logits and probabilities: the RELAX estimate with
  ``f = L_val(w') - L_val(w)`` computed here on the validation batch, the
  control variate of before the step and the score ``d log p(b)`` written
  out (softmax and Bernoulli), not taken from the model;
- the network: ``w - xi * (clip(g) + wd * w)``, the gradient clipped on
  the real step only.

The gradients are read where the policy optimiser receives them.
"""
import copy
from collections import OrderedDict

import pytest
import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmpretrain.structures import DataSample
from torch.func import functional_call

from mmautoaug.augment import sub_policy_pairs
from mmautoaug.augment.spaces import OpRange, SearchSpace
from mmautoaug.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS
from mmautoaug.utils import register_all_modules

register_all_modules()

XI = 0.3  # the network's learning rate: not 1, so a dropped xi shows
WD = 5e-4
MAX_NORM = 0.05  # small enough that the real step is clipped
MEAN, STD = [120.0, 110.0, 100.0], [60.0, 50.0, 70.0]


@MODELS.register_module(force=True)
class SmoothTestNet(BaseModule):
    """Two convolutions with tanh: twice differentiable everywhere."""

    def __init__(self, width=6):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, 3, padding=1)
        self.conv2 = nn.Conv2d(width, width, 3, stride=2, padding=1)

    def forward(self, x):
        return (torch.tanh(self.conv2(torch.tanh(self.conv1(x)))), )


CLASSIFIER = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(type='mmautoaug.SmoothTestNet'),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(
        type='mmpretrain.LinearClsHead',
        num_classes=4,
        in_channels=6,
        loss=dict(type='mmpretrain.CrossEntropyLoss')))


def build(**kwargs):
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='DADASearchModel',
            classifier=CLASSIFIER,
            data_preprocessor=dict(
                type='AugmentDataPreprocessor',
                defer_normalize=True,
                mean=MEAN,
                std=STD),
            seed=0,
            **kwargs))
    optim = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(
            type='SubmoduleOptimWrapperConstructor',
            optim_wrapper_cfg=dict(
                classifier=dict(
                    type='OptimWrapper',
                    optimizer=dict(
                        type='SGD', lr=XI, momentum=0.9, weight_decay=WD),
                    clip_grad=dict(max_norm=MAX_NORM)),
                policy=dict(
                    type='OptimWrapper', optimizer=dict(type='SGD',
                                                        lr=1e-3)))))(
                                                            model)
    return model, optim


def batch(seed, n=8, size=8):
    """Noise with a class colour (class 3: none), so that a step on one
    batch moves the loss of another."""
    g = torch.Generator().manual_seed(seed)
    inputs = []
    for i in range(n):
        img = torch.randint(0, 156, (3, size, size), generator=g)
        if i % 4 < 3:
            img[i % 4] += 100
        inputs.append(img.to(torch.uint8))
    return dict(
        inputs=inputs,
        data_samples=[DataSample().set_gt_label(i % 4) for i in range(n)])


def force_sub_policy(model, pair):
    """Make ``pair`` (both ops applied) the sample of the next step."""
    row = sub_policy_pairs('fastaa').index(pair)
    with torch.no_grad():
        model.policy.logits.zero_()
        model.policy.logits[row] = 20.0
        model.policy.probs[row] = 1.0
    return row


class Recorder:
    """Record the augmented training batch, the policy sample's noise and
    the gradients the policy optimiser is given."""

    def __init__(self, model, optim):
        self.model = model
        self.augmented = None
        self.sample_args = None
        self.grads = None
        normalize = model.data_preprocessor.normalize
        sample = model.policy.sample
        policy_step = optim['policy'].step

        def record_step(**kwargs):
            self.grads = {
                k: torch.zeros_like(p) if p.grad is None else p.grad.clone()
                for k, p in model.policy.named_parameters()
            }
            return policy_step(**kwargs)

        def record_normalize(x):
            # called once per step, on the augmented training batch
            self.augmented = x.detach().clone()
            return normalize(x)

        def record_sample(num, generator):
            state = generator.get_state()
            self.sample_args = (num, state, generator.device)
            return sample(num, generator)

        model.data_preprocessor.normalize = record_normalize
        model.policy.sample = record_sample
        optim['policy'].step = record_step

    def resample(self, policy):
        """The step's sample again, from ``policy`` (a pre-step copy)."""
        num, state, device = self.sample_args
        g = torch.Generator(device=device)
        g.set_state(state)
        return policy.sample(num, g)


def classifier_loss(classifier, params, inputs, samples):
    losses = functional_call(classifier, params, (inputs, samples),
                             dict(mode='loss'))
    return sum(v for k, v in losses.items() if 'loss' in k)


def normalise(x):
    return (x - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(
        1, 3, 1, 1)


class Reference:
    """The step recomputed from the pre-step network and the records."""

    def __init__(self, classifier, augmented, train, val):
        self.net = classifier
        self.params = OrderedDict(
            (k, p.detach().clone()) for k, p in classifier.named_parameters())
        self.train_samples = train['data_samples']
        self.val_inputs = normalise(torch.stack(val['inputs']).float())
        self.val_samples = val['data_samples']
        self.raw = augmented

    def train_grads(self, raw, create_graph=False):
        params = OrderedDict(
            (k, p.clone().requires_grad_()) for k, p in self.params.items())
        loss = classifier_loss(self.net, params, normalise(raw),
                               self.train_samples)
        grads = torch.autograd.grad(
            loss, list(params.values()), create_graph=create_graph)
        return params, grads

    def val_loss(self, params):
        return classifier_loss(self.net, params, self.val_inputs,
                               self.val_samples)

    def virtual(self, params, grads):
        # SGD's first step: momentum buffer = d, w' = w - xi * d
        return OrderedDict((k, p - XI * (g + WD * p))
                           for (k, p), g in zip(params.items(), grads))

    def d_val_d_image(self):
        """d L_val(w'(x)) / d x by double backward."""
        raw = self.raw.clone().requires_grad_()
        params, grads = self.train_grads(raw, create_graph=True)
        f = self.val_loss(self.virtual(params, grads))
        return torch.autograd.grad(f, raw)[0]

    def f_and_baseline(self, first_order=False):
        params, grads = self.train_grads(self.raw)
        with torch.no_grad():
            if first_order:
                moved = self.real_step(grads)
            else:
                moved = self.virtual(params, grads)
            return self.val_loss(moved), self.val_loss(self.params)

    def real_step(self, grads):
        norm = torch.sqrt(sum((g**2).sum() for g in grads))
        scale = min(1.0, MAX_NORM / (float(norm) + 1e-6))
        return OrderedDict((k, p - XI * (g * scale + WD * p))
                           for (k, p), g in zip(self.params.items(), grads))


def step_with_records(model, optim, train, val):
    before = copy.deepcopy(model)  # before the recorder patches the model
    recorder = Recorder(model, optim)
    model.train_step(dict(train=train, val=val), optim)
    return recorder, before


@pytest.mark.parametrize('hvp,rtol', [('finite_difference', 1e-2),
                                      ('double_backward', 1e-4)])
@pytest.mark.parametrize('scale_by_xi', [True, False])
def test_magnitude_gradient_is_the_unrolled_gradient(scale_by_xi, hvp, rtol):
    """Both applied ops' magnitudes follow d L_val(w'(x(m))) / d m."""
    model, optim = build(cutout=4, scale_by_xi=scale_by_xi, hvp=hvp)
    row = force_sub_policy(model, ('Contrast', 'Brightness'))
    train, val = batch(0), batch(1)
    recorder, before = step_with_records(model, optim, train, val)
    ref = Reference(before.classifier, recorder.augmented, train, val)
    exact = ref.d_val_d_image().sum()  # d x / d m = 1 on every pixel
    if not scale_by_xi:
        exact = exact / XI
    got = recorder.grads['magnitudes']
    assert abs(float(exact)) > 1e-6  # not trivially zero
    # the finite-difference product of a smooth network: within 1% (it is
    # within 0.05% here); the double-backward one exact; a flipped sign or
    # a dropped xi is off by 200% or more
    torch.testing.assert_close(
        got[row], exact.expand(2).float(), rtol=rtol, atol=0)
    others = torch.ones_like(got, dtype=torch.bool)
    others[row] = False
    assert torch.all(got[others] == 0)


def test_double_backward_is_exact_on_a_relu_network():
    """On the ReLU Wide-ResNet (with batch norm) of the shipped configs,
    hvp='double_backward' gives the exact unrolled magnitude gradient."""
    model, optim = build(hvp='double_backward')
    relu = dict(
        CLASSIFIER,
        backbone=dict(type='WideResNet', depth=10, widen_factor=1),
        head=dict(CLASSIFIER['head'], in_channels=64))
    torch.manual_seed(0)
    model.classifier = MODELS.build(
        dict(
            relu,
            data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor')))
    optim = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(
            type='SubmoduleOptimWrapperConstructor',
            optim_wrapper_cfg=dict(
                classifier=dict(
                    type='OptimWrapper',
                    optimizer=dict(
                        type='SGD', lr=XI, momentum=0.9, weight_decay=WD)),
                policy=dict(
                    type='OptimWrapper', optimizer=dict(type='SGD',
                                                        lr=1e-3)))))(
                                                            model)
    row = force_sub_policy(model, ('Contrast', 'Brightness'))
    train, val = batch(0), batch(1)
    recorder, before = step_with_records(model, optim, train, val)
    ref = Reference(before.classifier, recorder.augmented, train, val)
    exact = ref.d_val_d_image().sum()
    got = recorder.grads['magnitudes'][row]
    assert abs(float(exact)) > 1e-6
    torch.testing.assert_close(got, exact.expand(2), rtol=1e-4, atol=0)


def test_real_network_step_reuses_the_gradient_and_clips_it():
    model, optim = build()
    train, val = batch(0), batch(1)
    recorder, before = step_with_records(model, optim, train, val)
    ref = Reference(before.classifier, recorder.augmented, train, val)
    _, grads = ref.train_grads(ref.raw)
    expected = ref.real_step(grads)
    for k, p in model.classifier.named_parameters():
        torch.testing.assert_close(p.detach(), expected[k], msg=k)


def score(policy, sample):
    """d log p(b) / d (logits, probs), written out."""
    logits = policy.logits.detach()
    probs = policy.probs.detach()
    num = policy.num_sub_policies
    onehot = torch.zeros(num)
    onehot[sample.index] = 1.0
    d_logits = onehot - torch.softmax(logits, -1)
    # every Bernoulli of the draw: b = H(z), i.e. sigmoid(z / tau) > 0.5
    b = (sample.relaxed[num:].detach().view(num, 2) > 0.5).float()
    d_probs = b / probs - (1 - b) / (1 - probs)
    return d_logits, d_probs


@pytest.mark.parametrize('first_order', [False, True])
@pytest.mark.parametrize('scale_by_xi', [True, False])
def test_relax_gradient_of_logits_and_probs(first_order, scale_by_xi):
    """(f - L_val(w) - c(z~)) d log p(b) + d c(z) - d c(z~), with f the
    validation half's loss after the (virtual or real) step."""
    model, optim = build(first_order=first_order, scale_by_xi=scale_by_xi)
    train, val = batch(0), batch(1)
    recorder, before = step_with_records(model, optim, train, val)
    ref = Reference(before.classifier, recorder.augmented, train, val)
    f, baseline = ref.f_and_baseline(first_order)
    signal = f - baseline
    if not scale_by_xi:
        signal = signal / XI
    sample = recorder.resample(before.policy)
    cv = before.policy.control_variate
    c_z, c_zt = cv(sample.relaxed), cv(sample.relaxed_tilde)
    params = [before.policy.logits, before.policy.probs]
    d_cz = torch.autograd.grad(c_z, params, retain_graph=True)
    d_czt = torch.autograd.grad(c_zt, params, retain_graph=True)
    expected = [(signal - c_zt.detach()) * s + a - b
                for s, a, b in zip(score(before.policy, sample), d_cz, d_czt)]
    got = [recorder.grads['logits'], recorder.grads['probs']]
    # the signal is large enough that a slip in it shows: a flipped sign
    # moves the probabilities' gradient by 2 * |signal| * 2 >> the tolerance
    assert abs(float(signal)) > 5e-3, float(signal)
    for name, g, e in zip(('logits', 'probs'), got, expected):
        torch.testing.assert_close(g, e, rtol=1e-3, atol=2e-4, msg=name)


def quadrant_batch(g, inverted, n=16, size=8):
    """Class k: a bright quadrant k on a dark background; ``inverted``:
    the same images as negatives (a dark quadrant on a bright ground)."""
    labels = torch.randint(0, 4, (n, ), generator=g)
    inputs = []
    for k in labels.tolist():
        img = torch.randint(0, 60, (3, size, size), generator=g)
        y, x = divmod(k, 2)
        half = size // 2
        img[:, y * half:(y + 1) * half, x * half:(x + 1) * half] += 150
        inputs.append((255 - img if inverted else img).to(torch.uint8))
    return dict(
        inputs=inputs,
        data_samples=[DataSample().set_gt_label(k) for k in labels.tolist()])


def planted_search(seed=0, steps=200):
    """The search of the planted-signal test; returns (probs, logits, is
    Invert (per op), has Invert (per sub-policy))."""
    space = SearchSpace(
        'planted',
        (OpRange('Invert'), OpRange('Equalize'), OpRange('AutoContrast')))
    torch.manual_seed(seed)
    model = MODELS.build(
        dict(
            type='DADASearchModel',
            classifier=dict(
                CLASSIFIER,
                backbone=dict(type='mmautoaug.SmoothTestNet', width=8),
                head=dict(CLASSIFIER['head'], in_channels=8)),
            data_preprocessor=dict(
                type='AugmentDataPreprocessor',
                defer_normalize=True,
                mean=[128.0] * 3,
                std=[64.0] * 3),
            policy=dict(space=space),
            topk=3,
            seed=seed))
    optim = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(
            type='SubmoduleOptimWrapperConstructor',
            optim_wrapper_cfg=dict(
                classifier=dict(
                    type='OptimWrapper',
                    optimizer=dict(type='SGD', lr=0.3, momentum=0.9)),
                policy=dict(
                    type='OptimWrapper',
                    optimizer=dict(type='Adam', lr=0.01,
                                   betas=(0.5, 0.999))))))(
                                       model)
    # the control variate starts at 0: the estimate starts as REINFORCE
    # with the validation baseline, and the control variate learns from it
    with torch.no_grad():
        model.policy.control_variate.net[2].weight.zero_()
        model.policy.control_variate.net[2].bias.zero_()
    g = torch.Generator().manual_seed(100 + seed)
    for _ in range(steps):
        model.train_step(
            dict(
                train=quadrant_batch(g, inverted=False),
                val=quadrant_batch(g, inverted=True)), optim)
    is_invert = model.policy.op_index == space.index('Invert')
    return (model.policy.probs.detach(), model.policy.logits.detach(),
            is_invert, is_invert.any(1))


def test_planted_signal_search_learns_to_invert():
    """The validation half is shown inverted: training on inverted images
    is what lowers its loss, so RELAX must raise the probability of Invert
    and the weight of the sub-policies that contain it.

    Three ops (Invert, Equalize, AutoContrast: three sub-policies, two with
    Invert), 200 steps, policy Adam lr 0.01, all starting at 0.5 / equal
    logits. Measured over seeds 0-7: the mean Invert probability ends at
    0.65-0.84 and the Invert sub-policies' mean logit 0.10-0.78 above the
    other's; with the sign of ``f - baseline`` flipped, at 0.14-0.43 and
    0.32-0.84 below.
    """
    probs, logits, is_invert, with_invert = planted_search()
    assert float(probs[is_invert].mean()) > 0.55, probs
    gap = logits[with_invert].mean() - logits[~with_invert].mean()
    assert float(gap) > 0, logits
