# Copyright (c) mmautoaug contributors. All rights reserved.
import multiprocessing as mp
import os
import os.path as osp
import pickle

import numpy as np
import pytest
from mmengine.config import Config
from mmpretrain.datasets import CIFAR10

from mmautoaug.datasets.demo import (DEMO_CIFAR_MD5, DIGIT_NAMES, DemoCIFAR10,
                                     build_demo_cifar)
from mmautoaug.datasets.demo.demo_cifar import file_md5
from mmautoaug.registry import DATASETS
from mmautoaug.utils import register_all_modules

register_all_modules()
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture(scope='module')
def demo_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('data') / 'demo_cifar')
    assert build_demo_cifar(root)
    return root


def test_files_have_the_cifar10_python_layout(demo_root):
    folder = osp.join(demo_root, 'cifar-10-batches-py')
    assert sorted(os.listdir(folder)) == sorted(
        ['batches.meta', 'test_batch'] +
        [f'data_batch_{i}' for i in range(1, 6)])
    with open(osp.join(folder, 'data_batch_3'), 'rb') as f:
        # the dataset's own recipe: pickle.load(f, encoding='bytes')
        batch = pickle.load(f, encoding='bytes')
    assert list(batch) == [b'batch_label', b'labels', b'data', b'filenames']
    assert batch[b'batch_label'] == b'training batch 3 of 5'
    assert batch[b'data'].dtype == np.uint8
    assert batch[b'data'].shape == (300, 3072)
    assert len(batch[b'labels']) == len(batch[b'filenames']) == 300
    assert all(isinstance(v, int) for v in batch[b'labels'])
    assert batch[b'filenames'][0].endswith(b'.png')
    with open(osp.join(folder, 'batches.meta'), 'rb') as f:
        meta = pickle.load(f, encoding='latin1')
    assert meta == {
        'num_cases_per_batch': 300,
        'label_names': list(DIGIT_NAMES),
        'num_vis': 3072
    }


def test_mmpretrain_cifar10_code_loads_it(demo_root):
    # DemoCIFAR10 changes only CIFAR10's class attributes (checksums, class
    # names): the loading and integrity-check code is mmpretrain's own
    for method in ('load_data_list', '_check_integrity', '_load_meta'):
        assert getattr(DemoCIFAR10, method) is getattr(CIFAR10, method)
    train = DemoCIFAR10(data_root=demo_root, split='train')
    test = DemoCIFAR10(data_root=demo_root, split='test')
    assert len(train) == 1500 and len(test) == 297
    assert train.metainfo['classes'] == DIGIT_NAMES
    info = train.get_data_info(0)
    assert info['img'].shape == (32, 32, 3) and info['img'].dtype == np.uint8
    for dataset in (train, test):
        labels = np.array(
            [dataset.get_data_info(i)['gt_label']
             for i in range(len(dataset))])
        assert labels.min() == 0 and labels.max() == 9
        assert len(np.unique(labels)) == 10
    # the rows are RGB planes: the image equals the pickled row reshaped
    with open(osp.join(demo_root, 'cifar-10-batches-py', 'data_batch_1'),
              'rb') as f:
        row = pickle.load(f, encoding='latin1')['data'][0]
    assert np.array_equal(info['img'], row.reshape(3, 32, 32).transpose(
        1, 2, 0))


def test_images_vary_in_colour_and_position(demo_root):
    dataset = DemoCIFAR10(data_root=demo_root, split='train')
    images = np.stack(
        [dataset.get_data_info(i)['img'] for i in range(200)]).astype(float)
    # mean colours spread widely between images
    assert images.mean(axis=(1, 2)).std(axis=0).min() > 15
    # no image is flat: the dark digit stands out from the light background
    assert images.reshape(200, -1, 3).std(axis=1).max(axis=1).min() > 10
    assert (images.min(axis=(1, 2)) < images.max(axis=(1, 2)) - 60).all()


def test_checksums_are_the_reference_build(demo_root):
    for name, md5 in DEMO_CIFAR_MD5.items():
        assert file_md5(osp.join(demo_root, 'cifar-10-batches-py',
                                 name)) == md5, name


def test_two_builds_are_identical(demo_root, tmp_path):
    again = str(tmp_path / 'again')
    build_demo_cifar(again)
    for name in DEMO_CIFAR_MD5:
        with open(osp.join(demo_root, 'cifar-10-batches-py', name),
                  'rb') as a, open(
                      osp.join(again, 'cifar-10-batches-py', name),
                      'rb') as b:
            assert a.read() == b.read(), name


def _build(root):
    return build_demo_cifar(root)


def test_concurrent_builds_are_safe(tmp_path):
    root = str(tmp_path / 'demo_cifar')
    with mp.get_context('fork').Pool(3) as pool:
        results = pool.map(_build, [root] * 3)
    assert sum(results) >= 1  # the others found it built or lost the race
    assert sorted(os.listdir(tmp_path)) == ['demo_cifar']  # no temp left
    DemoCIFAR10(data_root=root, split='test')  # every checksum matches


def test_built_on_first_use_and_reused(tmp_path):
    root = str(tmp_path / 'nested' / 'demo_cifar')
    dataset = DemoCIFAR10(data_root=root, split='test')
    assert len(dataset) == 297
    mtime = os.stat(osp.join(root, 'cifar-10-batches-py', 'test_batch'))
    assert build_demo_cifar(root) is False
    assert os.stat(osp.join(root, 'cifar-10-batches-py',
                            'test_batch')).st_mtime == mtime.st_mtime


def test_damaged_file_gives_a_clear_error(tmp_path):
    root = str(tmp_path / 'demo_cifar')
    build_demo_cifar(root)
    with open(osp.join(root, 'cifar-10-batches-py', 'data_batch_2'),
              'ab') as f:
        f.write(b'x')
    with pytest.raises(RuntimeError, match='data_batch_2 differs'):
        DemoCIFAR10(data_root=root)
    assert build_demo_cifar(root, force=True)
    assert len(DemoCIFAR10(data_root=root)) == 1500


def test_download_is_refused(tmp_path):
    with pytest.raises(ValueError, match='download'):
        DemoCIFAR10(data_root=str(tmp_path / 'x'), download=True)


def test_config_builds_dataset_with_pipeline(tmp_path):
    cfg = Config.fromfile(
        osp.join(REPO, 'configs/_base_/datasets/demo_cifar.py'))
    dataset_cfg = cfg.train_dataloader.dataset
    dataset_cfg.data_root = str(tmp_path / 'demo_cifar')
    dataset = DATASETS.build(dataset_cfg)
    sample = dataset[0]
    assert tuple(sample['inputs'].shape) == (3, 32, 32)
    assert 0 <= int(sample['data_samples'].gt_label) <= 9


def test_build_tool_builds_and_rebuilds(tmp_path, capsys):
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'build_demo_data', osp.join(REPO, 'tools/misc/build_demo_data.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    out = str(tmp_path)
    assert tool.main(['--out', out, '--only', 'cifar']) == 0
    assert tool.main(['--out', out, '--only', 'cifar']) == 0
    printed = capsys.readouterr().out
    assert 'demo_cifar: built' in printed and 'already there' in printed
    assert not osp.exists(osp.join(out, 'demo_coco'))
    path = osp.join(out, 'demo_cifar', 'cifar-10-batches-py', 'test_batch')
    with open(path, 'ab') as f:
        f.write(b'damage')
    assert tool.main(['--out', out, '--only', 'cifar', '--force']) == 0
    assert file_md5(path) == DEMO_CIFAR_MD5['test_batch']
