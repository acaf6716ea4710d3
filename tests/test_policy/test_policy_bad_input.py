# Copyright (c) mmautoaug contributors. All rights reserved.
"""Bad policy input of issue #11: every case a clear PolicyError, naming the
field and what is allowed; none a silent wrong result or a traceback."""
import json

import numpy as np
import pytest

from mmautoaug.policy import Policy, PolicyError, PolicyOp, load_policy


def _data(**override):
    data = dict(format_version=1, space='fastaa',
                sub_policies=[[dict(op='Rotate', prob=0.5, magnitude=0.3)]],
                weights=None, meta={})
    data.update(override)
    return data


# -- silent wrong results that are errors now ------------------------------
@pytest.mark.parametrize('sub_policies', [
    [[dict(op='Rotate', prob=0.5)]],  # dict without magnitude
    [[('Rotate', 0.5)]],  # a 2-element op
])
def test_an_op_with_a_parameter_needs_its_magnitude(sub_policies):
    # 0 would be the STRONGEST rotation of the fastaa space (-30 deg)
    with pytest.raises(
            PolicyError,
            match=r"^sub_policies\[0\]\[0\]\.magnitude: missing; Rotate "
            r"takes a magnitude, a number in \[0, 1\] \(the 'fastaa' space "
            r'maps m in \[0, 1\] -> -30 \.\. 30 deg, mirrored with p=0\.5\); '
            r'only ops without a parameter \(AutoContrast, Invert, '
            r'Equalize, Identity\) may omit it$'):
        Policy('fastaa', sub_policies)
    with pytest.raises(PolicyError, match='magnitude: missing'):
        Policy('fastaa', [[PolicyOp('Solarize', 1.0)]])


def test_ops_without_a_parameter_may_omit_the_magnitude():
    policy = Policy.from_dict(_data(sub_policies=[
        [dict(op='Equalize', prob=0.5)], [('Invert', 0.2)],
        [PolicyOp('AutoContrast', 1.0)]
    ]))
    assert [sub[0].magnitude for sub in policy.sub_policies] == [0.0] * 3
    assert policy.to_dict()['sub_policies'][0][0] == dict(
        op='Equalize', prob=0.5, magnitude=0.0)


def test_meta_must_be_a_dict_not_an_empty_list():
    with pytest.raises(PolicyError,
                       match=r'^meta: expected a dict, got list$'):
        Policy.from_dict(_data(meta=[]))
    assert Policy.from_dict(_data(meta=None)).meta == {}
    data = _data()
    del data['meta']
    assert Policy.from_dict(data).meta == {}


@pytest.mark.parametrize('weights',
                         [5, 'uniform', dict(a=1), np.ones((1, 1))])
def test_weights_must_be_a_list(weights):
    with pytest.raises(
            PolicyError,
            match=r'^weights: expected a list of numbers \(one per '
            r'sub-policy\) or null for uniform, got '):
        Policy.from_dict(_data(weights=weights))


# -- tracebacks that are one-sentence errors now ---------------------------
def test_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / 'latin1.json'
    path.write_bytes(json.dumps(_data(meta=dict(x='é')),
                                ensure_ascii=False).encode('latin-1'))
    message = (r'latin1\.json: not a UTF-8 text file \(byte 0xe9 at position '
               r'\d+\); a policy file is JSON text, as Policy\.save writes '
               r'it$')
    with pytest.raises(PolicyError, match=message):
        Policy.load(str(path))
    with pytest.raises(PolicyError, match=message):
        load_policy(str(path))


def test_deeply_nested_json(tmp_path):
    path = tmp_path / 'deep.json'
    path.write_text('{"format_version": 1, "space": "fastaa", '
                    '"sub_policies": ' + '[' * 100000 + ']' * 100000 + '}')
    with pytest.raises(PolicyError,
                       match=r'deep\.json: the JSON is nested too deeply to '
                       r'read; a policy nests 4 levels'):
        load_policy(str(path))


def test_deeply_nested_values_in_a_dict():
    deep = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(PolicyError,
                       match=r'^sub_policies\[0\]\[0\]: expected an op as a '
                       r'dict .* got list <list nested too deeply to print>$'):
        Policy.from_dict(_data(sub_policies=[deep]))
    # measured before copying: 900 levels used to end in a RecursionError
    # from copy.deepcopy, 5000 in json.dumps
    for depth in (65, 900, 5000):
        deep = {}
        for _ in range(depth - 1):
            deep = dict(x=deep)
        with pytest.raises(PolicyError,
                           match=r'^meta: nested too deeply \(more than 64 '
                           r'levels\); allowed: at most 64 levels of dicts '
                           r'and lists$'):
            Policy.from_dict(_data(meta=deep))
    deep = {}
    for _ in range(63):
        deep = dict(x=[deep])  # 2 levels per step: 127 in all
    with pytest.raises(PolicyError, match=r'^meta: nested too deeply'):
        Policy.from_dict(_data(meta=deep))
    ok = {}
    for _ in range(63):
        ok = dict(x=ok)
    assert Policy.from_dict(_data(meta=ok)).meta == ok  # 64 levels


def test_a_directory_given_as_a_policy_file(tmp_path):
    Policy('fastaa', [[('Rotate', 0.5, 0.3)]]).save(
        str(tmp_path / 'policy.json'))
    message = (r"policy file '.*' is a directory; give a policy JSON file "
               r'\(e\.g\. the policy\.json a search writes into its '
               r"work_dir\) \(it holds \['policy\.json'\]\)")
    with pytest.raises(PolicyError, match=message):
        load_policy(str(tmp_path))
    with pytest.raises(PolicyError, match=message):
        Policy.load(str(tmp_path))
    (tmp_path / 'empty').mkdir()
    with pytest.raises(PolicyError, match=r"is a directory; give a policy "
                       r'JSON file \(e\.g\. .*work_dir\)$'):
        load_policy(str(tmp_path / 'empty'))


# -- arrays and draws (found by the audit of issue #11) --------------------
@pytest.mark.parametrize('index, message', [
    (99, r"^op_index\[0\]\[1\]: 99 is not an index into the 'fastaa' "
     r"space; allowed: 0\.\.14 \(\['ShearX', "),
    # -1 used to wrap silently to the last op (Cutout)
    (-1, r"^op_index\[0\]\[1\]: -1 is not an index into the 'fastaa' space"),
])
def test_from_arrays_refuses_indices_outside_the_space(index, message):
    with pytest.raises(PolicyError, match=message):
        Policy.from_arrays('fastaa', np.array([[4, index]]),
                           np.ones((1, 2)), np.full((1, 2), 0.5))


def test_from_arrays_refuses_float_indices_and_unknown_spaces():
    # 1.7 used to be truncated to op 1 silently
    with pytest.raises(PolicyError,
                       match=r"^op_index: dtype float64; allowed: integers"):
        Policy.from_arrays('fastaa', np.array([[1.7]]), np.ones((1, 1)),
                           np.ones((1, 1)))
    with pytest.raises(PolicyError,
                       match=r"^space: unknown search space 'fastAA'; "
                       r"allowed: \["):
        Policy.from_arrays('fastAA', np.zeros((1, 1), np.int64),
                           np.ones((1, 1)), np.ones((1, 1)))


def test_sample_ops_needs_a_generator():
    policy = Policy('fastaa', [[('Rotate', 1.0, 0.5)]])
    with pytest.raises(TypeError,
                       match=r'^rng: expected a numpy\.random\.Generator '
                       r'\(e\.g\. np\.random\.default_rng\(0\)\), got int$'):
        policy.sample_ops(0)


def test_json_details_of_policy_files(tmp_path):
    text = json.dumps(_data())
    # a BOM (some editors write one) is not an error
    bom = tmp_path / 'bom.json'
    bom.write_bytes(b'\xef\xbb\xbf' + text.encode())
    assert load_policy(str(bom)).space_name == 'fastaa'
    # json keeps the last of two equal keys: a silent choice, refused
    dup = tmp_path / 'dup.json'
    dup.write_text(text[:-1] + ', "space": "aws"}')
    with pytest.raises(PolicyError,
                       match=r"dup\.json: the key 'space' appears twice in "
                       r'one JSON object; keep one$'):
        load_policy(str(dup))
