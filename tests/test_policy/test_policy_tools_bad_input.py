# Copyright (c) mmautoaug contributors. All rights reserved.
"""tools/policy/show.py and convert.py on bad input (issue #11): exit 2 with
one ``error:`` sentence naming the field, never a traceback."""
import importlib.util
import os.path as osp

import pytest

from mmautoaug.policy import Policy

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _tool(name):
    path = osp.join(REPO, 'tools', 'policy', f'{name}.py')
    spec = importlib.util.spec_from_file_location(f'bad_input_{name}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


show = _tool('show')
convert = _tool('convert')
POLICY = Policy('fastaa', [[('Rotate', 0.5, 0.75), ('Cutout', 0.3, 0.5)]])


def _error(main, argv, capsys):
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('error: '), captured.err
    assert 'Traceback' not in captured.err
    return lines[0][len('error: '):]


@pytest.fixture
def latin1(tmp_path):
    path = tmp_path / 'latin1.json'
    path.write_bytes(POLICY.to_json().replace('"meta": {}',
                                              '"meta": {"x": "\xe9"}').encode(
                                                  'latin-1'))
    return str(path)


# -- show.py ---------------------------------------------------------------
def test_show_refuses_a_negative_size(tmp_path, capsys):
    path = POLICY.save(str(tmp_path / 'p.json'))
    assert _error(show.main, [path, '--size', '-5'], capsys) == (
        "--size: -5 is negative; allowed: 0 (keep the image's size) or the "
        'longer side in pixels')


def test_show_reports_bad_policy_files(tmp_path, latin1, capsys):
    assert 'not a UTF-8 text file (byte 0xe9' in _error(
        show.main, [latin1, '--no-grid'], capsys)
    POLICY.save(str(tmp_path / 'run' / 'policy.json'))
    assert 'is a directory; give a policy JSON file' in _error(
        show.main, [str(tmp_path / 'run'), '--no-grid'], capsys)


# -- convert.py ------------------------------------------------------------
def _config(tmp_path, text, name='cfg.py'):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_convert_reports_bad_policy_files(tmp_path, latin1, capsys):
    assert 'latin1.json: not a UTF-8 text file (byte 0xe9' in _error(
        convert.main, [latin1, '--to', 'mmdet'], capsys)
    deep = tmp_path / 'deep.json'
    deep.write_text('{"format_version": 1, "sub_policies": ' + '[' * 100000 +
                    ']' * 100000 + '}')
    assert 'the JSON is nested too deeply to read' in _error(
        convert.main, [str(deep), '--to', 'mmdet'], capsys)
    assert 'is a directory' in _error(convert.main,
                                      [str(tmp_path), '--to', 'ours'], capsys)


def test_convert_reports_a_config_with_a_syntax_error(tmp_path, capsys):
    path = _config(tmp_path, 'auto_augment = dict(type="AutoAugment",\n')
    message = _error(convert.main, [path, '--to', 'ours'], capsys)
    assert message.startswith(f'{path}: the config has a Python syntax '
                              'error')


@pytest.mark.parametrize('op, message', [
    ("dict(type='Rotate', prob=0.5, angle='ten')",
     "policies[0][0].angle: expected a number, got str 'ten'"),
    ("dict(type='Rotate', prob='high', angle=10.0)",
     "policies[0][0].prob: expected a number in [0, 1], got str 'high'"),
    ("dict(type='Rotate', prob=1.5, angle=10.0)",
     'policies[0][0].prob: 1.5 is outside [0, 1]'),
    ("dict(type='Rotate', prob=0.5, angle=10.0, random_negative_prob='x')",
     "policies[0][0].random_negative_prob: expected a number in [0, 1], got "
     "str 'x'"),
    ("dict(type='Rotate', prob=0.5, angle=10.0, pad_val='grey')",
     "policies[0][0].pad_val: expected a number or 3 numbers, got 'grey'"),
    ("dict(type='Posterize', prob=0.5, magnitude_range=(4, 'x'))",
     "policies[0][0].magnitude_range: expected (low, high) numbers, got "
     "[4, 'x']"),
])
def test_convert_names_the_field_of_a_bad_mmpretrain_op(
        tmp_path, capsys, op, message):
    path = _config(
        tmp_path, "auto_augment = dict(type='mmpretrain.AutoAugment', "
        f'policies=[[{op}]])\n')
    assert _error(convert.main, [path, '--to', 'ours'], capsys) == message


@pytest.mark.parametrize('op, message', [
    ("dict(type='mmdet.Rotate', prob=0.5, level='x')",
     "policies[0][0].level: expected a number in [0, 10], got str 'x'"),
    ("dict(type='mmdet.Rotate', prob=0.5, level=12)",
     'policies[0][0].level: 12 is outside [0, 10]'),
    ("dict(type='mmdet.Rotate', prob='high', level=3)",
     "policies[0][0].prob: expected a number in [0, 1], got str 'high'"),
    ("dict(type='mmdet.Rotate', prob=0.5, level=3, max_mag=None)",
     'policies[0][0].max_mag: expected a number, got NoneType None'),
    ("dict(type='mmdet.ShearX', prob=0.5, level=3, reversal_prob='y')",
     "policies[0][0].reversal_prob: expected a number in [0, 1], got str "
     "'y'"),
])
def test_convert_names_the_field_of_a_bad_mmdet_op(tmp_path, capsys, op,
                                                   message):
    path = _config(
        tmp_path, "auto_augment = dict(type='mmdet.AutoAugment', "
        f'policies=[[{op}]])\n')
    assert _error(convert.main, [path, '--to', 'ours'], capsys) == message


def test_convert_refuses_bad_arguments(tmp_path, capsys):
    path = POLICY.save(str(tmp_path / 'p.json'))
    assert _error(convert.main, [path, '--to', 'mmpretrain', '--image-size',
                                 '0'], capsys) == (
        '--image-size: 0; sizes are positive pixel counts (W, or H W)')
    assert _error(convert.main, [path, '--to', 'mmdet', '--image-size', '32',
                                 '-1'], capsys).startswith('--image-size: ')
    genotype = tmp_path / 'g.txt'
    genotype.write_text("[[('Rotate', 0.5, 0.3)]]")
    assert _error(convert.main, [str(genotype), '--from', 'genotype', '--to',
                                 'ours', '--meta', 'source'], capsys) == (
        "--meta: 'source' is not KEY=VALUE (e.g. source=\"DADA released "
        'archive")')
    # a value may hold '='
    assert convert.main([str(genotype), '--from', 'genotype', '--to', 'ours',
                         '--meta', 'note=a=b']) == 0
    assert '"note": "a=b"' in capsys.readouterr().out


def test_unwritable_outputs_and_wrong_formats(tmp_path, capsys):
    path = POLICY.save(str(tmp_path / 'p.json'))
    blocker = tmp_path / 'file'
    blocker.write_text('')
    out = str(blocker / 'x.png')
    assert _error(show.main, [path, '--out', out, '--size', '8', '--draws',
                              '1'], capsys).startswith(
        f"--out: cannot write '{out}' (")  # the OS's reason follows
    out = str(blocker / 'x.json')
    assert _error(convert.main, [path, '--to', 'ours', '--out', out],
                  capsys).startswith(f"--out: cannot write '{out}' (")
    assert _error(convert.main, [path, '--from', 'mmdet', '--to', 'ours'],
                  capsys) == (
        f'{path} is a policy JSON file (it has format_version), not a mmdet '
        'config; read it with --from ours (or auto)')


def test_convert_names_a_bad_mmdet_border_value(tmp_path, capsys):
    path = _config(
        tmp_path, "auto_augment = dict(type='mmdet.AutoAugment', policies=[["
        "dict(type='mmdet.Rotate', prob=0.5, level=3, "
        "img_border_value='grey')]])\n")
    assert _error(convert.main, [path, '--to', 'ours'], capsys) == (
        "policies[0][0].img_border_value: expected a number or 3 numbers, "
        "got 'grey'")


# -- found by the audit of issue #11 ---------------------------------------
def test_show_refuses_a_negative_seed_and_a_huge_size(tmp_path, capsys):
    path = POLICY.save(str(tmp_path / 'p.json'))
    # a numpy traceback before
    assert _error(show.main, [path, '--seed', '-1'], capsys) == (
        '--seed: -1 is negative; allowed: an integer >= 0')
    # an OpenCV out-of-memory traceback before (30 GB for the astronaut)
    assert _error(show.main, [path, '--size', '100000'], capsys) == (
        "--size: 100000 is too large; allowed: 0 (keep the image's size) or "
        '1..4096 (a grid cell is drawn about 190 px wide)')


def test_show_names_its_image_and_output_files(tmp_path, capsys):
    path = POLICY.save(str(tmp_path / 'p.json'))
    assert _error(show.main, [path, '--image', path], capsys) == (
        f"--image: '{path}' is not an image file PIL can read (PNG, JPEG, "
        '...)')
    # a directory used to be "written" as <dir>.png, reported as <dir>
    assert _error(show.main, [path, '--out', str(tmp_path)], capsys) == (
        f"--out: '{tmp_path}' is a directory; give a PNG file path")
    assert show.main([path, '--out', str(tmp_path / 'grid'), '--size', '8',
                      '--draws', '1']) == 0
    assert f"wrote {tmp_path / 'grid.png'} (" in capsys.readouterr().out
    assert (tmp_path / 'grid.png').is_file()


def test_plot_names_its_output_file(tmp_path, capsys):
    plot = _tool('plot')
    path = POLICY.save(str(tmp_path / 'p.json'))
    blocker = tmp_path / 'file'
    blocker.write_text('')
    for out, message in [
        (str(blocker / 'x.png'), f"--out: cannot write '{blocker}/x.png' ("),
        (str(tmp_path), f"--out: '{tmp_path}' is a directory; give a PNG "
         'file path'),
    ]:
        with pytest.raises(SystemExit) as exit_info:
            plot.main([path, '--out', out])
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith(f'error: {message}') and 'Traceback' not in err


def test_convert_checks_space_out_and_options_it_would_ignore(tmp_path,
                                                               capsys):
    path = POLICY.save(str(tmp_path / 'p.json'))
    snippet = _config(
        tmp_path, "auto_augment = dict(type='mmpretrain.AutoAugment', "
        "policies=[[dict(type='mmpretrain.Rotate', prob=0.5, angle=10.)]])\n")
    # a KeyError traceback from get_space before
    assert _error(convert.main, [snippet, '--to', 'ours', '--space',
                                 'bogus'], capsys) == (
        "--space: 'bogus' is not a search space; allowed: ['autoaugment', "
        "'aws', 'detection', 'fastaa', 'randaugment', "
        "'trivialaugment_wide']")
    # Python written into a .json file (and JSON into .py) before
    for to, out, kind, want in [('torchvision', 'x.json', 'Python', '.py'),
                                ('mmpretrain', 'x.json', 'Python', '.py'),
                                ('timm', 'x.py', 'JSON', '.json')]:
        out = str(tmp_path / out)
        assert _error(convert.main, [path, '--to', to, '--out', out],
                      capsys) == (
            f"--out: --to {to} writes {kind}, but '{out}' ends in "
            f"{osp.splitext(out)[1]}; "
            f'give a {want} file')
    # --meta / --space were silently ignored for a policy file
    assert _error(convert.main, [path, '--to', 'ours', '--meta', 'a=b'],
                  capsys) == (
        f'--meta: {path} is read as a policy (ours), which carries its own '
        'meta; --meta applies to a policy read from a config or a genotype')
    assert _error(convert.main, [path, '--to', 'ours', '--space', 'aws'],
                  capsys) == (
        f"--space: {path} is a policy of the 'fastaa' space, not 'aws'; "
        '--space applies to a policy read from a config or a genotype')
    assert convert.main([path, '--to', 'ours', '--space', 'fastaa']) == 0


def test_aws_controller_tool_names_its_options(tmp_path, capsys):
    import torch

    from mmautoaug.models.policy_models.aws import AWSController
    from mmautoaug.search.aws.export import controller_record
    tool = _tool('aws_controller_to_policy')
    saved = str(tmp_path / 'ctrl.pth')
    record = controller_record(AWSController(), step=3)
    torch.save(record, saved)
    blocker = tmp_path / 'file'
    blocker.write_text('')
    out = str(tmp_path / 'p.json')
    # tracebacks from Policy.save before
    assert _error(tool.main, [saved, '--out', str(tmp_path)], capsys) == (
        f"--out: '{tmp_path}' is a directory; give the policy JSON file to "
        'write')
    assert _error(tool.main, [saved, '--out', str(blocker / 'p.json')],
                  capsys).startswith(
        f"--out: cannot write '{blocker}/p.json' (")
    # --space overrode the file's own space, then to_policy raised
    assert _error(tool.main, [saved, '--space', 'fastaa', '--out', out],
                  capsys) == (
        f"--space: {saved} records space 'aws', not 'fastaa'; --space is "
        'for files that do not record it')
    del record['space']
    torch.save(record, saved)
    assert _error(tool.main, [saved, '--space', 'fastaa', '--out', out],
                  capsys).startswith(
        'AWSController.to_policy: the controller has 36 candidates but the '
        "'fastaa' space has 0")
    assert _error(tool.main, [saved, '--space', 'bogus', '--out', out],
                  capsys).startswith("unknown search space 'bogus'; allowed:")
    assert tool.main([saved, '--space', 'aws', '--out', out]) == 0
    assert len(Policy.load(out)) == 36 * 36
