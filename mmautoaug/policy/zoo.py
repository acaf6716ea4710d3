# Copyright (c) mmautoaug contributors. All rights reserved.
"""Published policies shipped as data files, and :func:`load_policy`.

Every file under ``mmautoaug/policy/zoo/`` is a policy JSON whose ``meta``
names its source (paper and released code), the model and data it was
searched for, the error the paper reports with it, and how the authors'
training code applies it (``meta.training``: where the policy sits in the
train pipeline, the Cutout added after it). Load one by its file name
without the extension::

    >>> load_policy('autoaugment_cifar10')  # doctest: +SKIP
    Policy(space='autoaugment', 25 sub-policies, ...)
"""
import os
import os.path as osp
from typing import Any, Dict, List, Union

from .errors import PolicyError, closest_name
from .policy import Policy, directory_message

ZOO_DIR = osp.join(osp.dirname(osp.abspath(__file__)), 'zoo')

#: Policies the search papers report but did not publish, with the reason.
#: Loading one raises an error that says so and how to add a policy.
NOT_BUNDLED: Dict[str, str] = {
    **{
        f'aws_{data}': (
            'AWS (Tian et al., NeurIPS 2020) published no searched policy '
            '(the official repository Awesome-AutoAug-Algorithms/'
            'AWS-OHL-AutoAug has only search code); search one with '
            'configs/aws/ and use its work_dir/policy.json')
        for data in ('cifar10', 'cifar100', 'imagenet')
    },
    **{
        f'advaa_{data}': (
            'Adversarial AutoAugment (Zhang et al., ICLR 2020) published no '
            'policy (its policies change every epoch; no official code was '
            'found); run configs/advaa/ and use the schedule it writes')
        for data in ('cifar10', 'cifar100', 'imagenet')
    },
}
_HOW_TO_ADD = ('; a policy published as a table of (op, prob, magnitude) '
               'triples is added with `python tools/policy/convert.py TABLE '
               '--from genotype --space fastaa --to ours --out '
               'mmautoaug/policy/zoo/NAME.json`')


def list_zoo() -> List[str]:
    """Names of the policies shipped in the zoo, sorted.

    Examples:
        >>> 'autoaugment_imagenet' in list_zoo()
        True
    """
    if not osp.isdir(ZOO_DIR):
        return []
    return sorted(f[:-len('.json')] for f in os.listdir(ZOO_DIR)
                  if f.endswith('.json'))


def zoo_path(name: str) -> str:
    """The file of a zoo policy (raises with the known names)."""
    path = osp.join(ZOO_DIR, f'{name}.json')
    if osp.isfile(path):
        return path
    if name in NOT_BUNDLED:
        raise PolicyError(f'zoo policy {name!r} is not bundled: '
                          f'{NOT_BUNDLED[name]}{_HOW_TO_ADD}')
    names = list_zoo()
    from .baselines import BASELINES
    raise PolicyError(f'{name!r} is neither a policy file nor a zoo name '
                      f'nor a baseline'
                      f'{closest_name(name, names + list(BASELINES))}'
                      f'; zoo: {names}; baselines: {sorted(BASELINES)} '
                      '(e.g. randaugment:n=2,m=9)')


def load_policy(policy: Union[str, os.PathLike, Dict[str, Any],
                              Policy]) -> Policy:
    """Get a :class:`Policy` from whatever a config or a user holds.

    Args:
        policy (str | PathLike | dict | Policy): A path to a policy JSON
            file, the name of a zoo policy (see :func:`list_zoo`), a
            baseline spec (``'trivialaugment_wide'``,
            ``'randaugment:n=2,m=9'``, ... see
            :mod:`~mmautoaug.policy.baselines`), a dict in the JSON layout
            (e.g. from a config), or a :class:`Policy` (returned as is).

    Returns:
        Policy: The validated policy.

    Examples:
        >>> load_policy('autoaugment_svhn').space_name
        'autoaugment'
    """
    if isinstance(policy, Policy):
        return policy.validate()
    if isinstance(policy, dict):
        return Policy.from_dict(dict(policy))
    if isinstance(policy, os.PathLike):
        policy = os.fspath(policy)
    if not isinstance(policy, str):
        raise PolicyError(f'policy: expected a file path, a zoo name, a dict '
                          f'or a Policy, got {type(policy).__name__}')
    if osp.isfile(policy):
        return Policy.load(policy)
    if osp.isdir(policy):
        raise PolicyError(directory_message(policy))
    from .baselines import build_baseline, is_baseline_spec
    if is_baseline_spec(policy):
        return build_baseline(policy)
    if policy.endswith('.json') or os.sep in policy:
        raise FileNotFoundError(f'policy file {policy!r} does not exist')
    return Policy.load(zoo_path(policy))
