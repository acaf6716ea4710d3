# Copyright (c) mmautoaug contributors. All rights reserved.
"""Saved AWS controllers and the policy files made from them.

:class:`~mmautoaug.search.aws.AWSSearchLoop` saves controllers in three
kinds of files, all read by :func:`load_controller`:

- ``aws_best_controller.pth``: the controller whose evaluation earned the
  best mean reward (the one AWS retrains with);
- ``aws_controllers/step_XXXX.pth``: the controller evaluated at each step;
- ``aws_search_state.pth``: the whole search state, whose ``controller`` is
  the latest one (after the last update).

Each holds ``state_dict`` (or ``controller``), ``space`` and
``parametrization``, so the controller can be rebuilt without the config.
"""
import os.path as osp
import pickle
from typing import Optional, Sequence, Tuple

import torch

from mmautoaug.models.policy_models.aws import AWSController

#: File names written into ``work_dir``.
STATE_FILE = 'aws_search_state.pth'
HISTORY_FILE = 'aws_history.json'
BEST_CONTROLLER_FILE = 'aws_best_controller.pth'
STEP_CONTROLLER_DIR = 'aws_controllers'
POLICY_FILE = 'policy.json'
LAST_POLICY_FILE = 'policy_last.json'


def controller_record(controller: AWSController, **info) -> dict:
    """What a saved controller file holds (see :func:`load_controller`)."""
    return dict(
        state_dict={
            k: v.detach().cpu().clone()
            for k, v in controller.state_dict().items()
        },
        space=controller.space.name,
        parametrization=controller.parametrization,
        **info)


def load_controller(
        path: str,
        space: Optional[str] = None,
        parametrization: Optional[str] = None) -> Tuple[AWSController, dict]:
    """Rebuild a saved controller.

    Args:
        path (str): ``aws_best_controller.pth``, a
            ``aws_controllers/step_XXXX.pth`` or ``aws_search_state.pth``.
        space (str, optional): The space, for files that do not record it.
            Defaults to None (the file's, else ``'aws'``).
        parametrization (str, optional): ``'sigmoid'`` or ``'softmax'``, for
            files that do not record it. Defaults to None (the file's, else
            ``'sigmoid'``).

    Returns:
        tuple: the :class:`AWSController` and the file's other fields
        (``step``, ``reward``... where present).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'load_controller: no file {path}')
    try:
        saved = torch.load(path, map_location='cpu', weights_only=False)
    except (pickle.UnpicklingError, RuntimeError, EOFError) as e:
        raise ValueError(f'load_controller: {path} is not a saved torch '
                         f'file ({e})') from None
    if not isinstance(saved, dict) or not ('state_dict' in saved
                                           or 'controller' in saved):
        raise ValueError(
            f'load_controller: {path} holds no AWS controller (expected '
            f'{BEST_CONTROLLER_FILE}, {STEP_CONTROLLER_DIR}/step_*.pth or '
            f'{STATE_FILE})')
    state = saved.get('state_dict', saved.get('controller'))
    if not {'first_logits', 'second_logits'} <= set(state):
        raise ValueError(f'load_controller: {path} has no first_logits / '
                         f'second_logits; found {sorted(state)}')
    controller = AWSController(
        space=space or saved.get('space', 'aws'),
        num_candidates=int(state['first_logits'].numel()),
        parametrization=parametrization
        or saved.get('parametrization', 'sigmoid'))
    controller.load_state_dict(state)
    info = {
        k: v
        for k, v in saved.items()
        if k not in ('state_dict', 'controller', 'optimizer', 'scheduler')
    }
    return controller, info


def write_policies(controller: AWSController, work_dir: str, name: str,
                   topk: Sequence[int], meta: dict) -> None:
    """Write ``name`` (the whole distribution) and ``name``'s top-k files.

    ``policy.json`` gives ``policy_top5.json`` etc.; ``policy_last.json``
    gives ``policy_last_top5.json``.
    """
    stem = osp.splitext(name)[0]
    controller.to_policy(meta=meta).save(osp.join(work_dir, name))
    for k in topk:
        controller.to_policy(
            top_k=k,
            meta=meta).save(osp.join(work_dir, f'{stem}_top{k}.json'))


__all__ = [
    'STATE_FILE', 'HISTORY_FILE', 'BEST_CONTROLLER_FILE',
    'STEP_CONTROLLER_DIR', 'POLICY_FILE', 'LAST_POLICY_FILE',
    'controller_record', 'load_controller', 'write_policies'
]
