# Copyright (c) mmautoaug contributors. All rights reserved.
"""The single-file policy for transfer: the last K epochs, weighted."""
import os.path as osp

import numpy as np
import pytest

from mmautoaug.policy import Policy
from mmautoaug.search.advaa.transfer import transfer_policy


def _epoch(folder, epoch, subs, weights=None):
    Policy('autoaugment', subs, weights=weights).save(
        osp.join(folder, f'epoch_{epoch:04d}.json'))


def test_the_last_k_epochs_weighted_as_the_search_applied_them(tmp_path):
    folder = str(tmp_path)
    _epoch(folder, 1, [[('Invert', 1.0, 0.0)]])  # too old for K=2
    # epoch 2: two sub-policies, uniform; epoch 3: weighted 3:1, and one of
    # its sub-policies is epoch 2's
    _epoch(folder, 2, [[('Rotate', 1.0, 0.3)], [('Equalize', 1.0, 0.0)]])
    _epoch(folder, 3, [[('Rotate', 1.0, 0.3)], [('Color', 1.0, 0.9)]],
           weights=[0.75, 0.25])
    policy = transfer_policy(folder, last_epochs=2)
    ops = [(sub[0].op, sub[0].magnitude) for sub in policy.sub_policies]
    assert ops == [('Rotate', 0.3), ('Equalize', 0.0), ('Color', 0.9)]
    # Rotate: 0.5 / 2 + 0.75 / 2; Equalize 0.5 / 2; Color 0.25 / 2
    np.testing.assert_allclose(policy.weights, [0.625, 0.25, 0.125])
    assert policy.meta['epochs'] == [2, 3]
    assert policy.meta['kind'] == 'transfer'
    assert 'last 2 epochs' in policy.meta['definition']
    # drawn by its weights, it applies what the last two epochs applied
    rng = np.random.default_rng(0)
    drawn = [policy.sample_ops(rng)[0][0] for _ in range(4000)]
    assert abs(drawn.count('Rotate') / 4000 - 0.625) < 0.03
    # K larger than the schedule: every epoch, each a third
    everything = transfer_policy(folder, last_epochs=50)
    assert everything.meta['epochs'] == [1, 3]
    assert everything.weights[0] == pytest.approx(1 / 3)  # Invert
    # the file round-trips
    path = policy.save(str(tmp_path / 'policy_transfer.json'))
    assert Policy.load(path) == policy


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match='last_epochs'):
        transfer_policy(str(tmp_path), last_epochs=0)
    with pytest.raises(FileNotFoundError, match='no epoch_XXXX.json'):
        transfer_policy(str(tmp_path))
    _epoch(str(tmp_path), 1, [[('Invert', 1.0, 0.0)]])
    Policy('fastaa', [[('Invert', 1.0, 0.0)]]).save(
        str(tmp_path / 'epoch_0002.json'))
    with pytest.raises(ValueError, match="'fastaa' space"):
        transfer_policy(str(tmp_path))
