# Copyright (c) mmautoaug contributors. All rights reserved.
"""The Python API on bad arguments (audit of issue #11): one error naming
the argument and what is allowed, before any work; no silent result."""
import os.path as osp

import numpy as np
import pytest
import torch

import mmautoaug
from mmautoaug.policy import Policy

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
INVERT = Policy('fastaa', [[('Invert', 1.0, 0.0)]])


@pytest.mark.parametrize('dtype', [torch.bool, torch.int64, torch.int16])
def test_apply_policy_batch_refuses_other_dtypes(dtype):
    # a bool batch came back all True under Invert (1 -> 254 -> True)
    with pytest.raises(TypeError,
                       match=rf'^images: dtype {dtype}; allowed: uint8 or a '
                       r'floating point dtype with levels in \[0, 255\]$'):
        mmautoaug.apply_policy_batch(INVERT, torch.ones(2, 3, 4, 4,
                                                        dtype=dtype))


def test_apply_policy_refuses_a_negative_seed():
    img = np.zeros((8, 8, 3), np.uint8)
    with pytest.raises(ValueError,
                       match=r'^seed: -1 is negative; allowed: an integer '
                       r'>= 0 or None$'):
        mmautoaug.apply_policy(INVERT, img, seed=-1)
    assert mmautoaug.apply_policy(INVERT, img, seed=0)[0, 0, 0] == 255


def test_convert_and_export_name_unknown_options(tmp_path):
    with pytest.raises(TypeError,
                       match=r"^\['foo'\]: not options of the mmpretrain "
                       r"converter; allowed: \['image_size', 'channel_order', "
                       r"'scope', 'strict'\]$"):
        mmautoaug.convert_policy(INVERT, 'mmpretrain', foo=1)
    with pytest.raises(TypeError, match=r"^\['strict'\]: to='ours' writes "
                       'the policy as it is and takes no converter options'):
        mmautoaug.export_policy(INVERT, str(tmp_path / 'p.json'),
                                strict=True)
    with pytest.raises(IsADirectoryError,
                       match=rf"^path: '{tmp_path}' is a directory; give "
                       'the file to write$'):
        mmautoaug.export_policy(INVERT, str(tmp_path))


def test_run_search_checks_before_building_a_runner(tmp_path, monkeypatch):
    with pytest.raises(IsADirectoryError,
                       match=r"^config: 'configs' is a directory; give a "
                       r'config file'):
        mmautoaug.run_search('configs')
    demo = osp.join(ROOT, 'configs', 'demo', 'dada_demo_search.py')
    # an unknown budget key used to end in a TypeError from MMEngine's
    # registry, after the runner was set up
    with pytest.raises(ValueError,
                       match=r"^budget: unknown keys \['max_epoch'\]; "
                       r"allowed: a duration \('2h', seconds\) or a dict of "
                       r"\['warmup_iters', 'timed_iters', 'max_time', "
                       r"'max_epochs', 'max_iters', 'max_steps'\]$"):
        mmautoaug.run_search(demo, str(tmp_path / 'w'),
                             budget=dict(max_epoch=1))
    with pytest.raises(ValueError, match='max_steps must be a positive'):
        mmautoaug.run_search(demo, str(tmp_path / 'w'),
                             budget=dict(max_steps=0))
    # missing CIFAR: mmpretrain would create data/ and try to download
    monkeypatch.chdir(tmp_path)
    cifar = osp.join(ROOT, 'configs', 'baseline', 'wrn40-2_1xb128_cifar10.py')
    with pytest.raises(FileNotFoundError,
                       match=r'^the data is not in place: train_dataloader\.'
                       r'dataset \(mmpretrain\.CIFAR10\): data/cifar10/'
                       r'cifar-10-batches-py does not exist; put the '
                       r'extracted cifar-10-python\.tar\.gz'):
        mmautoaug.run_search(cifar, str(tmp_path / 'w'))
    assert not (tmp_path / 'data').exists()
