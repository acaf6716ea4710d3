# Copyright (c) mmautoaug contributors. All rights reserved.
"""The arrows between the package's rooms go one way (DESIGN.md): the op
library and the policy format import nothing of the rest, and the searches
do not reach into the data pipeline."""
import ast
import pathlib

import pytest

import mmautoaug

ROOT = pathlib.Path(mmautoaug.__file__).parent

#: room -> the rooms of mmautoaug it may import
ALLOWED = {
    'augment': {'augment'},
    'policy': {'policy', 'augment'},
}
#: room -> rooms it must not import
FORBIDDEN = {'search': {'datasets'}}


def _imported_rooms(path: pathlib.Path):
    """(line, room) of every ``mmautoaug.<room>`` a file imports, relative
    imports resolved against the file's package."""
    package = path.relative_to(ROOT.parent).with_suffix('').parts[:-1]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                names = ['.'.join(base + tuple(filter(None, [node.module])))]
            else:
                names = [node.module or '']
        else:
            continue
        for name in names:
            parts = name.split('.')
            if parts[0] == 'mmautoaug' and len(parts) > 1:
                yield node.lineno, parts[1]


@pytest.mark.parametrize('room', sorted(set(ALLOWED) | set(FORBIDDEN)))
def test_rooms_import_only_what_they_may(room):
    wrong = []
    for path in sorted((ROOT / room).rglob('*.py')):
        for line, target in _imported_rooms(path):
            bad = (target not in ALLOWED[room] if room in ALLOWED else
                   target in FORBIDDEN[room])
            if bad:
                wrong.append(f'{path.relative_to(ROOT.parent)}:{line} '
                             f'imports mmautoaug.{target}')
    assert not wrong, '\n'.join(wrong)


def test_the_scan_resolves_relative_imports(monkeypatch):
    """``from ..errors import`` in ``policy/converters/`` is
    ``mmautoaug.policy.errors``; one more dot would be ``mmautoaug.errors``,
    a room of its own (so a climb out of ``policy/`` is seen)."""
    path = ROOT / 'policy' / 'converters' / '_common.py'
    rooms = dict(_imported_rooms(path))
    assert rooms[11] == 'policy'
    monkeypatch.setattr(
        pathlib.Path, 'read_text',
        lambda self: 'from ...datasets import x\nfrom ...augment import y\n')
    assert list(_imported_rooms(path)) == [(1, 'datasets'), (2, 'augment')]
