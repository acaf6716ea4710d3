# Copyright (c) mmautoaug contributors. All rights reserved.
"""Classifier checkpoint -> detector backbone checkpoint.

An mmpretrain ``ImageClassifier`` saves its ResNet as ``backbone.*`` next to
``neck.*`` and ``head.*``; mmdet's ResNet has the same parameter names
(``conv1``, ``bn1``, ``layer1.0.conv1``, ...). The backbone checkpoint keeps
only the ``backbone.*`` tensors, so a detector config loads it with

.. code-block:: python

    model = dict(backbone=dict(init_cfg=dict(
        type='Pretrained', prefix='backbone.', checkpoint='backbone.pth')))

and the file is a fraction of the classifier's size (no head, no optimizer
state).
"""
import json
from collections import OrderedDict
from typing import Dict, List, Tuple, Union

import torch

PREFIX = 'backbone.'


def load_checkpoint_file(path: str) -> dict:
    """Load an MMEngine checkpoint on CPU (torch >= 2.6 safe loading)."""
    from mmengine.runner import CheckpointLoader

    from mmautoaug.utils.checkpoint import allow_mmengine_checkpoints
    allow_mmengine_checkpoints()
    return CheckpointLoader.load_checkpoint(path, map_location='cpu')


def _plain(value) -> bool:
    """Whether ``value`` survives JSON, i.e. loads with ``weights_only``."""
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def _state_dict(checkpoint: dict) -> Dict[str, torch.Tensor]:
    if 'state_dict' in checkpoint:
        return checkpoint['state_dict']
    if checkpoint and all(
            isinstance(v, torch.Tensor) for v in checkpoint.values()):
        return checkpoint  # a bare state dict
    raise ValueError('not a model checkpoint: expected a dict with a '
                     "'state_dict' entry or a bare state dict of tensors, "
                     f'got keys {sorted(checkpoint)[:10]}')


def backbone_state_dict(checkpoint: dict) -> 'OrderedDict[str, torch.Tensor]':
    """The ``backbone.*`` tensors of a classifier (or detector) checkpoint.

    Args:
        checkpoint (dict): A loaded checkpoint (MMEngine's, with
            ``state_dict``) or a bare state dict. Keys saved from a wrapped
            model (``module.backbone.*``) are accepted too.

    Returns:
        OrderedDict: ``backbone.*`` keys with their tensors, moved to CPU.

    Raises:
        ValueError: When there is no ``backbone.*`` key; the message lists
            the key prefixes found.

    Examples:
        >>> import torch
        >>> sd = {'backbone.conv1.weight': torch.zeros(1),
        ...       'head.fc.weight': torch.zeros(1)}
        >>> list(backbone_state_dict({'state_dict': sd}))
        ['backbone.conv1.weight']
    """
    state_dict = _state_dict(checkpoint)
    out = OrderedDict()
    for key, value in state_dict.items():
        name = key[len('module.'):] if key.startswith('module.') else key
        if name.startswith(PREFIX):
            out[name] = value.detach().cpu()
    if not out:
        prefixes = sorted({k.split('.', 1)[0] for k in state_dict})
        raise ValueError(f"the checkpoint has no '{PREFIX}*' keys; its "
                         f'top-level prefixes are {prefixes}')
    return out


def convert_classifier_checkpoint(src: Union[str, dict],
                                  dst: str) -> Dict[str, object]:
    """Write the backbone checkpoint of a classifier checkpoint.

    Args:
        src (str | dict): Path of the classifier checkpoint (an mmpretrain
            ``ImageClassifier`` trained with a policy), or the loaded dict.
        dst (str): Where to write ``{'state_dict': ..., 'meta': ...}``.

    Returns:
        dict: The written checkpoint.

    Examples:
        >>> import os.path as osp, tempfile, torch
        >>> dst = osp.join(tempfile.mkdtemp(), 'backbone.pth')
        >>> out = convert_classifier_checkpoint(dict(state_dict={
        ...     'backbone.conv1.weight': torch.ones(1),
        ...     'head.fc.weight': torch.ones(1)}, meta=dict(epoch=3)), dst)
        >>> list(torch.load(dst)['state_dict']), out['meta']['epoch']
        (['backbone.conv1.weight'], 3)
    """
    checkpoint = load_checkpoint_file(src) if isinstance(src, str) else src
    source_meta = checkpoint.get('meta') or {}
    # Plain values only, so that the file loads with torch's weights_only.
    meta = {k: v for k, v in source_meta.items() if _plain(v)}
    meta['converted_from'] = src if isinstance(src, str) else '<dict>'
    meta['converter'] = 'mmautoaug.detection.convert_classifier_checkpoint'
    out = dict(state_dict=backbone_state_dict(checkpoint), meta=meta)
    torch.save(out, dst)
    return out


def check_backbone_keys(
        checkpoint: Union[str, dict],
        backbone: Union[dict, torch.nn.Module]) -> Tuple[List[str], List[str]]:
    """Compare a backbone checkpoint with a backbone's parameter names.

    Reads the checkpoint the way ``init_cfg=dict(type='Pretrained',
    prefix='backbone.')`` does (keys starting with the prefix, prefix
    removed).

    Args:
        checkpoint (str | dict): Path or loaded checkpoint.
        backbone (dict | nn.Module): The backbone, or its config
            (e.g. ``dict(type='mmdet.ResNet', depth=50)``), built from
            mmautoaug's MODELS registry.

    Returns:
        tuple[list[str], list[str]]: ``(missing, unexpected)`` keys.

    Examples:
        >>> import torch
        >>> conv = torch.nn.Conv2d(1, 1, 1, bias=False)
        >>> ckpt = {'backbone.weight': torch.ones(1),
        ...         'backbone.x': torch.ones(1)}
        >>> check_backbone_keys(ckpt, conv)
        ([], ['x'])
    """
    if isinstance(backbone, dict):
        from mmautoaug.registry import MODELS
        backbone = MODELS.build(backbone)
    if isinstance(checkpoint, str):
        checkpoint = load_checkpoint_file(checkpoint)
    state = {
        k[len(PREFIX):]: v
        for k, v in _state_dict(checkpoint).items() if k.startswith(PREFIX)
    }
    expected = set(backbone.state_dict())
    return sorted(expected - set(state)), sorted(set(state) - expected)
