# Copyright (c) mmautoaug contributors. All rights reserved.
"""What the detector variants of the search methods share: building an mmdet
detector with a deferring preprocessor, per-copy losses, gradient sync."""
import contextlib
import copy
from typing import Dict, List, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.config import ConfigDict
from mmengine.dist import get_world_size

from mmautoaug.registry import MODELS

PREPROCESSOR = 'mmautoaug.DetAugmentDataPreprocessor'


def split_detector_config(detector: Union[dict, nn.Module],
                          data_preprocessor) -> Tuple:
    """The detector (config or module) and a deferring preprocessor config.

    Without an explicit ``data_preprocessor`` the detector's own
    (``DetDataPreprocessor`` in the stock configs) is reused with its mean,
    std, padding and channel flags, as a
    :class:`~mmautoaug.models.DetAugmentDataPreprocessor` that leaves
    normalisation to the search model.
    """
    if isinstance(detector, dict):
        # mmdet's two-stage detectors read train_cfg.rpn by attribute
        detector = ConfigDict(copy.deepcopy(detector))
    if data_preprocessor is None:
        own = detector.get('data_preprocessor') if isinstance(
            detector, dict) else getattr(detector, 'data_preprocessor', None)
        if isinstance(own, nn.Module) or own is None:
            raise ValueError(
                'give data_preprocessor=dict(type='
                f"'{PREPROCESSOR}', "
                '...) (the detector has no data_preprocessor config to '
                'take it from)')
        data_preprocessor = dict(own, type=PREPROCESSOR, defer_normalize=True)
    return detector, data_preprocessor


def check_preprocessor(model: nn.Module, name: str) -> None:
    pre = model.data_preprocessor
    if not getattr(pre, 'defer_normalize', False) or not hasattr(
            pre, 'normalize'):
        raise ValueError(
            f'{name}: data_preprocessor must return un-normalised training '
            'batches and provide normalize(); use '
            f"dict(type='{PREPROCESSOR}', defer_normalize=True, ...), got "
            f'{type(pre).__name__}')


def build_detector(detector: Union[dict, nn.Module], name: str) -> nn.Module:
    """Build the detector (its types resolve in the config's default scope:
    ``mmdet`` for configs that inherit ``mmdet::``)."""
    if isinstance(detector, dict):
        detector = MODELS.build(detector)
    for method in ('extract_feat', 'loss'):
        if not callable(getattr(detector, method, None)):
            raise TypeError(f'{name}: detector must be an mmdet detector with '
                            f'{method}(), got {type(detector).__name__}')
    return detector


@contextlib.contextmanager
def given_features(detector: nn.Module, feats: Sequence[torch.Tensor]):
    """Make ``detector.extract_feat`` return ``feats`` for one ``loss`` call.

    mmdet's detectors compute their loss as ``extract_feat`` (backbone and
    neck) followed by the heads' losses, which are normalised over the whole
    batch (RetinaNet by its positive anchors, the RPN and RoI heads by their
    samples). A copy's loss is therefore the detector's loss on that copy
    alone; this lets the backbone and neck run once on several copies (they
    treat images independently when BN is frozen, as in the stock R-50
    configs) and the heads once per copy.
    """
    calls = []

    def extract_feat(inputs):
        calls.append(1)
        return tuple(feats)

    detector.extract_feat = extract_feat
    try:
        yield
    finally:
        del detector.extract_feat
    if len(calls) != 1:
        raise RuntimeError(
            f'{type(detector).__name__}.loss called extract_feat '
            f'{len(calls)} times (once expected); its features cannot be '
            'shared between copies: set copies_per_step=1')


def copy_losses(model, detector: nn.Module, images: torch.Tensor,
                samples: List, copies: int) -> Tuple[torch.Tensor, Dict]:
    """The detector's total loss on each of ``copies`` equal blocks of a
    batch (copy-major), and their summed log variables.

    One copy: the detector's own ``loss``. Several: the backbone and neck
    once on all of them, the heads once per copy (:func:`given_features`).

    Returns:
        tuple: ``(copies,)`` losses (with their graph) and a dict of summed
        log tensors (divide by ``copies`` for the mean).
    """
    batch = len(images) // copies
    if copies == 1:
        losses, log_vars = model.parse_losses(detector.loss(images, samples))
        return losses.reshape(1), {k: v.detach() for k, v in log_vars.items()}
    feats = detector.extract_feat(images)
    per_copy, summed = [], {}
    for j in range(copies):
        rows = slice(j * batch, (j + 1) * batch)
        with given_features(detector, [f[rows] for f in feats]):
            raw = detector.loss(images[rows], samples[rows])
        loss, log_vars = model.parse_losses(raw)
        per_copy.append(loss)
        for key, value in log_vars.items():
            summed[key] = summed.get(key, 0) + value.detach()
    return torch.stack(per_copy), summed


def all_reduce_grads(params: Sequence[nn.Parameter]) -> None:
    """Average the gradients of ``params`` over ranks (no-op on one rank);
    a parameter without a gradient on this rank counts as zeros."""
    if get_world_size() == 1:
        return
    from mmautoaug.search.dada.step_utils import all_reduce_mean
    params = [p for p in params if p.requires_grad]
    grads = [torch.zeros_like(p) if p.grad is None else p.grad for p in params]
    for p, g in zip(params, all_reduce_mean(grads)):
        p.grad = g
