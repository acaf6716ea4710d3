# Copyright (c) mmautoaug contributors. All rights reserved.
"""Say where the data belongs before a run starts, instead of a traceback.

mmpretrain's CIFAR data sets create their folder and try to download when
the files are missing (offline that ends in a ``URLError`` deep inside
urllib); ImageNet, folder data sets and COCO fail with a bare path error in
a data-loader. :func:`missing_data` reads a config's data sets (dataset
wrappers followed) and returns one sentence per missing file or folder,
naming the layout the README's *Data* section describes.

Only the stock data set classes are checked (exact type names): the
embedded demo sets build their own files on first use.
"""
import os.path as osp
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

#: (train, test) file names under the folder of mmpretrain's CIFAR classes.
_CIFAR = {
    'CIFAR10': ('cifar-10-batches-py',
                ('data_batch_1', 'data_batch_2', 'data_batch_3',
                 'data_batch_4', 'data_batch_5', 'test_batch',
                 'batches.meta'), 'cifar-10-python.tar.gz'),
    'CIFAR100': ('cifar-100-python', ('train', 'test', 'meta'),
                 'cifar-100-python.tar.gz'),
}
_README = 'see the Data section of the README'


def _type_name(dataset: dict) -> str:
    kind = dataset.get('type', '')
    name = kind if isinstance(kind, str) else getattr(kind, '__name__', '')
    return name.rsplit('.', 1)[-1]


def iter_datasets(cfg: dict,
                  loaders: Optional[Sequence[str]] = None
                  ) -> Iterator[Tuple[str, dict]]:
    """Every data set config of a config's ``*_dataloader`` entries, with
    its place (``'train_dataloader.dataset.dataset'``), wrappers followed.

    Args:
        cfg (dict | Config): The config.
        loaders (Sequence[str], optional): Only these top-level keys (e.g.
            ``['test_dataloader']`` for a test run); None: every
            ``*_dataloader``.

    Examples:
        >>> cfg = dict(train_dataloader=dict(dataset=dict(
        ...     type='RepeatDataset', dataset=dict(type='CIFAR10'))))
        >>> [where for where, _ in iter_datasets(cfg)]
        ['train_dataloader.dataset', 'train_dataloader.dataset.dataset']
    """

    def walk(dataset, where):
        if not isinstance(dataset, dict):
            return
        yield where, dataset
        yield from walk(dataset.get('dataset'), f'{where}.dataset')
        for k, sub in enumerate(dataset.get('datasets') or []):
            yield from walk(sub, f'{where}.datasets[{k}]')

    order = ('train_dataloader', 'val_dataloader', 'test_dataloader')
    keys = sorted(cfg.keys(),
                  key=lambda k: (order.index(k) if k in order else 3, k))
    for key in keys:
        loader = cfg.get(key)
        wanted = (key.endswith('_dataloader') if loaders is None else key
                  in loaders)
        if wanted and isinstance(loader, dict):
            yield from walk(loader.get('dataset'), f'{key}.dataset')


def _prefix(dataset: dict, key: str = 'img_path') -> str:
    prefix = dataset.get('data_prefix') or ''
    if isinstance(prefix, dict):
        prefix = prefix.get(key) or prefix.get('img') or prefix.get(
            'root') or ''
    return prefix


def _join(root: str, path: str) -> str:
    return path if osp.isabs(path) or not root else osp.join(root, path)


def _check_cifar(kind: str, dataset: dict) -> Optional[str]:
    folder, files, archive = _CIFAR[kind]
    root = _join(dataset.get('data_root') or '', _prefix(dataset, 'root'))
    missing = [f for f in files if not osp.isfile(osp.join(root, folder, f))]
    if not missing:
        return None
    if dataset.get('download') is True:
        return None  # the user asked mmpretrain to fetch it
    place = osp.join(root, folder)
    what = (f'{place} does not exist' if not osp.isdir(place) else
            f'{place} lacks {missing}')
    return (f'{what}; put the extracted {archive} (the python version of '
            f'{kind.replace("CIFAR", "CIFAR-")}) there ({_README}), or set '
            'download=True in this data set config to let mmpretrain '
            'download it')


def _check_imagenet(dataset: dict) -> Optional[str]:
    root = dataset.get('data_root') or ''
    split = dataset.get('split') or ''
    prefix = _prefix(dataset) or split
    ann = dataset.get('ann_file') or (
        osp.join('meta', f'{split}.txt') if split else '')
    layout = (f'put ImageNet there: {osp.join(root, "train")}/<wnid>/*.JPEG, '
              f'{osp.join(root, "val")}/*.JPEG and '
              f'{osp.join(root, "meta")}/{{train,val}}.txt ({_README})')
    folder = _join(root, prefix)
    if not osp.isdir(folder):
        return f'{folder} does not exist; {layout}'
    if ann and not osp.isfile(_join(root, ann)) and split != 'train':
        # mmpretrain reads a train folder without a list, not val/test
        return f'{_join(root, ann)} does not exist; {layout}'
    return None


def _check_folders(dataset: dict) -> Optional[str]:
    root = dataset.get('data_root') or ''
    folder = _join(root, _prefix(dataset))
    hint = (' (`python tools/dataset_converters/svhn.py path/to/mats --out '
            f'{root or "data/svhn"}` writes SVHN so)'
            if 'svhn' in folder.lower() else '')
    if not osp.isdir(folder):
        return (f'{folder} does not exist; put one folder of images per '
                f'class there{hint} ({_README})')
    ann = dataset.get('ann_file')
    if ann and not osp.isfile(_join(root, ann)):
        return f'{_join(root, ann)} does not exist ({_README})'
    return None


def _check_coco(dataset: dict) -> Optional[str]:
    root = dataset.get('data_root') or ''
    layout = (f'put COCO there: {osp.join(root, "train2017")}/, '
              f'{osp.join(root, "val2017")}/ and '
              f'{osp.join(root, "annotations")}/instances_{{train,val}}'
              f'2017.json ({_README})')
    ann = dataset.get('ann_file')
    if ann and not osp.isfile(_join(root, ann)):
        return f'{_join(root, ann)} does not exist; {layout}'
    images = _prefix(dataset, 'img')
    if images and not osp.isdir(_join(root, images)):
        return f'{_join(root, images)} does not exist; {layout}'
    return None


_CHECKS: Dict[str, object] = {
    'CIFAR10': lambda d: _check_cifar('CIFAR10', d),
    'CIFAR100': lambda d: _check_cifar('CIFAR100', d),
    'ImageNet': _check_imagenet,
    'CustomDataset': _check_folders,
    'CocoDataset': _check_coco,
}


def missing_data(cfg: dict,
                 loaders: Optional[Sequence[str]] = None) -> List[str]:
    """One sentence per data set of ``cfg`` whose files are not there.

    Args:
        cfg (dict | Config): A training config.
        loaders (Sequence[str], optional): Check only these data loaders
            (``['test_dataloader']`` for ``tools/test.py``); None: all.

    Returns:
        list[str]: ``'<place> (<type>): <path> does not exist; put ...'``,
        empty when every known data set is in place (or asked to download).

    Examples:
        >>> missing_data(dict(train_dataloader=dict(dataset=dict(
        ...     type='mmpretrain.CIFAR10', data_root='/nowhere'))))[0][:68]
        'train_dataloader.dataset (mmpretrain.CIFAR10): /nowhere/cifar-10-bat'
    """
    problems, seen = [], set()
    for where, dataset in iter_datasets(cfg, loaders):
        check = _CHECKS.get(_type_name(dataset))
        if check is None:
            continue
        message = check(dataset)
        if message and message not in seen:
            seen.add(message)
            problems.append(f"{where} ({dataset.get('type')}): {message}")
    return problems
