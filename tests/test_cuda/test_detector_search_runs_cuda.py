# Copyright (c) mmautoaug contributors. All rights reserved.
"""The detector searches through the Runner on the GPU: a demo config
(AdvAA on RetinaNet, DADA on Mask R-CNN; shrunk to one iteration) runs
its hooks and loops with the model on the device and writes a policy that
inject.py puts into the stock mmdet config."""
import os.path as osp

import pytest
import torch
from mmengine.runner import Runner

from mmautoaug.detection import inject_policy, read_config
from mmautoaug.policy import load_policy
from tests.test_cuda.test_detection_cuda import _needs_mmcv_ops
from tests.test_search.test_det_configs import DEMOS, STOCK, _detector, _shrunk

pytestmark = pytest.mark.cuda
RUNS = [
    p for p in DEMOS if osp.basename(p).startswith(('advaa-search_retinanet',
                                                    'dada-search_mask-rcnn'))
]


@pytest.mark.parametrize('path', RUNS, ids=osp.basename)
def test_demo_search_runs_on_the_gpu(device, path, tmp_path_factory):
    if device.type != 'cuda':
        pytest.skip('the suite runs these configs on the CPU '
                    '(tests/test_search/test_det_configs.py)')
    _needs_mmcv_ops(osp.basename(path), device)
    root = str(tmp_path_factory.mktemp('demo') / 'demo_coco')
    work_dir = tmp_path_factory.mktemp('run')
    runner = Runner.from_cfg(_shrunk(path, str(work_dir), root))
    runner.train()
    assert runner.epoch == 1
    model = runner.model.module if hasattr(runner.model,
                                           'module') else runner.model
    assert next(model.parameters()).device.type == 'cuda'
    name = 'policy_final.json' if 'advaa' in osp.basename(path) \
        else 'policy.json'
    policy = load_policy(str(work_dir / name))
    assert policy.space.name == 'detection'
    cfg = inject_policy(read_config(STOCK[_detector(path)]), policy)
    steps = [t['type'] for t in cfg.train_dataloader.dataset.pipeline]
    assert 'mmautoaug.DetPolicyAugment' in steps
    torch.cuda.empty_cache()
