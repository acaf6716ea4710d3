# Copyright (c) mmautoaug contributors. All rights reserved.
"""Published policies shipped as data files, and :func:`load_policy`.

Every file under ``mmautoaug/policy/zoo/`` is a policy JSON whose ``meta``
names its source (paper and released code). Load one by its file name
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

#: Published policies this zoo knows of but does not ship, with the reason.
#: Loading one raises an error that says how to add it.
NOT_BUNDLED: Dict[str, str] = {
    name: ('its released genotype (the authors\' archive of (op, prob, '
           'magnitude) triples) could not be transcribed and verified here; '
           'convert the released table with `python tools/policy/convert.py '
           'GENOTYPE --from genotype --space fastaa --to ours --out '
           f'mmautoaug/policy/zoo/{name}.json`')
    for name in ('fast_autoaugment_cifar10', 'dada_cifar10', 'dada_cifar100',
                 'dada_svhn', 'dada_imagenet')
}


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
                          f'{NOT_BUNDLED[name]}')
    names = list_zoo()
    raise PolicyError(f'{name!r} is neither a policy file nor a zoo name'
                      f'{closest_name(name, names)}; zoo: {names}')


def load_policy(policy: Union[str, os.PathLike, Dict[str, Any],
                              Policy]) -> Policy:
    """Get a :class:`Policy` from whatever a config or a user holds.

    Args:
        policy (str | PathLike | dict | Policy): A path to a policy JSON
            file, the name of a zoo policy (see :func:`list_zoo`), a dict in
            the JSON layout (e.g. from a config), or a :class:`Policy`
            (returned as is).

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
    if policy.endswith('.json') or os.sep in policy:
        raise FileNotFoundError(f'policy file {policy!r} does not exist')
    return Policy.load(zoo_path(policy))
