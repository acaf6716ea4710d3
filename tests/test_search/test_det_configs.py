# Copyright (c) mmautoaug contributors. All rights reserved.
"""The detector-search configs: they inherit the stock mmdet configs, build,
run through the Runner on the embedded COCO-layout set, and write a policy
that inject.py puts into an mmdet config."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

import mmautoaug.datasets  # noqa: F401  (DemoCocoDataset)
from mmautoaug.detection import inject_policy, read_config
from mmautoaug.policy import load_policy

ROOT = osp.join(osp.dirname(__file__), '..', '..', 'configs', 'detection')
SEARCH = sorted(glob.glob(osp.join(ROOT, 'search', '*.py')))
DEMOS = sorted(glob.glob(osp.join(ROOT, 'demo', '*-search_*.py')))
STOCK = {
    'retinanet': 'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py',
    'faster-rcnn': 'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py',
    'mask-rcnn': 'mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py',
}


def _plain(cfg):
    """A config dict without the package scope mmengine adds to the values
    taken from ``mmdet::`` bases."""
    out = cfg.to_dict()
    assert out.pop('_scope_', 'mmdet') == 'mmdet'
    return out


def _detector(path):
    return next(k for k in STOCK if f'_{k}_' in osp.basename(path))


def test_every_detector_has_both_searches():
    names = {osp.basename(p) for p in SEARCH}
    for det in STOCK:
        for method in ('advaa', 'dada'):
            assert f'{method}_{det}_r50_fpn_1x_coco.py' in names
    assert len(DEMOS) == 6


@pytest.mark.parametrize('path', SEARCH, ids=osp.basename)
def test_search_configs_wrap_the_stock_detector(path):
    cfg = Config.fromfile(path)
    stock = read_config(STOCK[_detector(path)])
    assert cfg.default_scope == 'mmdet'
    # the stock detector, unchanged, inside the search model (with the
    # scope of its package, which mmengine adds to mmdet:: bases)
    assert _plain(cfg.model.detector) == stock.model.to_dict()
    assert cfg.model_wrapper_cfg.type == \
        'mmautoaug.SearchDistributedDataParallel'
    masks = _detector(path) == 'mask-rcnn'
    if osp.basename(path).startswith('advaa'):
        assert cfg.model.type == 'mmautoaug.AdvAADetector'
        assert cfg.train_cfg.type == 'EpochBasedTrainLoop'
        hook = cfg.custom_hooks[0]
        assert hook.type == 'mmautoaug.AdvAAHook'
        assert hook.generator.space == 'detection'
        assert hook.num_policies == 8
        assert cfg.model.augmentor.get('recompute_bbox', False) == masks
        # the stock pipeline, without a policy step (the search augments)
        assert cfg.train_dataloader.dataset.pipeline == \
            stock.train_dataloader.dataset.pipeline
    else:
        assert cfg.model.type == 'mmautoaug.DADADetector'
        assert cfg.model.first_order is True
        assert cfg.model.get('recompute_bbox', False) == masks
        assert cfg.train_cfg.type == 'mmautoaug.DADASearchLoop'
        half_a = cfg.train_dataloader.dataset
        half_b = cfg.train_cfg.search_dataloader.dataset
        assert (half_a.part, half_b.part) == ('train', 'heldout')
        assert half_a.dataset == half_b.dataset  # one reduced set, split
        assert _plain(half_a.dataset.dataset) == \
            stock.train_dataloader.dataset.to_dict()
        assert _plain(cfg.optim_wrapper.detector) == \
            stock.optim_wrapper.to_dict()
        assert set(cfg.param_scheduler) == {'detector', 'policy'}


def _shrunk(path, work_dir, coco_root):
    """The demo config on 4 images: one iteration per epoch, one epoch."""
    cfg = Config.fromfile(path)
    cfg.work_dir = work_dir

    def four(dataset):
        return dict(
            type='mmautoaug.StratifiedSplitDataset',
            stratified=False,
            part='heldout',
            heldout=4,
            seed=0,
            dataset=dataset)

    def root(dataset):
        while 'data_root' not in dataset:
            dataset = dataset.dataset
        dataset.data_root = coco_root

    cfg.train_dataloader.dataset = four(cfg.train_dataloader.dataset)
    root(cfg.train_dataloader.dataset)
    cfg.train_cfg.max_epochs = 1
    if 'search_dataloader' in cfg.train_cfg:
        loader = cfg.train_cfg.search_dataloader
        loader.dataset = four(loader.dataset)
        root(loader.dataset)
    if 'dada' in osp.basename(path):
        cfg.custom_hooks = [dict(type='mmautoaug.PolicyExportHook')]
    else:
        cfg.custom_hooks[0].num_policies = 2
    return cfg


@pytest.fixture(scope='module')
def coco_root(tmp_path_factory):
    return str(tmp_path_factory.mktemp('demo') / 'demo_coco')


@pytest.mark.parametrize('path', DEMOS, ids=osp.basename)
def test_demo_search_runs_and_its_policy_injects(path, coco_root, tmp_path):
    runner = Runner.from_cfg(_shrunk(path, str(tmp_path), coco_root))
    runner.train()
    assert runner.epoch == 1
    name = 'policy_final.json' if 'advaa' in osp.basename(path) \
        else 'policy.json'
    policy = load_policy(str(tmp_path / name))
    assert policy.space.name == 'detection'
    cfg = inject_policy(read_config(STOCK[_detector(path)]), policy)
    steps = [t['type'] for t in cfg.train_dataloader.dataset.pipeline]
    assert 'mmautoaug.DetPolicyAugment' in steps
