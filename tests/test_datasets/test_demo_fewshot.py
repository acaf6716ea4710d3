# Copyright (c) mmautoaug contributors. All rights reserved.
"""The few-shot demo set: real CIFAR-10 files, a test set harder than the
training set."""
import os.path as osp

import numpy as np
import pytest

from mmautoaug.datasets.demo import (FEWSHOT_MD5, DemoFewShotCIFAR10,
                                     build_fewshot)
from mmautoaug.datasets.demo.demo_cifar import file_md5
from mmautoaug.datasets.demo.demo_fewshot import draw_glyph

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture(scope='module')
def root(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('data') / 'demo_fewshot')
    assert build_fewshot(path)
    return path


def test_files_are_the_reference_build(root):
    for name, md5 in FEWSHOT_MD5.items():
        assert file_md5(osp.join(root, 'cifar-10-batches-py', name)) == md5


def test_mmpretrain_cifar10_code_loads_balanced_splits(root):
    train = DemoFewShotCIFAR10(data_root=root, split='train')
    test = DemoFewShotCIFAR10(data_root=root, split='test')
    assert (len(train), len(test)) == (200, 1000)
    assert np.bincount(train.get_gt_labels()).tolist() == [20] * 10
    assert np.bincount(test.get_gt_labels()).tolist() == [100] * 10
    assert train.CLASSES[0] == 'zero'


def _stats(dataset):
    """Ink centroid offset from the centre (px) and mean saturation."""
    offsets, saturation = [], []
    for i in range(len(dataset)):
        img = dataset[i]['img'].astype(np.float64)
        grey = img.mean(2)
        ink = np.clip(np.median(grey) - grey, 0, None)
        ys, xs = np.mgrid[0:32, 0:32] + 0.5
        total = ink.sum()
        offsets.append(np.hypot((ink * xs).sum() / total - 16,
                                (ink * ys).sum() / total - 16))
        saturation.append((img.max(2) - img.min(2)).mean())
    return np.array(offsets), np.array(saturation)


def test_test_images_vary_more_than_training_images(root):
    train = _stats(DemoFewShotCIFAR10(data_root=root, split='train'))
    test = _stats(DemoFewShotCIFAR10(data_root=root, split='test'))
    # training digits sit at the centre (their ink centroid within ~3 px:
    # the shapes are not symmetric), test digits anywhere
    assert np.percentile(train[0], 90) < 3.0
    assert np.median(test[0]) > 2.5 * np.median(train[0])
    assert np.percentile(test[0], 90) > 2 * np.percentile(train[0], 90)
    # and the test colours are washed out / greyer on average
    assert test[1].mean() < 0.6 * train[1].mean()


def test_glyphs_rotate_exactly():
    glyph = np.zeros((8, 8))
    glyph[1:7, 3:5] = 1.0  # a vertical bar
    upright = draw_glyph(glyph, 16, 16, 16)
    # t = tan(45 deg) = 1: a quarter turn makes the bar horizontal
    turned = draw_glyph(glyph, 16, 16, 16, t=1.0)
    np.testing.assert_allclose(turned, upright.T, atol=1e-12)


def test_build_tool_builds_the_set(tmp_path, capsys):
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'build_demo_data', osp.join(REPO, 'tools/misc/build_demo_data.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.main(['--out', str(tmp_path), '--only', 'fewshot']) == 0
    assert 'demo_fewshot: built' in capsys.readouterr().out
