# Copyright (c) mmautoaug contributors. All rights reserved.
"""Insert a policy into the train pipeline of any mmdet config."""
import copy
import warnings
from typing import Iterator, List, Union

from mmengine.config import Config, ConfigDict

#: Where :func:`inject_policy` can put the transform.
POSITIONS = ('after_flip', 'before_pack')
#: What the policy becomes: our transform, or mmdet's own ``AutoAugment``.
BACKENDS = ('mmautoaug', 'mmdet')
TRANSFORM_TYPE = 'mmautoaug.DetPolicyAugment'
#: What ``backend='mmdet'`` passes on to the policy room's converter.
MMDET_ARGS = ('channel_order', 'scope', 'strict')
CUSTOM_IMPORT = 'mmautoaug.detection'
_FLIP = 'RandomFlip'
_PACK = 'PackDetInputs'
_LOAD_ANNOTATIONS = 'LoadAnnotations'
_POLICY_TRANSFORMS = ('DetPolicyAugment', 'AutoAugment', 'PolicyAugment')
#: What ``backend='mmdet'`` puts after ``AutoAugment``: mmdet's own filter,
#: so that boxes an op pushed out of the image (clipped to zero size) do not
#: reach packing (mmdet's op transforms clip but never drop). Samples left
#: without boxes stay (``keep_empty=False``), as with DetPolicyAugment.
FILTER_TYPE = 'FilterAnnotations'


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


def train_pipelines(dataset: dict) -> Iterator[list]:
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
    pipeline = dataset.get('pipeline')
    if isinstance(pipeline, list) and any(
            _type_name(step) == _PACK for step in pipeline):
        yield pipeline
    inner = dataset.get('dataset')
    if isinstance(inner, dict):
        yield from train_pipelines(inner)
    for sub in dataset.get('datasets') or []:
        if isinstance(sub, dict):
            yield from train_pipelines(sub)


def _insert_index(pipeline: list, position: Union[str, int]) -> int:
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
    if position == 'before_pack':
        return names.index(_PACK)
    raise ValueError(f'position must be one of {list(POSITIONS)} or an int, '
                     f'got {position!r}')


def policy_transform(policy, backend: str = 'mmautoaug', **kwargs) -> dict:
    """The pipeline step that applies ``policy``.

    Args:
        policy (str | dict | Policy): Zoo name, JSON path, dict or Policy.
        backend (str): ``'mmautoaug'`` (:class:`DetPolicyAugment`: every op
            of the library, exact magnitudes) or ``'mmdet'`` (mmdet's own
            ``AutoAugment``, written by the policy room's converter
            :func:`~mmautoaug.policy.to_mmdet`, for users without mmautoaug;
            it warns where mmdet's one-decimal magnitudes round a value or
            an op has no exact mmdet counterpart).
        **kwargs: Extra arguments of :class:`DetPolicyAugment`
            (``'mmautoaug'``) or of :func:`~mmautoaug.policy.to_mmdet`
            (``'mmdet'``: ``channel_order``, ``scope``, ``strict``).

    Returns:
        dict: The transform config.

    Examples:
        >>> policy_transform('autoaugment_imagenet', min_box_size=2)
        {'type': 'mmautoaug.DetPolicyAugment', 'policy': \
'autoaugment_imagenet', 'min_box_size': 2}
    """
    from mmautoaug.policy import Policy, load_policy, to_mmdet
    if backend not in BACKENDS:
        raise ValueError(f'backend must be one of {list(BACKENDS)}, got '
                         f'{backend!r}')
    loaded = load_policy(policy)  # fail here, not in a dataloader worker
    if backend == 'mmdet':
        foreign = sorted(set(kwargs) - set(MMDET_ARGS))
        if foreign:
            raise ValueError(f'arguments {foreign} do not apply to '
                             f"backend='mmdet'; allowed: {list(MMDET_ARGS)}")
        return to_mmdet(loaded, **kwargs)
    # Build the transform once with these arguments: what it refuses at run
    # time (unknown arguments, a policy with nothing left to apply...) is
    # refused now, by its own checks.
    from .transforms import DetPolicyAugment
    try:
        DetPolicyAugment(loaded, **kwargs)
    except TypeError as e:
        raise ValueError(f'DetPolicyAugment: {e}') from None
    if isinstance(policy, Policy):
        policy = loaded.to_dict()
    return dict(type=TRANSFORM_TYPE, policy=policy, **kwargs)


def _annotation_loaders(dataset: dict) -> List[dict]:
    """Every ``LoadAnnotations`` step of a train data set config (wrapped
    data sets and their loading pipelines included)."""
    found = []
    for step in dataset.get('pipeline') or []:
        if isinstance(step, dict) and _type_name(step) == _LOAD_ANNOTATIONS:
            found.append(step)
    inner = dataset.get('dataset')
    if isinstance(inner, dict):
        found += _annotation_loaders(inner)
    for sub in dataset.get('datasets') or []:
        if isinstance(sub, dict):
            found += _annotation_loaders(sub)
    return found


def _check_masks_for_recompute(dataset: dict) -> None:
    loaders = _annotation_loaders(dataset)
    if not any(step.get('with_mask', False) for step in loaders):
        raise ValueError(
            'recompute_bbox=True takes boxes from masks, but the train '
            'pipeline loads none (no LoadAnnotations with with_mask=True); '
            'drop recompute_bbox (--recompute-bbox) or load masks')


def _mmdet_steps(step: dict, dataset: dict, policy) -> List[dict]:
    """mmdet's AutoAugment, then its FilterAnnotations; warns where mmdet
    would move polygon masks wrongly."""
    from mmautoaug.policy import load_policy
    loaders = _annotation_loaders(dataset)
    masks = any(s.get('with_mask', False) for s in loaders)
    polygons = any(
        s.get('with_mask', False) and not s.get('poly2mask', True)
        for s in loaders)
    rotates = any(op.op == 'Rotate' and op.prob > 0
                  for sub in load_policy(policy).sub_policies for op in sub)
    if polygons and rotates:
        warnings.warn(
            "backend='mmdet': the config keeps polygon masks "
            '(LoadAnnotations(poly2mask=False)) and the policy rotates; '
            "mmdet's Rotate turns polygons about the top-left corner, not "
            'the image centre (open-mmlab/mmdetection#11758), so the masks '
            "would leave their objects; use backend='mmautoaug' or load "
            'bitmap masks (poly2mask=True)', UserWarning, stacklevel=3)
    scope = step['type'].rsplit('.', 1)[0] if '.' in step['type'] else None
    filter_type = f'{scope}.{FILTER_TYPE}' if scope else FILTER_TYPE
    filter_step = dict(
        type=filter_type,
        min_gt_bbox_wh=(1.0, 1.0),
        by_box=True,
        by_mask=masks,
        keep_empty=False)
    return [step, filter_step]


def inject_policy(cfg: Union[Config, dict],
                  policy,
                  position: Union[str, int] = 'after_flip',
                  backend: str = 'mmautoaug',
                  **kwargs) -> Config:
    """Return a copy of an mmdet config with the policy in its train pipeline.

    The transform goes after the (last) ``RandomFlip`` by default, before
    ``PackDetInputs`` in any case, of every pipeline of
    ``train_dataloader.dataset`` that packs samples (dataset wrappers are
    followed). The top-level ``train_pipeline`` variable, when the config
    has one equal to the dataset's, is updated too so the written config
    reads true. For ``backend='mmautoaug'``, ``'mmautoaug.detection'`` is
    added to ``custom_imports`` so mmdet's scope finds the transform.

    Args:
        cfg (Config | dict): An mmdet config, e.g. ``read_config(
            'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py')``.
        policy (str | dict | Policy): Zoo name, JSON path, dict or Policy.
        position (str | int): ``'after_flip'``, ``'before_pack'`` or an index
            into the train pipeline. Defaults to ``'after_flip'``.
        backend (str): ``'mmautoaug'`` or ``'mmdet'``, see
            :func:`policy_transform`. ``'mmdet'`` also adds mmdet's
            ``FilterAnnotations`` (boxes under 1x1 px; empty masks when
            masks are loaded) right after ``AutoAugment``, and warns when
            the config keeps polygon masks and the policy rotates (mmdet's
            polygon Rotate turns about the top-left corner,
            open-mmlab/mmdetection#11758).
        **kwargs: Extra arguments of the transform, see
            :func:`policy_transform` (for ``'mmautoaug'``: ``min_box_size``,
            ``keep_degenerate``, ``recompute_bbox``, ``skip_ops``,
            ``channel_order``, ``seed``). The transform is built once here
            with them, so what it refuses is refused before the config is
            written. ``recompute_bbox`` defaults to whether the train
            pipeline loads masks (tight boxes wherever masks exist);
            ``recompute_bbox=True`` on a pipeline without masks is refused.

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
    pipelines: List[list] = list(train_pipelines(dataloader['dataset']))
    if not pipelines:
        raise ValueError(
            'no pipeline of train_dataloader.dataset (or of the data sets it '
            f'wraps) ends in {_PACK}; is this an mmdet detection config?')
    if backend == 'mmautoaug':
        loads_masks = any(
            s.get('with_mask', False)
            for s in _annotation_loaders(dataloader['dataset']))
        if kwargs.get('recompute_bbox') is None:
            kwargs.pop('recompute_bbox', None)
            if loads_masks:  # tight boxes wherever masks exist
                kwargs['recompute_bbox'] = True
        elif kwargs['recompute_bbox'] and not loads_masks:
            _check_masks_for_recompute(dataloader['dataset'])
    step = policy_transform(policy, backend, **kwargs)
    steps = _mmdet_steps(step, dataloader['dataset'], policy) \
        if backend == 'mmdet' else [step]
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
        index = _insert_index(pipeline, position)
        pipeline[index:index] = [ConfigDict(copy.deepcopy(s)) for s in steps]
    if same_as_top_level:
        cfg.train_pipeline = copy.deepcopy(pipelines[same_as_top_level[0]])
    if backend == 'mmautoaug':
        imports = cfg.get('custom_imports') or dict(imports=[])
        names = imports.get('imports', [])
        names = [names] if isinstance(names, str) else list(names)
        if CUSTOM_IMPORT not in names:
            names.append(CUSTOM_IMPORT)
        cfg.custom_imports = dict(
            imports=names,
            allow_failed_imports=imports.get('allow_failed_imports', False))
    return cfg
