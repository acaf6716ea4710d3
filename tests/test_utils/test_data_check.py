# Copyright (c) mmautoaug contributors. All rights reserved.
"""mmautoaug.utils.data_check and tools/train.py when the data is missing
(issue #11): one sentence saying where to put it, before anything is
created or downloaded."""
import os.path as osp
import runpy
import sys
from urllib.error import URLError

import pytest

from mmautoaug.utils.data_check import missing_data

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _cfg(**dataset):
    return dict(train_dataloader=dict(dataset=dataset))


def test_cifar_folders(tmp_path):
    root = str(tmp_path / 'cifar10')
    (problem, ) = missing_data(_cfg(type='mmpretrain.CIFAR10',
                                    data_root=root))
    assert problem == (
        f'train_dataloader.dataset (mmpretrain.CIFAR10): {root}/'
        'cifar-10-batches-py does not exist; put the extracted '
        'cifar-10-python.tar.gz (the python version of CIFAR-10) there (see '
        'the Data section of the README), or set download=True in this data '
        'set config to let mmpretrain download it')
    folder = tmp_path / 'cifar10' / 'cifar-10-batches-py'
    folder.mkdir(parents=True)
    for name in ('data_batch_1', 'data_batch_2', 'data_batch_3',
                 'data_batch_4', 'data_batch_5', 'test_batch'):
        (folder / name).write_bytes(b'')
    (problem, ) = missing_data(_cfg(type='CIFAR10', data_root=root))
    assert f"{folder} lacks ['batches.meta']" in problem
    (folder / 'batches.meta').write_bytes(b'')
    assert missing_data(_cfg(type='CIFAR10', data_root=root)) == []
    (problem, ) = missing_data(_cfg(type='mmpretrain.CIFAR100',
                                    data_root=root))
    assert 'cifar-100-python does not exist; put the extracted ' \
        'cifar-100-python.tar.gz (the python version of CIFAR-100)' in problem
    # asked to download: mmpretrain's business
    assert missing_data(_cfg(type='CIFAR100', data_root=root,
                             download=True)) == []


def test_other_layouts_and_wrappers(tmp_path):
    root = str(tmp_path)
    cfg = dict(
        train_dataloader=dict(dataset=dict(
            type='StratifiedSplitDataset',
            dataset=dict(type='mmpretrain.ImageNet', data_root=root,
                         split='train'))),
        val_dataloader=dict(dataset=dict(
            type='ConcatDataset', datasets=[
                dict(type='mmpretrain.CustomDataset', data_root=root + '/svhn',
                     data_prefix='test'),
                dict(type='CocoDataset', data_root=root + '/coco/',
                     ann_file='annotations/instances_val2017.json',
                     data_prefix=dict(img='val2017/')),
                dict(type='mmautoaug.DemoCocoDataset', data_root='/none'),
            ])))
    imagenet, svhn, coco = missing_data(cfg)
    assert imagenet.startswith(
        'train_dataloader.dataset.dataset (mmpretrain.ImageNet): '
        f'{root}/train does not exist; put ImageNet there: {root}/train/'
        f'<wnid>/*.JPEG, {root}/val/*.JPEG and {root}/meta/{{train,val}}.txt')
    assert svhn.startswith(
        'val_dataloader.dataset.datasets[0] (mmpretrain.CustomDataset): '
        f'{root}/svhn/test does not exist; put one folder of images per class '
        'there (`python tools/dataset_converters/svhn.py path/to/mats --out '
        f'{root}/svhn` writes SVHN so)')
    assert coco.startswith(
        f'val_dataloader.dataset.datasets[1] (CocoDataset): {root}/coco/'
        'annotations/instances_val2017.json does not exist; put COCO there')
    (tmp_path / 'val').mkdir()
    val = dict(type='ImageNet', data_root=root, split='val')
    assert f'{root}/meta/val.txt does not exist' in missing_data(
        _cfg(**val))[0]
    (tmp_path / 'meta').mkdir()
    (tmp_path / 'meta' / 'val.txt').write_text('')
    assert missing_data(_cfg(**val)) == []


def _train(argv, capsys):
    old = sys.argv
    sys.argv = ['train.py'] + argv
    try:
        with pytest.raises(SystemExit) as exit_info:
            runpy.run_path(osp.join(ROOT, 'tools', 'train.py'),
                           run_name='__main__')
    finally:
        sys.argv = old
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith('error: ') and 'Traceback' not in err
    return err


def test_train_says_where_the_data_goes(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    config = osp.join(ROOT, 'configs', 'baseline',
                      'wrn40-2_1xb128_cifar10.py')
    err = _train([config, '--work-dir', str(tmp_path / 'work')], capsys)
    assert err.splitlines()[0] == 'error: the data is not in place:'
    assert ('train_dataloader.dataset (mmpretrain.CIFAR10): data/cifar10/'
            'cifar-10-batches-py does not exist; put the extracted '
            'cifar-10-python.tar.gz') in err
    assert not (tmp_path / 'data').exists(), 'nothing was created'


def test_a_failed_download_is_one_sentence(tmp_path, monkeypatch, capsys):
    from mmengine.runner import Runner

    class Offline:

        def train(self):
            raise URLError('[Errno -3] Temporary failure in name resolution')

    monkeypatch.setattr(Runner, 'from_cfg',
                        staticmethod(lambda cfg: Offline()))
    monkeypatch.chdir(tmp_path)
    config = osp.join(ROOT, 'configs', 'baseline',
                      'wrn40-2_1xb128_cifar10.py')
    err = _train([
        config, '--cfg-options', 'train_dataloader.dataset.download=True',
        'val_dataloader.dataset.download=True',
        'test_dataloader.dataset.download=True'
    ], capsys)
    assert err == ('error: a download failed ([Errno -3] Temporary failure in '
                   'name resolution); put the files in place instead (data '
                   "sets: see the README's Data section)\n")


def test_train_reports_unreadable_configs(tmp_path, capsys):
    binary = tmp_path / 'bin.py'
    binary.write_bytes(b'\x00\xff\xfe')
    assert _train([str(binary)], capsys) == (
        f"error: config file '{binary}' is not UTF-8 text (byte at position "
        '1)\n')
    assert _train([str(tmp_path)], capsys) == (
        f"error: config file '{tmp_path}' is a directory; give a config file "
        '(configs live under configs/).\n')
    broken = tmp_path / 'broken.py'
    broken.write_text('model = dict(type="X"\n')
    assert _train([str(broken)], capsys).startswith(
        f"error: config file '{broken}' has a Python syntax error")


def _run_tool(name, argv, capsys):
    old = sys.argv
    sys.argv = [f'{name}.py'] + argv
    try:
        with pytest.raises(SystemExit) as exit_info:
            runpy.run_path(osp.join(ROOT, 'tools', f'{name}.py'),
                           run_name='__main__')
    finally:
        sys.argv = old
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert 'Traceback' not in err
    return err


def test_only_the_named_loaders_are_checked(tmp_path):
    cfg = dict(
        train_dataloader=dict(dataset=dict(type='CIFAR10',
                                           data_root=str(tmp_path / 'a'))),
        test_dataloader=dict(dataset=dict(type='CIFAR10',
                                          data_root=str(tmp_path / 'b'))))
    assert len(missing_data(cfg)) == 2
    (only, ) = missing_data(cfg, ['test_dataloader'])
    assert only.startswith('test_dataloader.dataset (CIFAR10): '
                           f'{tmp_path}/b/cifar-10-batches-py does not exist')


def test_test_says_where_the_data_goes(tmp_path, monkeypatch, capsys):
    # tools/test.py used to let mmpretrain create data/cifar10 and end in a
    # URLError traceback offline
    monkeypatch.chdir(tmp_path)
    checkpoint = tmp_path / 'model.pth'
    checkpoint.write_bytes(b'')
    config = osp.join(ROOT, 'configs', 'baseline',
                      'wrn40-2_1xb128_cifar10.py')
    err = _run_tool('test', [config, str(checkpoint), '--work-dir',
                             str(tmp_path / 'work')], capsys)
    assert err == (
        'error: the data is not in place:\n  test_dataloader.dataset '
        '(mmpretrain.CIFAR10): data/cifar10/cifar-10-batches-py does not '
        'exist; put the extracted cifar-10-python.tar.gz (the python version '
        'of CIFAR-10) there (see the Data section of the README), or set '
        'download=True in this data set config to let mmpretrain download '
        'it\n')
    assert not (tmp_path / 'data').exists(), 'nothing was created'


@pytest.mark.parametrize('tool', ['train', 'test'])
def test_cfg_options_without_equals_are_a_usage_error(tool, tmp_path,
                                                      capsys):
    # mmengine's DictAction used to raise a ValueError traceback
    config = osp.join(ROOT, 'configs', 'baseline', 'wrn16-1_demo-cifar.py')
    argv = [config] + ([str(tmp_path / 'x.pth')] if tool == 'test' else [])
    err = _run_tool(tool, argv + ['--cfg-options', 'a=1', 'foo'], capsys)
    assert err.splitlines()[-1] == (
        f"{tool}.py: error: argument --cfg-options: 'foo' is not KEY=VALUE "
        '(e.g. train_dataloader.batch_size=64)')


def test_a_failed_download_in_test_is_one_sentence(tmp_path, monkeypatch,
                                                   capsys):
    from mmengine.runner import Runner

    class Offline:

        def test(self):
            raise URLError('[Errno -3] Temporary failure in name resolution')

    monkeypatch.setattr(Runner, 'from_cfg',
                        staticmethod(lambda cfg: Offline()))
    monkeypatch.chdir(tmp_path)
    checkpoint = tmp_path / 'model.pth'
    checkpoint.write_bytes(b'')
    config = osp.join(ROOT, 'configs', 'baseline',
                      'wrn40-2_1xb128_cifar10.py')
    err = _run_tool('test', [
        config, str(checkpoint), '--cfg-options',
        'test_dataloader.dataset.download=True'
    ], capsys)
    assert err == ('error: a download failed ([Errno -3] Temporary failure in '
                   'name resolution); put the files in place instead (data '
                   "sets: see the README's Data section)\n")
