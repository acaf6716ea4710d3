# Copyright (c) mmautoaug contributors. All rights reserved.
"""Start a search (or any training) from a config, as tools/train.py does."""
import copy
import os.path as osp
from dataclasses import dataclass
from typing import Any, Dict, Optional, Union

#: The policy files a finished search leaves, most final first (AdvAA's
#: final generator, then the latest policy every method writes).
POLICY_FILES = ('policy_final.json', 'policy.json')


@dataclass
class SearchResult:
    """What :func:`run_search` returns.

    Attributes:
        work_dir (str): Where the run wrote its files.
        policy_file (str | None): Its final policy file, if it wrote one
            (AWS stage 1 trains shared weights and writes none).
        runner (mmengine.runner.Runner): The runner, after training.
    """
    work_dir: str
    policy_file: Optional[str]
    runner: Any

    @property
    def policy(self):
        """The final policy, loaded (None without a policy file)."""
        from mmautoaug.policy import Policy
        return None if self.policy_file is None else Policy.load(
            self.policy_file)


def run_search(config: Union[str, Dict[str, Any]],
               work_dir: Optional[str] = None,
               *,
               budget: Union[str, float, Dict[str, Any], None] = None,
               resume: Union[bool, str] = False,
               cfg_options: Optional[Dict[str, Any]] = None,
               launcher: str = 'none') -> SearchResult:
    """Run a search config (DADA, AWS stage 1 or 2, AdvAA, or any training
    config) in this process, as ``tools/train.py`` would.

    Args:
        config (str | dict | mmengine.Config): A config file or a config.
        work_dir (str, optional): Where to write; defaults to the config's
            ``work_dir`` or ``work_dirs/<config file name>``.
        budget (str | float | dict, optional): Stop cleanly at a budget:
            a wall time (``'2h'``, ``'45m'``, seconds) or the arguments of
            :class:`~mmautoaug.engine.SearchCostHook` (``dict(max_epochs=5)``,
            ``dict(max_steps=10)``, ``dict(max_time='1h')``...). The search
            writes its policy and a checkpoint; ``resume=True`` continues.
        resume (bool | str): Continue from the work dir's latest checkpoint
            (True) or from this checkpoint file.
        cfg_options (dict, optional): Overrides, as ``--cfg-options``.
        launcher (str): ``'none'`` (default) or the distributed launcher.

    Returns:
        SearchResult: The work dir, the final policy file and the runner.

    Examples:
        >>> import tempfile
        >>> result = run_search('configs/demo/dada_demo_search.py',
        ...                     tempfile.mkdtemp(),
        ...                     budget=dict(max_epochs=1),
        ...                     cfg_options=dict(log_level='ERROR'))
        >>> len(result.policy), result.runner.epoch
        (25, 1)
    """
    from mmengine.config import Config
    from mmengine.registry import RUNNERS
    from mmengine.runner import Runner

    from mmautoaug.engine.hooks import parse_duration
    from mmautoaug.utils import prepare_cpu_distributed, register_all_modules
    register_all_modules(init_default_scope=False)
    if isinstance(config, str):
        if osp.isdir(config):
            raise IsADirectoryError(f'config: {config!r} is a directory; '
                                    'give a config file (configs/...)')
        if not osp.isfile(config):
            raise FileNotFoundError(f'config: {config!r} does not exist')
        cfg = Config.fromfile(config)
        name = osp.splitext(osp.basename(config))[0]
    else:
        cfg = Config(copy.deepcopy(dict(config)))
        name = 'search'
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('work_dirs', name)
    if budget is not None:
        if not isinstance(budget, dict):
            budget = dict(max_time=parse_duration(budget, 'budget'))
        _check_budget(budget)
        hooks = cfg.get('default_hooks') or {}
        hook = dict(hooks.get('search_cost') or
                    dict(type='mmautoaug.SearchCostHook'))
        hook.update(budget)
        hooks['search_cost'] = hook
        cfg.default_hooks = hooks
    if resume:
        cfg.resume = True
        cfg.load_from = None if resume is True else resume
    cfg.launcher = launcher
    from mmautoaug.utils.data_check import missing_data
    missing = missing_data(cfg)
    if missing:  # before mmpretrain creates folders or tries to download
        raise FileNotFoundError('the data is not in place: ' +
                                '; '.join(missing))
    prepare_cpu_distributed(cfg)
    runner = (Runner.from_cfg(cfg) if 'runner_type' not in cfg else
              RUNNERS.build(cfg))
    runner.train()
    found = [osp.join(runner.work_dir, f) for f in POLICY_FILES
             if osp.isfile(osp.join(runner.work_dir, f))]
    return SearchResult(runner.work_dir, found[0] if found else None, runner)


def _check_budget(budget: Dict[str, Any]) -> None:
    """Refuse a budget ``SearchCostHook`` would refuse, before the runner
    is built (an unknown key would otherwise end in a ``TypeError`` from
    inside MMEngine's registry)."""
    import inspect

    from mmautoaug.engine.hooks import SearchCostHook
    allowed = [
        name for name in inspect.signature(SearchCostHook).parameters
        if name != 'self'
    ]
    unknown = sorted(set(budget) - set(allowed) - {'type'})
    if unknown:
        raise ValueError(f'budget: unknown keys {unknown}; allowed: a '
                         "duration ('2h', seconds) or a dict of "
                         f'{allowed}')
    SearchCostHook(**{k: v for k, v in budget.items() if k != 'type'})


__all__ = ['run_search', 'SearchResult', 'POLICY_FILES']
