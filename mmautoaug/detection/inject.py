# Copyright (c) mmautoaug contributors. All rights reserved.
"""Insert a policy into the train pipeline of any mmdet (or mmpretrain)
config.

The same editor serves both tasks (``task='detection'``, the default, or
``'classification'``): only the names it looks for differ (:data:`TASKS`).
"""
import copy
from typing import Iterator, List, Union

from mmengine.config import Config, ConfigDict

#: Where :func:`inject_policy` can put the transform: after the last flip
#: (DADA's place), before the first crop (Fast AutoAugment's place), or just
#: before packing.
POSITIONS = ('after_flip', 'before_crop', 'before_pack')
#: What each task's pipelines pack with, what applies the policy, what
#: ``custom_imports`` must load for it, and the foreign backend (the task's
#: own ``AutoAugment``, written by the policy room's converters).
TASKS = {
    'detection': dict(pack='PackDetInputs',
                      transform='mmautoaug.DetPolicyAugment',
                      custom_import='mmautoaug.detection',
                      backend='mmdet'),
    'classification': dict(pack='PackInputs',
                           transform='mmautoaug.PolicyAugment',
                           custom_import='mmautoaug.datasets',
                           backend='mmpretrain'),
}
#: What the policy becomes: our transform, or mmdet's own ``AutoAugment``
#: (detection) / mmpretrain's (classification).
BACKENDS = ('mmautoaug', 'mmdet')
TRANSFORM_TYPE = TASKS['detection']['transform']
#: What ``backend='mmdet'`` passes on to the policy room's converter.
MMDET_ARGS = ('channel_order', 'scope', 'strict')
#: What ``backend='mmpretrain'`` passes on to the policy room's converter.
MMPRETRAIN_ARGS = ('image_size', 'channel_order', 'scope', 'strict')
CUSTOM_IMPORT = TASKS['detection']['custom_import']
_FLIP = 'RandomFlip'
_CROPS = ('RandomCrop', 'RandomResizedCrop', 'EfficientNetRandomCrop')
_PACK = TASKS['detection']['pack']
_POLICY_TRANSFORMS = ('DetPolicyAugment', 'AutoAugment', 'PolicyAugment',
                      'RandAugment')


def read_config(path: str) -> Config:
    """Read a config file, or a packaged one such as
    ``'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py'``.

    ``Config.fromfile`` understands ``pkg::`` paths only inside ``_base_``;
    here they are read through ``mmengine.hub.get_config``.

    Examples:
        >>> read_config('mmdet::retinanet/retinanet_r50_fpn_1x_coco.py'
        ...             ).model.type
        'RetinaNet'
    """
    if '::' in path:
        from mmengine.hub import get_config
        return get_config(path)
    return Config.fromfile(path)


def _type_name(step: dict) -> str:
    """``'RandomFlip'`` for ``'RandomFlip'``, ``'mmdet.RandomFlip'`` or the
    class itself (new-style configs)."""
    kind = step.get('type', '')
    name = kind if isinstance(kind, str) else getattr(kind, '__name__', '')
    return name.rsplit('.', 1)[-1]


def _task(task: str) -> dict:
    if task not in TASKS:
        raise ValueError(f'task must be one of {list(TASKS)}, got {task!r}')
    return TASKS[task]


def train_pipelines(dataset: dict,
                    task: str = 'detection') -> Iterator[list]:
    """Yield every pipeline of a train data set config that packs samples.

    Walks dataset wrappers: ``dataset`` (RepeatDataset, ClassBalancedDataset,
    MultiImageMixDataset whose own pipeline packs), ``datasets``
    (ConcatDataset). Pipelines without ``PackDetInputs`` (the loading part
    inside a MultiImageMixDataset) are skipped.

    Examples:
        >>> pack = [dict(type='PackDetInputs')]
        >>> len(list(train_pipelines(dict(type='ConcatDataset', datasets=[
        ...     dict(pipeline=pack),
        ...     dict(type='RepeatDataset', dataset=dict(pipeline=pack))]))))
        2
    """
    pack = _task(task)['pack']
    pipeline = dataset.get('pipeline')
    if isinstance(pipeline, list) and any(
            _type_name(step) == pack for step in pipeline):
        yield pipeline
    inner = dataset.get('dataset')
    if isinstance(inner, dict):
        yield from train_pipelines(inner, task)
    for sub in dataset.get('datasets') or []:
        if isinstance(sub, dict):
            yield from train_pipelines(sub, task)


def _insert_index(pipeline: list,
                  position: Union[str, int],
                  pack: str = _PACK) -> int:
    names = [_type_name(step) for step in pipeline]
    if isinstance(position, int) and not isinstance(position, bool):
        if not -len(pipeline) <= position <= len(pipeline):
            raise ValueError(f'position {position} is outside the train '
                             f'pipeline of {len(pipeline)} steps {names}')
        return position if position >= 0 else len(pipeline) + position
    if position == 'after_flip':
        if _FLIP not in names:
            raise ValueError(
                f'position=after_flip but the train pipeline {names} has no '
                f"{_FLIP}; use position='before_pack' or an index")
        return len(names) - names[::-1].index(_FLIP)
    if position == 'before_crop':
        crops = [i for i, name in enumerate(names) if name in _CROPS]
        if not crops:
            raise ValueError(
                f'position=before_crop but the train pipeline {names} has '
                f"none of {list(_CROPS)}; use position='before_pack' or an "
                'index')
        return crops[0]
    if position == 'before_pack':
        return names.index(pack)
    raise ValueError(f'position must be one of {list(POSITIONS)} or an int, '
                     f'got {position!r}')


def policy_transform(policy,
                     backend: str = 'mmautoaug',
                     task: str = 'detection',
                     **kwargs) -> dict:
    """The pipeline step that applies ``policy``.

    Args:
        policy (str | dict | Policy): Zoo name, JSON path, baseline spec
            (``'trivialaugment_wide'``), dict or Policy.
        backend (str): ``'mmautoaug'`` (:class:`DetPolicyAugment`, or
            :class:`~mmautoaug.datasets.PolicyAugment` for classification:
            every op of the library, exact magnitudes) or the task's own
            library: ``'mmdet'`` (mmdet's ``AutoAugment``, written by the
            policy room's converter :func:`~mmautoaug.policy.to_mmdet`, for
            users without mmautoaug; it warns where mmdet's one-decimal
            magnitudes round a value or an op has no exact mmdet
            counterpart) or, for classification, ``'mmpretrain'``
            (:func:`~mmautoaug.policy.to_mmpretrain`).
        task (str): ``'detection'`` or ``'classification'``.
        **kwargs: Extra arguments of the transform (``'mmautoaug'``) or of
            the converter (``'mmdet'``: ``channel_order``, ``scope``,
            ``strict``; ``'mmpretrain'``: also ``image_size``).

    Returns:
        dict: The transform config.

    Examples:
        >>> policy_transform('autoaugment_imagenet', min_box_size=2)
        {'type': 'mmautoaug.DetPolicyAugment', 'policy': \
'autoaugment_imagenet', 'min_box_size': 2}
    """
    from mmautoaug.policy import Policy, load_policy, to_mmdet, to_mmpretrain
    kind = _task(task)
    backends = ('mmautoaug', kind['backend'])
    if backend not in backends:
        raise ValueError(f'backend must be one of {list(backends)}, got '
                         f'{backend!r}')
    loaded = load_policy(policy)  # fail here, not in a dataloader worker
    if backend != 'mmautoaug':
        convert, allowed = ((to_mmdet, MMDET_ARGS) if backend == 'mmdet' else
                            (to_mmpretrain, MMPRETRAIN_ARGS))
        foreign = sorted(set(kwargs) - set(allowed))
        if foreign:
            raise ValueError(f'arguments {foreign} do not apply to '
                             f'backend={backend!r}; allowed: {list(allowed)}')
        return convert(loaded, **kwargs)
    if isinstance(policy, Policy):
        policy = loaded.to_dict()
    return dict(type=kind['transform'], policy=policy, **kwargs)


def inject_policy(cfg: Union[Config, dict],
                  policy,
                  position: Union[str, int] = 'after_flip',
                  backend: str = 'mmautoaug',
                  task: str = 'detection',
                  **kwargs) -> Config:
    """Return a copy of an mmdet config with the policy in its train pipeline.

    The transform goes after the (last) ``RandomFlip`` by default, before
    ``PackDetInputs`` in any case, of every pipeline of
    ``train_dataloader.dataset`` that packs samples (dataset wrappers are
    followed). The top-level ``train_pipeline`` variable, when the config
    has one equal to the dataset's, is updated too so the written config
    reads true. For ``backend='mmautoaug'``, ``'mmautoaug.detection'`` is
    added to ``custom_imports`` so mmdet's scope finds the transform.

    With ``task='classification'`` the same is done to an mmpretrain config:
    :class:`~mmautoaug.datasets.PolicyAugment` before ``PackInputs``
    (``custom_imports``: ``'mmautoaug.datasets'``; ``backend='mmpretrain'``
    writes mmpretrain's ``AutoAugment``).

    Args:
        cfg (Config | dict): An mmdet config, e.g. ``read_config(
            'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py')``.
        policy (str | dict | Policy): Zoo name, JSON path, dict or Policy.
        position (str | int): ``'after_flip'``, ``'before_crop'``,
            ``'before_pack'`` or an index into the train pipeline. Defaults
            to ``'after_flip'``.
        backend (str): ``'mmautoaug'`` or ``'mmdet'`` (``'mmpretrain'`` for
            classification), see :func:`policy_transform`.
        task (str): ``'detection'`` (default) or ``'classification'``.
        **kwargs: Extra arguments of the transform, see
            :func:`policy_transform` (for ``'mmautoaug'``: ``min_box_size``,
            ``keep_degenerate``, ``skip_ops``, ``channel_order``, ``seed``).

    Returns:
        Config: The new config; ``cfg`` is not modified.

    Examples:
        >>> from mmengine.config import Config
        >>> cfg = read_config(
        ...     'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py')
        >>> new = inject_policy(cfg, 'autoaugment_imagenet')
        >>> [s['type'] for s in new.train_dataloader.dataset.pipeline][-3:]
        ['RandomFlip', 'mmautoaug.DetPolicyAugment', 'PackDetInputs']
    """
    cfg = copy.deepcopy(cfg) if isinstance(cfg, Config) else Config(
        copy.deepcopy(cfg))
    dataloader = cfg.get('train_dataloader')
    if not dataloader or 'dataset' not in dataloader:
        raise ValueError('the config has no train_dataloader.dataset to '
                         'insert the policy into')
    kind = _task(task)
    pipelines: List[list] = list(
        train_pipelines(dataloader['dataset'], task))
    if not pipelines:
        library = 'mmdet detection' if task == 'detection' else 'mmpretrain'
        raise ValueError(
            'no pipeline of train_dataloader.dataset (or of the data sets it '
            f"wraps) ends in {kind['pack']}; is this an {library} config?")
    step = policy_transform(policy, backend, task, **kwargs)
    top_level = cfg.get('train_pipeline')
    same_as_top_level = [
        k for k, pipeline in enumerate(pipelines) if pipeline == top_level
    ]
    for pipeline in pipelines:
        present = [
            _type_name(s) for s in pipeline
            if _type_name(s) in _POLICY_TRANSFORMS
        ]
        if present:
            raise ValueError(f'the train pipeline already has {present}; '
                             'remove it before injecting another policy')
        pipeline.insert(
            _insert_index(pipeline, position, kind['pack']),
            ConfigDict(copy.deepcopy(step)))
    if same_as_top_level:
        cfg.train_pipeline = copy.deepcopy(pipelines[same_as_top_level[0]])
    if backend == 'mmautoaug':
        task_import = kind['custom_import']
        imports = cfg.get('custom_imports') or dict(imports=[])
        names = imports.get('imports', [])
        names = [names] if isinstance(names, str) else list(names)
        if task_import not in names:
            names.append(task_import)
        cfg.custom_imports = dict(
            imports=names,
            allow_failed_imports=imports.get('allow_failed_imports', False))
    return cfg
