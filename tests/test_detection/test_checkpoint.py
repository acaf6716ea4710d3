# Copyright (c) mmautoaug contributors. All rights reserved.
import os.path as osp
import runpy
import sys

import pytest
import torch

from mmautoaug.detection import (backbone_state_dict, check_backbone_keys,
                                 convert_classifier_checkpoint,
                                 load_checkpoint_file)
from mmautoaug.registry import MODELS
from mmautoaug.utils import register_all_modules

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
register_all_modules(init_default_scope=False)


def _classifier(depth):
    channels = 2048 if depth >= 50 else 512
    return MODELS.build(
        dict(
            type='mmpretrain.ImageClassifier',
            backbone=dict(type='mmpretrain.ResNet', depth=depth),
            neck=dict(type='mmpretrain.GlobalAveragePooling'),
            head=dict(
                type='mmpretrain.LinearClsHead',
                num_classes=10,
                in_channels=channels)))


def _save_like_mmengine(model, path):
    # what a Runner writes: meta, state_dict, optimizer, message hub
    torch.save(
        dict(
            meta=dict(
                epoch=3,
                iter=30,
                mmengine_version='0.10.7',
                dataset_meta=dict(classes=['a', 'b'])),
            state_dict=model.state_dict(),
            optimizer=dict(state={}, param_groups=[dict(lr=0.1)])), path)
    return path


def test_resnet50_classifier_to_detector_backbone_round_trip(tmp_path):
    torch.manual_seed(0)
    classifier = _classifier(50)
    # random statistics, so that buffers are checked too
    for module in classifier.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-1, 1)
            module.running_var.uniform_(0.5, 2)
    src = _save_like_mmengine(classifier, str(tmp_path / 'epoch_3.pth'))
    dst = str(tmp_path / 'backbone.pth')
    convert_classifier_checkpoint(src, dst)

    written = torch.load(dst, map_location='cpu')  # weights_only: plain data
    assert set(written) == {'state_dict', 'meta'}
    assert all(k.startswith('backbone.') for k in written['state_dict'])
    assert written['meta']['converted_from'] == src
    assert written['meta']['epoch'] == 3
    missing, unexpected = check_backbone_keys(
        dst, dict(type='mmdet.ResNet', depth=50))
    assert missing == [] and unexpected == []

    # a detector config loads it through init_cfg
    det_backbone = MODELS.build(
        dict(
            type='mmdet.ResNet',
            depth=50,
            init_cfg=dict(
                type='Pretrained', prefix='backbone.', checkpoint=dst)))
    det_backbone.init_weights()
    source = classifier.state_dict()
    for key, value in det_backbone.state_dict().items():
        assert torch.equal(value, source[f'backbone.{key}']), key

    # round trip: the detector's checkpoint gives the classifier back
    detector_sd = {
        f'backbone.{k}': v
        for k, v in det_backbone.state_dict().items()
    }
    detector_sd['neck.lateral_convs.0.conv.weight'] = torch.zeros(1)
    back = backbone_state_dict({'state_dict': detector_sd})
    fresh = _classifier(50)
    fresh.backbone.load_state_dict(
        {
            k[len('backbone.'):]: v
            for k, v in back.items()
        }, strict=True)
    classifier.eval(), fresh.eval()
    x = torch.randn(1, 3, 64, 64)
    torch.testing.assert_close(
        fresh.backbone(x)[-1],
        classifier.backbone(x)[-1])


def test_accepts_bare_and_wrapped_state_dicts():
    weight = torch.ones(2)
    bare = {'backbone.conv1.weight': weight, 'head.fc.bias': weight}
    assert list(backbone_state_dict(bare)) == ['backbone.conv1.weight']
    wrapped = {'state_dict': {'module.backbone.conv1.weight': weight}}
    assert list(backbone_state_dict(wrapped)) == ['backbone.conv1.weight']


def test_bad_checkpoints_get_clear_errors(tmp_path):
    with pytest.raises(ValueError, match=r"no 'backbone\.\*' keys.*head"):
        backbone_state_dict({'state_dict': {'head.fc.weight': torch.ones(1)}})
    with pytest.raises(ValueError, match='not a model checkpoint'):
        backbone_state_dict({'epoch': 3})
    missing, unexpected = check_backbone_keys(
        {
            'state_dict': {
                'backbone.conv1.weight': torch.ones(1),
                'backbone.fc.weight': torch.ones(1)
            }
        }, dict(type='mmdet.ResNet', depth=18))
    assert 'bn1.weight' in missing and unexpected == ['fc.weight']


def test_tool_converts_and_checks(tmp_path, capsys):
    src = _save_like_mmengine(_classifier(18), str(tmp_path / 'cls.pth'))
    dst = str(tmp_path / 'out' / 'backbone.pth')
    tool = osp.join(ROOT, 'tools', 'model_converters', 'cls2det_backbone.py')
    argv = sys.argv
    sys.argv = ['cls2det_backbone.py', src, dst, '--check-depth', '18']
    try:
        runpy.run_path(tool, run_name='__main__')
    finally:
        sys.argv = argv
    out = capsys.readouterr().out
    assert 'no missing or unexpected keys' in out
    assert len(load_checkpoint_file(dst)['state_dict']) == len(
        _classifier(18).backbone.state_dict())
    # a depth that does not match fails with the key counts
    sys.argv = ['cls2det_backbone.py', src, dst, '--check-depth', '50']
    try:
        with pytest.raises(SystemExit) as exit_info:
            runpy.run_path(tool, run_name='__main__')
    finally:
        sys.argv = argv
    assert exit_info.value.code == 1
    assert 'would miss' in capsys.readouterr().err
