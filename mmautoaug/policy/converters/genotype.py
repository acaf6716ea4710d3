# Copyright (c) mmautoaug contributors. All rights reserved.
"""Policies from the authors' released genotype tables.

Fast AutoAugment's and DADA's released archives list a policy as
``[[(op, prob, magnitude), (op, prob, magnitude)], ...]`` with the magnitude
already normalised to [0, 1] in Fast AutoAugment's space (our ``'fastaa'``).
"""
import ast
from typing import Any, Dict, Optional, Sequence

from ..errors import PolicyError
from ..policy import Policy


def from_genotype(genotype: Sequence[Sequence[Sequence[Any]]],
                  space: str = 'fastaa',
                  weights: Optional[Sequence[float]] = None,
                  meta: Optional[Dict[str, Any]] = None) -> Policy:
    """A policy from a released genotype (list of lists of triples).

    Args:
        genotype (list): ``[[(op, prob, magnitude), ...], ...]``.
        space (str): Space of the magnitudes. Defaults to ``'fastaa'``.
        weights (list[float], optional): Sub-policy weights, if published.
        meta (dict, optional): Metadata; give its ``source``.

    Examples:
        >>> from_genotype([[('Rotate', 0.5, 0.7), ('Invert', 0.2, 0.1)]])
        Policy(space='fastaa', 1 sub-policies, weights=uniform)
    """
    if isinstance(genotype, dict):
        raise PolicyError('genotype: expected a list of sub-policies, got a '
                          'dict (use Policy.from_dict for our JSON layout)')
    return Policy(space, genotype, weights, meta)


def parse_genotype(text: str) -> list:
    """Read a genotype written as a Python/JSON literal.

    The text may be the bare list or an assignment / ``return`` of it (as in
    the authors' archive functions): the first list literal is used.
    """
    start = text.find('[')
    if start < 0:
        raise PolicyError('genotype: no list literal found')
    depth = 0
    for end in range(start, len(text)):
        depth += {'[': 1, ']': -1}.get(text[end], 0)
        if depth == 0:
            break
    try:
        return ast.literal_eval(text[start:end + 1])
    except (ValueError, SyntaxError) as e:
        raise PolicyError(f'genotype: not a list literal ({e})') from None
