# Copyright (c) mmautoaug contributors. All rights reserved.
"""One policy file from Adversarial AutoAugment's schedule, for transfer."""
import os
from typing import Dict, Optional, Sequence, Tuple, Union

from mmautoaug.policy import Policy, list_schedule, load_policy

#: What ``policy_transfer.json`` is, in its ``meta``.
DEFINITION = ('the union of the last {k} epochs of the schedule: picking a '
              'sub-policy by these weights is picking one of those epochs '
              'uniformly, then a sub-policy as the search did in it (one of '
              'its M policies uniformly, then one of that policy\'s '
              'sub-policies); identical sub-policies are merged and their '
              'weights added')


def transfer_policy(schedule: Union[str, os.PathLike, Sequence[str]],
                    last_epochs: int = 10,
                    meta: Optional[dict] = None) -> Policy:
    """The single-file policy of an AdvAA search: its last epochs, weighted.

    Adversarial AutoAugment's result is a schedule (``M`` policies per
    epoch, ``policy_schedule/epoch_XXXX.json``); replaying it epoch by epoch
    (``PolicyAugment(schedule=...)`` + ``PolicyScheduleHook``) is the
    paper's transfer. Tools that need ONE policy (a retrain with a fixed
    policy, detection injection, converters to mmpretrain/mmdet/torchvision)
    get this: the mixture of the augmentation distributions of the last
    ``last_epochs`` epochs, i.e. the union of their sub-policies, each
    weighted by ``(its weight in its epoch) / K``, identical ones merged.
    The late epochs are the generator's most trained (and most adversarial)
    policies; a larger ``K`` gives a broader, milder mixture.

    Args:
        schedule (str | PathLike | list[str]): The ``policy_schedule``
            folder (or a list of epoch files, see
            :func:`~mmautoaug.policy.list_schedule`).
        last_epochs (int): ``K``, how many of the last epochs to take (all
            when the schedule is shorter). Defaults to 10.
        meta (dict, optional): Extra metadata.

    Returns:
        Policy: Weighted sub-policies; ``meta`` says what it is.

    Examples:
        >>> import os, tempfile
        >>> folder = tempfile.mkdtemp()
        >>> for e, op in ((1, 'Invert'), (2, 'Equalize'), (3, 'Invert')):
        ...     _ = Policy('autoaugment', [[(op, 1.0, 0.0)]]).save(
        ...         os.path.join(folder, f'epoch_{e:04d}.json'))
        >>> policy = transfer_policy(folder, last_epochs=2)
        >>> [sub[0].op for sub in policy.sub_policies], policy.weights
        (['Equalize', 'Invert'], [0.5, 0.5])
    """
    if isinstance(last_epochs, bool) or not isinstance(
            last_epochs, int) or last_epochs < 1:
        raise ValueError(f'transfer_policy: last_epochs must be a positive '
                         f'int, got {last_epochs!r}')
    files = list_schedule(schedule)
    epochs = sorted(files)[-last_epochs:]
    merged: Dict[Tuple, float] = {}
    space = None
    for epoch in epochs:
        policy = load_policy(files[epoch])
        if space is not None and policy.space_name != space:
            raise ValueError(f'transfer_policy: epoch {epoch} is in the '
                             f'{policy.space_name!r} space, earlier epochs '
                             f'in {space!r}')
        space = policy.space_name
        for sub, weight in zip(policy.sub_policies,
                               policy.probabilities()):
            key = tuple((op.op, op.prob, op.magnitude) for op in sub)
            merged[key] = merged.get(key, 0.0) + float(weight) / len(epochs)
    return Policy(
        space, [list(key) for key in merged],
        weights=list(merged.values()),
        meta=dict(
            meta or {},
            method='advaa',
            kind='transfer',
            epochs=[epochs[0], epochs[-1]],
            last_epochs=len(epochs),
            definition=DEFINITION.format(k=len(epochs))))
