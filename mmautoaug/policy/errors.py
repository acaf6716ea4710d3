# Copyright (c) mmautoaug contributors. All rights reserved.
"""Errors and warnings of the policy room."""
import difflib
from typing import Sequence


class PolicyError(ValueError):
    """A policy (file, dict or object) is malformed; the message names the
    place, e.g. ``sub_policies[3][1].magnitude: 1.4 is outside [0, 1]``."""


class ConversionWarning(UserWarning):
    """A converter could not map a policy exactly (the message says what
    changed and by how much)."""


def closest_name(name: object, choices: Sequence[str]) -> str:
    """``" (did you mean 'X'?)"`` for the closest of ``choices``, else ``''``.

    Matching ignores case, so ``'rotate'`` suggests ``'Rotate'``.

    Examples:
        >>> closest_name('Rotat', ['Rotate', 'Invert'])
        " (did you mean 'Rotate'?)"
    """
    if not isinstance(name, str):
        return ''
    lowered = {c.lower(): c for c in choices}
    match = difflib.get_close_matches(name.lower(), list(lowered), n=1,
                                      cutoff=0.6)
    return f' (did you mean {lowered[match[0]]!r}?)' if match else ''
