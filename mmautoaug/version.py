# Copyright (c) mmautoaug contributors. All rights reserved.
__version__ = '0.1.0'


def parse_version_info(version_str: str) -> tuple:
    """Parse a version string like ``0.1.0`` or ``0.1.0rc1`` into a tuple.

    Args:
        version_str (str): The version string.

    Returns:
        tuple: e.g. ``(0, 1, 0)`` or ``(0, 1, 0, 'rc1')``.

    Examples:
        >>> parse_version_info('0.1.0rc1')
        (0, 1, 0, 'rc1')
    """
    info = []
    for part in version_str.split('.'):
        if part.isdigit():
            info.append(int(part))
        else:
            digits = ''.join(c for c in part if c.isdigit())
            rest = part[len(digits):]
            info.extend([int(digits), rest] if digits else [rest])
    return tuple(info)


version_info = parse_version_info(__version__)
