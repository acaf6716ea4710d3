# Copyright (c) mmautoaug contributors. All rights reserved.
import json
import os.path as osp

import pytest
from torchvision.transforms import AutoAugment, AutoAugmentPolicy

from mmautoaug.augment import AUTOAUGMENT
from mmautoaug.policy import (NOT_BUNDLED, ZOO_DIR, Policy, PolicyError,
                              list_zoo, load_policy)

AA_FILES = {
    'autoaugment_cifar10': AutoAugmentPolicy.CIFAR10,
    'autoaugment_svhn': AutoAugmentPolicy.SVHN,
    'autoaugment_imagenet': AutoAugmentPolicy.IMAGENET,
}


def test_zoo_lists_the_shipped_files():
    assert set(AA_FILES) <= set(list_zoo())


@pytest.mark.parametrize('name', list_zoo())
def test_every_zoo_file_loads_validates_and_cites_its_source(name):
    path = osp.join(ZOO_DIR, f'{name}.json')
    with open(path) as f:
        assert json.load(f)['format_version'] == 1
    policy = load_policy(name)
    assert policy == Policy.load(path).validate()
    meta = policy.meta
    assert meta['name'] == name
    for key in ('method', 'dataset', 'model', 'date', 'source'):
        assert meta.get(key), f'{name}: meta.{key} is empty'
    assert 'released code' in meta['source']


@pytest.mark.parametrize('name', sorted(AA_FILES))
def test_autoaugment_tables_match_torchvision(name):
    """An independent transcription of the paper's tables: same ops,
    probabilities and levels (magnitude = level / 10)."""
    ours = load_policy(name)
    theirs = AutoAugment(AA_FILES[name]).policies
    assert len(ours) == len(theirs) == 25
    for sub, ref in zip(ours.sub_policies, theirs):
        assert [(op.op, op.prob) for op in sub] == [(o, p) for o, p, _ in ref]
        for op, (_, _, level) in zip(sub, ref):
            expected = 0.0 if level is None else level / 10
            assert op.magnitude == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize('level', range(10))
def test_autoaugment_space_replays_the_released_code(level):
    """augmentation_transforms.py: PARAMETER_MAX = 10,
    float_parameter(L, v) = L * v / 10, int_parameter(L, v) = int(L * v / 10).
    """
    m = level / 10

    def param(op):
        return AUTOAUGMENT.param(op, m)

    assert param('ShearX') == pytest.approx(level * 0.3 / 10)
    assert param('Rotate') == pytest.approx(int(level * 30 / 10))
    assert param('Solarize') == 256 - int(level * 256 / 10)
    assert param('Posterize') == 4 - int(level * 4 / 10)
    for op in ('Color', 'Contrast', 'Brightness', 'Sharpness'):
        assert param(op) == pytest.approx(level * 1.8 / 10 + 0.1)
    assert param('SamplePairing') == pytest.approx(level * 0.4 / 10)
    # CIFAR code: a cutout of int_parameter(L, 20) pixels on 32x32 images
    assert param('Cutout') * 32 == pytest.approx(int(level * 20 / 10))
    # The space follows the paper's translate (150 px of 331), not the
    # CIFAR code's int_parameter(L, 10) pixels; the zoo files say so.
    assert param('TranslateX') == pytest.approx(level / 10 * 150 / 331)


@pytest.mark.parametrize('name', sorted(NOT_BUNDLED))
def test_published_but_unbundled_policies_say_how_to_add_them(name):
    assert name not in list_zoo()
    with pytest.raises(PolicyError, match=f"zoo policy '{name}' is not "
                       r'bundled: .*tools/policy/convert\.py'):
        load_policy(name)
