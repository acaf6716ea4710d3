# Copyright (c) mmautoaug contributors. All rights reserved.
import json
import pathlib

import numpy as np
import pytest

from mmautoaug.augment import FASTAA
from mmautoaug.policy import (FORMAT_VERSION, Policy, PolicyError, PolicyOp,
                              describe_op, describe_range, load_policy,
                              stamp_meta)


def _policy(**kw):
    subs = [[('Rotate', 0.7, 0.75), ('Posterize', 0.4, 0.6)],
            [('Equalize', 1.0, 0.0)],
            [('Cutout', 0.2, 0.5), ('Color', 0.3, 0.1), ('ShearX', 1.0, 0.2)]]
    return Policy('fastaa', subs, kw.get('weights'),
                  dict(method='dada', dataset='cifar10'))


def _valid(**override):
    data = dict(format_version=1, space='fastaa',
                sub_policies=[[dict(op='Rotate', prob=0.5, magnitude=0.3),
                               dict(op='Invert', prob=0.2, magnitude=0.0)],
                              [dict(op='Color', prob=0.1, magnitude=0.9)]],
                weights=None, meta={})
    data.update(override)
    return data


def test_save_load_round_trip(tmp_path):
    policy = _policy(weights=[0.5, 0.25, 0.25])
    path = policy.save(str(tmp_path / 'deep' / 'policy.json'))
    with open(path) as f:
        data = json.load(f)
    assert data['format_version'] == FORMAT_VERSION
    assert data['space'] == 'fastaa'
    assert data['sub_policies'][0][0] == dict(op='Rotate', prob=0.7,
                                              magnitude=0.75)
    assert data['weights'] == [0.5, 0.25, 0.25]
    assert data['meta'] == dict(method='dada', dataset='cifar10')
    loaded = Policy.load(path)
    assert loaded == policy
    assert loaded.sub_policies[2][2] == PolicyOp('ShearX', 1.0, 0.2)


def test_arrays_round_trip_and_padding():
    policy = _policy()
    op_index, prob, magnitude, weights = policy.to_arrays()
    assert op_index.dtype == np.int64 and op_index.shape == (3, 3)
    assert op_index[0, 0] == FASTAA.index('Rotate')
    assert op_index[2, 2] == FASTAA.index('ShearX')
    # the one-op sub-policy is padded with never-applied entries
    assert prob[1].tolist() == [1.0, 0.0, 0.0]
    np.testing.assert_allclose(weights, [1 / 3] * 3)
    back = Policy.from_arrays('fastaa', op_index, prob, magnitude, weights)
    assert [len(s) for s in back.sub_policies] == [3, 3, 3]
    assert back.sub_policies[0][:2] == policy.sub_policies[0]
    assert back.sub_policies[1][1].prob == 0.0
    with pytest.raises(PolicyError, match='one shape'):
        Policy.from_arrays('fastaa', op_index, prob[:, :2], magnitude)


@pytest.mark.parametrize('data, message', [
    (_valid(sub_policies=[[dict(op='Rotate', prob=0.5, magnitude=0.3)],
                          [dict(op='Color', prob=0.1, magnitude=0.2),
                           dict(op='Rotate', prob=0.5, magnitude=1.4)]]),
     r'^sub_policies\[1\]\[1\]\.magnitude: 1\.4 is outside \[0, 1\]$'),
    (_valid(sub_policies=[[dict(op='Rotate', prob=-0.1, magnitude=0.3)]]),
     r'sub_policies\[0\]\[0\]\.prob: -0\.1 is outside \[0, 1\]'),
    (_valid(sub_policies=[[dict(op='Rotat', prob=0.5, magnitude=0.3)]]),
     r"sub_policies\[0\]\[0\]\.op: 'Rotat' is not an op of the 'fastaa' "
     r"space \(did you mean 'Rotate'\?\); allowed: \['ShearX'"),
    (_valid(sub_policies=[[dict(op='equalize', prob=0.5, magnitude=0.3)]]),
     r"did you mean 'Equalize'\?"),
    (_valid(sub_policies=[[dict(op='SamplePairing', prob=0.5,
                                magnitude=0.3)]]),
     r"'SamplePairing' is not an op of the 'fastaa' space; allowed"),
    (_valid(sub_policies=[[dict(op='Rotate', prob='0.5', magnitude=0.3)]]),
     r"sub_policies\[0\]\[0\]\.prob: expected a finite number, got str "
     r"'0\.5'"),
    (_valid(sub_policies=[[dict(op='Rotate', prob=0.5, magnitude=True)]]),
     r'magnitude: expected a finite number, got bool'),
    (_valid(sub_policies=[[dict(op='Rotate', prob=float('nan'),
                                magnitude=0.1)]]),
     r'prob: expected a finite number'),
    (_valid(sub_policies=[[dict(op=3, prob=0.5, magnitude=0.3)]]),
     r'sub_policies\[0\]\[0\]\.op: expected a string, got int'),
    (_valid(sub_policies=[[dict(op='Rotate', prob=0.5, mag=0.3)]]),
     r"sub_policies\[0\]\[0\]: unknown keys \['mag'\]"),
    (_valid(sub_policies=[[dict(op='Rotate')]]),
     r"sub_policies\[0\]\[0\]: missing keys \['prob'\]"),
    (_valid(sub_policies=[dict(op='Rotate', prob=0.5)]),
     r'sub_policies\[0\]: expected a list of ops, got dict'),
    (_valid(sub_policies='Rotate'),
     r'sub_policies: expected a list of sub-policies, got str'),
    (_valid(sub_policies=[]), r'sub_policies: .* at least one sub-policy'),
    (_valid(sub_policies=[[]]), r'sub_policies\[0\]: .* at least one op'),
    (_valid(weights=[0.6, 0.6]),
     r'weights: they sum to 1\.2, not 1 \(tolerance 0\.001\)'),
    (_valid(weights=[1.0]), r'weights: 1 weights for 2 sub-policies'),
    (_valid(weights=[1.5, -0.5]), r'weights\[1\]: -0\.5 is negative'),
    (_valid(weights=['a', 1]), r'weights\[0\]: expected a finite number'),
    (_valid(format_version=3),
     r'format_version: 3 is newer than this version of mmautoaug reads '
     r'\(2\); upgrade mmautoaug'),
    (_valid(sub_policies=[[dict(op='Rotate', prob=0.5, magnitude=0.3,
                                magnitude_dist=dict(type='normal',
                                                    std=0.1))]]),
     r'format_version: 1, but an op has a magnitude_dist .* needs '
     r'format_version 2'),
    (_valid(format_version='1'), r'format_version: expected an integer'),
    (_valid(format_version=0), r'format_version: 0 is not a valid version'),
    (_valid(space='fast'),
     r"space: unknown search space 'fast'; allowed: \['autoaugment', "
     r"'aws', 'detection', 'fastaa', 'randaugment', "
     r"'trivialaugment_wide'\]"),
    (_valid(meta=dict(x=object())), r'meta: must be JSON-serialisable'),
    (_valid(extra=1), r"unknown keys \['extra'\]"),
])
def test_validation_errors_name_the_place(data, message):
    with pytest.raises(PolicyError, match=message):
        Policy.from_dict(data)


def test_missing_top_level_key():
    data = _valid()
    del data['space']
    with pytest.raises(PolicyError, match='^space: missing'):
        Policy.from_dict(data)


def test_weights_within_tolerance_are_accepted_and_normalised():
    policy = Policy.from_dict(_valid(weights=[0.333, 0.6665]))
    np.testing.assert_allclose(policy.probabilities().sum(), 1.0)


def test_load_reports_the_file(tmp_path):
    bad = tmp_path / 'bad.json'
    bad.write_text(json.dumps(_valid(format_version=9)))
    with pytest.raises(PolicyError, match=r'bad\.json: format_version: 9'):
        Policy.load(str(bad))
    broken = tmp_path / 'broken.json'
    broken.write_text('{"format_version": 1,')
    with pytest.raises(PolicyError, match='not valid JSON'):
        Policy.load(str(broken))
    with pytest.raises(FileNotFoundError, match='does not exist'):
        Policy.load(str(tmp_path / 'none.json'))


def test_load_policy_accepts_every_form(tmp_path):
    policy = _policy()
    path = policy.save(str(tmp_path / 'p.json'))
    assert load_policy(policy) is policy
    assert load_policy(path) == policy
    assert load_policy(pathlib.Path(path)) == policy
    assert load_policy(policy.to_dict()) == policy
    assert load_policy('autoaugment_cifar10').space_name == 'autoaugment'
    with pytest.raises(FileNotFoundError):
        load_policy(str(tmp_path / 'missing.json'))
    with pytest.raises(PolicyError, match="did you mean "
                       "'autoaugment_cifar10'"):
        load_policy('autoaugment_cifar')
    with pytest.raises(PolicyError, match='expected a file path'):
        load_policy(3)


def test_sample_ops_probabilities_and_signs():
    rng = np.random.default_rng(0)
    policy = Policy('fastaa', [[('Rotate', 1.0, 0.75), ('Invert', 0.0, 0.0),
                                ('Posterize', 0.3, 0.6)]])
    draws = [policy.sample_ops(rng) for _ in range(4000)]
    # prob 1 always, prob 0 never, prob 0.3 about 30% of the time
    assert all(d[0][0] == 'Rotate' for d in draws)
    assert not any(op == 'Invert' for d in draws for op, _ in d)
    rate = np.mean([len(d) == 2 for d in draws])
    assert abs(rate - 0.3) < 0.03
    # signed op: +/-15 degrees, each half of the time
    angles = np.array([d[0][1] for d in draws])
    assert set(np.unique(angles)) == {-15.0, 15.0}
    assert abs(np.mean(angles > 0) - 0.5) < 0.03
    # unsigned op: the space's parameter, never negated
    assert {p for d in draws for op, p in d if op == 'Posterize'} == {6.0}


def test_sample_ops_picks_sub_policies_by_weight():
    rng = np.random.default_rng(1)
    policy = Policy('fastaa', [[('Invert', 1.0, 0.0)],
                               [('Equalize', 1.0, 0.0)]], [0.9, 0.1])
    picks = [policy.sample_ops(rng)[0][0] for _ in range(4000)]
    assert abs(np.mean([p == 'Invert' for p in picks]) - 0.9) < 0.02
    uniform = Policy('fastaa', policy.sub_policies)
    picks = [uniform.sample_ops(rng)[0][0] for _ in range(4000)]
    assert abs(np.mean([p == 'Invert' for p in picks]) - 0.5) < 0.03


def test_sample_ops_is_deterministic_and_can_force_a_sub_policy():
    policy = load_policy('autoaugment_imagenet')
    a = [policy.sample_ops(np.random.default_rng(7)) for _ in range(3)]
    b = [policy.sample_ops(np.random.default_rng(7)) for _ in range(3)]
    assert a == b
    rng = np.random.default_rng(0)
    forced = Policy('fastaa', [[('Invert', 1.0, 0.0)],
                               [('Equalize', 1.0, 0.0)]])
    assert all(
        forced.sample_ops(rng, sub_policy=1) == [('Equalize', None)]
        for _ in range(20))
    with pytest.raises(IndexError, match='sub_policy: 2 is out of range'):
        forced.sample_ops(rng, sub_policy=2)


def test_describe():
    assert describe_range(FASTAA, 'Rotate') == (
        'm in [0, 1] -> -30 .. 30 deg, mirrored with p=0.5')
    assert describe_range(FASTAA, 'Posterize').startswith(
        'm in [0, 1] -> 4 .. 8 bits kept, rounded toward low')
    assert describe_op(FASTAA, PolicyOp('Rotate', 0.5, 0.75)) == '+/-15 deg'
    assert describe_op(FASTAA, PolicyOp('Equalize', 0.5, 0.75)) == '-'
    aws = load_policy(dict(format_version=1, space='aws',
                           sub_policies=[[dict(op='Color', prob=1,
                                               magnitude=1 / 3)]]))
    assert describe_op(aws.space, aws.sub_policies[0][0]).startswith(
        '1 +/- 0.3')


def test_numpy_and_torch_scalars_become_json_numbers(tmp_path):
    import torch
    policy = Policy('fastaa', [[('Rotate', np.float32(0.5), torch.tensor(
        0.25)), PolicyOp('Invert', np.float64(1.0), np.int64(0))]],
                    weights=np.array([1.0], np.float32))
    loaded = Policy.load(policy.save(str(tmp_path / 'p.json')))
    assert loaded.sub_policies[0][0] == PolicyOp('Rotate', 0.5, 0.25)
    assert type(loaded.weights[0]) is float
    with pytest.raises(PolicyError, match='expected a finite number'):
        Policy('fastaa', [[('Rotate', np.array([0.5]), 0.1)]])


def test_stamp_meta_fills_the_date():
    meta = stamp_meta(dict(config='x.py'), method='aws', dataset=None)
    assert meta['method'] == 'aws' and meta['config'] == 'x.py'
    assert 'dataset' not in meta and len(meta['date']) == 10
