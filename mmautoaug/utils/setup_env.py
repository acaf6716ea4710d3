# Copyright (c) mmautoaug contributors. All rights reserved.
"""Make mmautoaug's, mmpretrain's and mmdet's modules reachable from configs."""
import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Register all modules of mmautoaug into their registries.

    Importing the sub-packages runs their ``@REGISTRY.register_module()``
    decorators. mmpretrain's and mmdet's modules are registered too, so that
    configs can name them with their scope prefix (``'mmpretrain.ResNet'``,
    ``'mmdet.PackDetInputs'``) from the ``mmautoaug`` scope.

    Args:
        init_default_scope (bool): Whether to set the default scope to
            ``'mmautoaug'``, so that ``type='X'`` in a config is looked up in
            mmautoaug first and then in MMEngine's roots. Defaults to True.

    Examples:
        >>> from mmautoaug.utils import register_all_modules
        >>> register_all_modules()
        >>> from mmautoaug.registry import MODELS
        >>> MODELS.get('mmpretrain.ResNet') is not None
        True
    """
    from .checkpoint import allow_mmengine_checkpoints
    allow_mmengine_checkpoints()

    import mmautoaug.augment  # noqa: F401,F403
    import mmautoaug.datasets  # noqa: F401,F403
    import mmautoaug.detection  # noqa: F401,F403
    import mmautoaug.engine  # noqa: F401,F403
    import mmautoaug.models  # noqa: F401,F403
    import mmautoaug.policy  # noqa: F401,F403
    import mmautoaug.search  # noqa: F401,F403

    from mmpretrain.utils import register_all_modules as _reg_pretrain
    _reg_pretrain(init_default_scope=False)
    from mmdet.utils import register_all_modules as _reg_det
    _reg_det(init_default_scope=False)

    if not init_default_scope:
        return
    never_created = DefaultScope.get_current_instance() is None \
        or not DefaultScope.check_instance_created('mmautoaug')
    if never_created:
        DefaultScope.get_instance('mmautoaug', scope_name='mmautoaug')
        return
    current_scope = DefaultScope.get_current_instance()
    if current_scope.scope_name != 'mmautoaug':
        warnings.warn('The current default scope '
                      f'"{current_scope.scope_name}" is not "mmautoaug", '
                      '`register_all_modules` will force the current '
                      'default scope to be "mmautoaug". If this is not '
                      'expected, please set `init_default_scope=False`.')
        # avoid name conflict
        new_instance_name = f'mmautoaug-{datetime.datetime.now()}'
        DefaultScope.get_instance(new_instance_name, scope_name='mmautoaug')
