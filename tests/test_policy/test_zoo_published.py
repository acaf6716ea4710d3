# Copyright (c) mmautoaug contributors. All rights reserved.
"""The published DADA and Fast AutoAugment policies of the zoo.

The numbers are pinned here (counts, op frequencies, a checksum of every
number, entries copied from the released source) so that the zoo files
cannot drift; the training code's semantics (level mapping, random mirror,
uniform choice of sub-policy, application probability) are written below
from the released code's description with PIL calls, and the per-image
transform must reproduce them pixel for pixel.
"""
import hashlib
import math
from collections import Counter

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageEnhance, ImageOps

from mmautoaug.augment import FASTAA
from mmautoaug.augment.image_ops import apply_image_op
from mmautoaug.datasets import PolicyAugment
from mmautoaug.policy import load_policy

DADA = ('dada_cifar10', 'dada_cifar100', 'dada_svhn', 'dada_imagenet')
FASTAA_NAMES = ('fastaa_reduced_cifar10', 'fastaa_reduced_svhn',
                'fastaa_reduced_imagenet')
# sha256 of 'op:prob!r:level!r' joined by ',' within and ';' between
# sub-policies, computed from the released genotype.py / archive.py literals
SHA256 = {
    'dada_cifar10':
    'bf32c80039b5d7719081cd873f533331de72b874fd0f84339ca8e72f7f4ed758',
    'dada_cifar100':
    '9f9d959ad5f34ecc24d6eb4eda93d43bc8d137d9cbd391845630c9dd650e4b00',
    'dada_svhn':
    '6f020548f5fc6ba74c8bd770700097b8e3bf11009fcd8257fb45584e06575501',
    'dada_imagenet':
    'f96069d3f65ae030b4188aab6a77051ff80dc875d62729f6d6c5671e89ad739b',
    'fastaa_reduced_cifar10':
    '607c027ec7f088641cebb90dc3b06ba973bb867297880bdfc2a1597255e11fb8',
    'fastaa_reduced_svhn':
    '3db84696dab66b6e838f9707f43728878e69f310307d2bd3e2acfb1e7f4ff06c',
    'fastaa_reduced_imagenet':
    '8c85e2e310fc1965d18e1a29737850c4debb91e291151f7c931ec21759be69d7',
}
COUNTS = {
    'dada_cifar10': 25, 'dada_cifar100': 25, 'dada_svhn': 25,
    'dada_imagenet': 25, 'fastaa_reduced_cifar10': 493,
    'fastaa_reduced_svhn': 497, 'fastaa_reduced_imagenet': 498
}
FREQUENCY = {
    'dada_cifar10': dict(Rotate=6, TranslateX=5, ShearX=5, Brightness=4,
                         TranslateY=4, AutoContrast=4, Color=4, Sharpness=3,
                         Cutout=3, ShearY=2, Equalize=2, Invert=2,
                         Posterize=2, Contrast=2, Solarize=2),
    'dada_cifar100': dict(Posterize=5, TranslateX=5, Sharpness=4, Rotate=4,
                          Contrast=4, Brightness=4, Color=4, Equalize=4,
                          Cutout=4, TranslateY=3, ShearX=3, ShearY=2,
                          AutoContrast=2, Invert=2),
    'fastaa_reduced_imagenet': dict(
        Sharpness=105, Brightness=96, AutoContrast=88, Posterize=78,
        Cutout=76, Color=75, Contrast=75, ShearY=70, Rotate=66, ShearX=60,
        TranslateX=50, TranslateY=44, Equalize=44, Solarize=36, Invert=33),
}
# (name, index, the sub-policy as the released literal has it)
ENTRIES = [
    ('dada_cifar10', 0, [('TranslateX', 0.5183464288711548,
                          0.5752825736999512),
                         ('Rotate', 0.5693835616111755, 0.5274667739868164)]),
    ('dada_cifar10', 24, [('ShearX', 0.5757555961608887, 0.563892662525177),
                          ('TranslateX', 0.4761257469654083,
                           0.49035176634788513)]),
    ('dada_cifar100', 2, [('TranslateY', 0.0, 0.408305287361145),
                          ('Brightness', 0.4716355502605438,
                           0.5204870104789734)]),
    ('dada_cifar100', 13, [('Posterize', 0.30889445543289185,
                            0.03791777789592743),
                           ('Contrast', 1.0, 0.0762958824634552)]),
    ('dada_cifar100', 21, [('Rotate', 1.0, 0.0),
                           ('Equalize', 0.510175883769989,
                            0.37381383776664734)]),
    ('dada_svhn', 24, [('Rotate', 0.5409624576568604, 0.5262851119041443),
                       ('Equalize', 0.5241876244544983, 0.5)]),
    ('dada_imagenet', 12, [('TranslateX', 0.3068506419658661,
                            0.46462544798851013),
                           ('AutoContrast', 0.40107735991477966, 0.0)]),
    ('fastaa_reduced_cifar10', 0, [('Contrast', 0.8320659688593578,
                                    0.49884310562180767),
                                   ('TranslateX', 0.41849883971249136,
                                    0.394023086494538)]),
    ('fastaa_reduced_cifar10', 246, [('Invert', 0.9417455522972059,
                                      0.9021733684991224),
                                     ('Solarize', 0.7693107057723746,
                                      0.7268007946568782)]),
    ('fastaa_reduced_svhn', 0, [('TranslateX', 0.001576965129744562,
                                 0.43180488809874773),
                                ('Invert', 0.7395307279252639,
                                 0.7538444307982558)]),
    ('fastaa_reduced_imagenet', 497, [('AutoContrast', 0.5404508567155423,
                                       0.7472387762067986),
                                      ('Equalize', 0.05649876539221024,
                                       0.5628180219887216)]),
]
# Where the authors put the policy and the Cutout they add after it
# (DADA data.py:95 after the crop and flip; Fast AutoAugment data.py first;
# cutout of the training configs).
TRAINING = {
    'dada_cifar10': ('after_flip', 16), 'dada_cifar100': ('after_flip', 16),
    'dada_svhn': ('after_flip', 20), 'dada_imagenet': ('after_flip', 0),
    'fastaa_reduced_cifar10': ('before_crop', 16),
    'fastaa_reduced_svhn': ('before_crop', 20),
    'fastaa_reduced_imagenet': ('before_crop', 0),
}
# The paper's top-1 error (%) of the policy on the search model, as the
# released READMEs report it.
PAPER = {
    'dada_cifar10': ('Wide-ResNet-40-2', 3.6),
    'dada_cifar100': ('Wide-ResNet-40-2', 20.9),
    'dada_svhn': ('Wide-ResNet-28-10', 1.2),
    'dada_imagenet': ('ResNet-50', 22.5),
    'fastaa_reduced_cifar10': ('Wide-ResNet-40-2', 3.6),
    'fastaa_reduced_svhn': ('Wide-ResNet-28-10', 1.1),
    'fastaa_reduced_imagenet': ('ResNet-50', 22.4),
}


def _checksum(policy):
    text = ';'.join(','.join(f'{op.op}:{op.prob!r}:{op.magnitude!r}'
                             for op in sub) for sub in policy.sub_policies)
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.parametrize('name', sorted(SHA256))
def test_numbers_are_the_released_ones(name):
    policy = load_policy(name)
    assert policy.space_name == 'fastaa' and policy.weights is None
    assert len(policy) == COUNTS[name]
    assert {len(sub) for sub in policy.sub_policies} == {2}
    assert _checksum(policy) == SHA256[name]
    if name in FREQUENCY:
        assert Counter(op.op for sub in policy.sub_policies
                       for op in sub) == FREQUENCY[name]


@pytest.mark.parametrize('name, index, expected', ENTRIES)
def test_entries_copied_from_the_source(name, index, expected):
    sub = load_policy(name).sub_policies[index]
    assert [(op.op, op.prob, op.magnitude) for op in sub] == expected


@pytest.mark.parametrize('name', sorted(SHA256))
def test_meta_cites_the_source_and_the_training_recipe(name):
    meta = load_policy(name).meta
    repo = ('github.com/VDIGPKU/DADA at commit 7e113677c30dbf71430a963c2ac9'
            'd6b2aed7148b' if name in DADA else
            'github.com/kakaobrain/fast-autoaugment at commit 24242242916'
            '16a2158a2265069ee95a78a2d13d9')
    assert repo in meta['source']
    assert ('DADA: Differentiable Automatic Data Augmentation'
            if name in DADA else '"Fast AutoAugment"') in meta['source']
    position, cutout = TRAINING[name]
    assert meta['training']['position'] == position
    assert meta['training']['cutout'] == cutout
    model, error = PAPER[name]
    first = meta['paper_result']['entries'][0]
    assert (first['model'], first['top1_error']) == (model, error)


def test_cifar100_extremes_are_kept_and_noted():
    policy = load_policy('dada_cifar100')
    probs = {(i, j): op.prob for i, sub in enumerate(policy.sub_policies)
             for j, op in enumerate(sub)}
    assert [k for k, p in probs.items() if p == 0.0] == [(2, 0), (14, 1)]
    assert sorted(k for k, p in probs.items()
                  if p == 1.0) == [(13, 1), (18, 1), (21, 0)]
    assert 'probability 0 and 1' in policy.meta['notes']


def test_autoaugment_cifar10_has_the_paper_value_not_fastaa_typo():
    policy = load_policy('autoaugment_cifar10')
    brightness, color = policy.sub_policies[13]
    assert (brightness.op, brightness.prob, brightness.magnitude) == (
        'Brightness', 0.9, 0.6)
    assert (color.op, color.prob, color.magnitude) == ('Color', 0.2, 0.8)
    assert 'typo' in policy.meta['notes']
    assert 'typo' in load_policy('fastaa_reduced_cifar10').meta['notes']


# -------------------------------------------------------------------------
# The training code's semantics, written from its description with PIL:
# value = level * (high - low) + low; geometric ops flip the sign with
# probability 1/2; Posterize keeps int(value) bits; Cutout is CutoutAbs.
RANGES = {
    'ShearX': (-0.3, 0.3), 'ShearY': (-0.3, 0.3),
    'TranslateX': (-0.45, 0.45), 'TranslateY': (-0.45, 0.45),
    'Rotate': (-30, 30), 'AutoContrast': (0, 1), 'Invert': (0, 1),
    'Equalize': (0, 1), 'Solarize': (0, 256), 'Posterize': (4, 8),
    'Contrast': (0.1, 1.9), 'Color': (0.1, 1.9), 'Brightness': (0.1, 1.9),
    'Sharpness': (0.1, 1.9), 'Cutout': (0, 0.2),
}
MIRRORED = ('ShearX', 'ShearY', 'TranslateX', 'TranslateY', 'Rotate')


def reference_op(img: Image.Image, name: str, level: float, negate: bool,
                 centre=None) -> Image.Image:
    low, high = RANGES[name]
    v = level * (high - low) + low
    if name in MIRRORED and negate:
        v = -v
    w, h = img.size
    if name == 'ShearX':
        return img.transform(img.size, Image.AFFINE, (1, v, 0, 0, 1, 0))
    if name == 'ShearY':
        return img.transform(img.size, Image.AFFINE, (1, 0, 0, v, 1, 0))
    if name == 'TranslateX':
        return img.transform(img.size, Image.AFFINE, (1, 0, v * w, 0, 1, 0))
    if name == 'TranslateY':
        return img.transform(img.size, Image.AFFINE, (1, 0, 0, 0, 1, v * h))
    if name == 'Rotate':
        return img.rotate(v)
    if name == 'AutoContrast':
        return ImageOps.autocontrast(img)
    if name == 'Invert':
        return ImageOps.invert(img)
    if name == 'Equalize':
        return ImageOps.equalize(img)
    if name == 'Solarize':
        return ImageOps.solarize(img, v)
    if name == 'Posterize':
        return ImageOps.posterize(img, int(v))
    if name in ('Contrast', 'Color', 'Brightness', 'Sharpness'):
        return getattr(ImageEnhance, name)(img).enhance(v)
    assert name == 'Cutout'
    if v <= 0:
        return img
    side = v * w
    x0 = int(max(0, centre[0] - side / 2.))
    y0 = int(max(0, centre[1] - side / 2.))
    out = img.copy()
    ImageDraw.Draw(out).rectangle(
        (x0, y0, min(w, x0 + side), min(h, y0 + side)), (125, 123, 114))
    return out


class _FixedCentre:
    """Stands for the generator that draws Cutout's centre."""

    def __init__(self, centre):
        self.values = list(centre)

    def uniform(self, low, high):
        return self.values.pop(0)


@pytest.fixture(scope='module')
def image():
    rng = np.random.default_rng(7)
    img = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
    img[8:24, 10:20] = (230, 40, 90)  # structure for the geometric ops
    return img


@pytest.mark.parametrize('name', DADA + FASTAA_NAMES)
def test_each_op_replays_the_released_mapping(name, image):
    """Every op of the DADA policies (and the first 40 sub-policies of Fast
    AutoAugment's), both signs: ours at the space's parameter equals the
    released code's PIL calls at its value."""
    policy = load_policy(name)
    subs = policy.sub_policies[:40]
    pil = Image.fromarray(image)
    for sub in subs:
        for op in sub:
            for negate in (False, True):
                centre = (11.3, 25.8)
                sign = -1.0 if negate and op.op in MIRRORED else 1.0
                ours = apply_image_op(
                    image, op.op, FASTAA.param(op.op, op.magnitude, sign),
                    fill=FASTAA.fill, cutout_fill=FASTAA.cutout_fill,
                    rng=_FixedCentre(centre))
                ref = np.asarray(
                    reference_op(pil, op.op, op.magnitude, negate, centre))
                np.testing.assert_array_equal(ours, ref, err_msg=str(op))


def reference_policy(policy, img: np.ndarray, rng) -> np.ndarray:
    """The training code's ``Augmentation.__call__`` on the same random
    draws: a sub-policy chosen uniformly, each op applied with its
    probability, geometric ops mirrored with probability 1/2."""
    out = Image.fromarray(img)
    sub = policy.sub_policies[int(rng.integers(len(policy)))]
    drawn = []  # (op, negate): what applies, decided before any pixel
    for op in sub:
        if not rng.random() < op.prob:
            continue
        drawn.append((op, op.op in MIRRORED and rng.random() < 0.5))
    for op, negate in drawn:
        centre = None
        if op.op == 'Cutout':  # its centre is drawn when it is applied
            centre = (rng.uniform(0, img.shape[1]),
                      rng.uniform(0, img.shape[0]))
        out = reference_op(out, op.op, op.magnitude, negate, centre)
    return np.asarray(out)


@pytest.mark.parametrize('name', ['dada_cifar100', 'fastaa_reduced_svhn'])
def test_policy_augment_replays_the_training_code(name, image):
    policy = load_policy(name)
    transform = PolicyAugment(name, seed=3)
    rng = np.random.default_rng(np.random.SeedSequence([3, 0, 0]))
    changed = 0
    for _ in range(300):
        ours = transform(dict(img=image.copy()))['img']
        ref = reference_policy(policy, image, rng)
        np.testing.assert_array_equal(ours, ref)
        changed += not np.array_equal(ours, image)
    assert changed > 150  # most draws apply something


def test_sub_policies_are_chosen_uniformly_and_ops_by_their_prob():
    policy = load_policy('dada_cifar100')
    rng = np.random.default_rng(0)
    counts = Counter()
    applied = Counter()
    draws = 25000
    for _ in range(draws):
        applied.update(op for op, _ in policy.sample_ops(rng))
    # no sub-policy repeats an op, so each draw applies an op name at most
    # once, with probability sum over sub-policies of prob / 25
    for sub in policy.sub_policies:
        for op in sub:
            counts[op.op] += op.prob / len(policy)
    for op, rate in counts.items():
        expected = rate * draws
        sd = math.sqrt(draws * rate * (1 - min(rate, 1.0)))
        assert abs(applied[op] - expected) <= 4 * sd + 1, op
