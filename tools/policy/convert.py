# Copyright (c) mmautoaug contributors. All rights reserved.
"""Convert policies between our JSON and other libraries' config snippets.

Inputs (``--from auto`` guesses): our policy JSON or a zoo name; a
mmpretrain or mmdet config (``.py`` or ``.json``) holding an
``AutoAugment`` transform anywhere (e.g. in its train pipeline, or a
snippet this tool wrote); a released genotype (a ``[[(op, prob,
magnitude), ...], ...]`` literal, Fast AutoAugment's/DADA's archive
layout).

Outputs: ``ours`` (policy JSON), ``mmpretrain`` / ``mmdet`` (a config
snippet defining ``auto_augment = dict(...)`` to put in a train pipeline),
``torchvision`` (Python that builds a ``transforms.v2`` callable),
``albumentations`` (the JSON ``A.load`` reads), ``kornia`` (JSON of
``kornia.augmentation.auto.AutoAugment``'s policy list), ``timm`` (JSON of
timm's auto-augment policy list and hparams; see
``mmautoaug.policy.converters.timm_transform``).
Every inexact step is reported on stderr; ``--strict`` refuses it.

Examples::

    python tools/policy/convert.py autoaugment_imagenet --to mmpretrain
    python tools/policy/convert.py work_dirs/dada/policy.json --to mmdet \\
        --out configs/detection/dada_autoaug.py
    python tools/policy/convert.py my_mmpretrain_config.py --to ours \\
        --space fastaa --out policy.json
    python tools/policy/convert.py genotype.txt --from genotype --to ours \\
        --meta source="DADA released archive" --out dada.json
"""
import argparse
import json
import os
import os.path as osp
import pprint
import sys
import warnings
from typing import Any, List, Optional

FORMATS_IN = ('auto', 'ours', 'mmpretrain', 'mmdet', 'genotype')
FORMATS_OUT = ('ours', 'mmpretrain', 'mmdet', 'torchvision', 'albumentations',
               'kornia', 'timm')


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Convert a policy between our JSON, mmpretrain/mmdet '
        'AutoAugment configs, torchvision and released genotypes.')
    parser.add_argument('input', help='policy JSON, zoo name, config file '
                        'or genotype file')
    parser.add_argument('--to', required=True, choices=FORMATS_OUT)
    parser.add_argument('--from', dest='src', default='auto',
                        choices=FORMATS_IN)
    parser.add_argument('--out', help='write here instead of stdout')
    parser.add_argument('--space', default=None,
                        help='space of the policy read from a config or '
                        'genotype (default: fastaa)')
    parser.add_argument('--image-size', type=int, nargs='+',
                        help='W or H W of the images, for Cutout (pixels in '
                        'mmpretrain)')
    parser.add_argument('--channel-order', default='bgr',
                        choices=('bgr', 'rgb'),
                        help='channel order of fill colours in mmpretrain/'
                        'mmdet configs (default: %(default)s)')
    parser.add_argument('--scope', default='auto',
                        help="prefix of written op types ('mmpretrain', "
                        "'mmdet'; 'none' for bare names)")
    parser.add_argument('--strict', action='store_true',
                        help='fail instead of warning on inexact steps')
    parser.add_argument('--drop-unsupported', action='store_true',
                        help='albumentations/kornia/timm: leave out (with a '
                        'warning) the ops the library cannot express '
                        'instead of failing')
    parser.add_argument('--meta', nargs='*', default=[], metavar='KEY=VALUE',
                        help='metadata for a policy read from a config or '
                        'genotype')
    return parser.parse_args(argv)


def find_auto_augment(obj: Any) -> Optional[dict]:
    """The first dict whose type is an ``AutoAugment`` (or a
    ``RandomChoice`` of sub-policy lists), searching depth first."""
    if isinstance(obj, dict):
        kind = str(obj.get('type', '')).rsplit('.', 1)[-1]
        if kind == 'AutoAugment':
            return obj
        if kind == 'RandomChoice' and obj.get('transforms') and all(
                isinstance(t, (list, tuple)) for t in obj['transforms']):
            return obj
        values = obj.values()
    elif isinstance(obj, (list, tuple)):
        values = obj
    else:
        return None
    for v in values:
        found = find_auto_augment(v)
        if found is not None:
            return found
    return None


def _library(cfg: dict, default_scope: Optional[str]) -> str:
    """'mmdet' or 'mmpretrain', from type prefixes, op keys or scope."""
    text = json.dumps(cfg, default=str)
    if '"mmdet.' in text or '"level"' in text:
        return 'mmdet'
    if '"mmpretrain.' in text:
        return 'mmpretrain'
    if default_scope in ('mmdet', 'mmpretrain'):
        return default_scope
    return 'mmpretrain'


def _to_plain(obj: Any) -> Any:
    """ConfigDict / tuples -> plain dicts and lists."""
    if isinstance(obj, dict):
        return {k: _to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_to_plain(v) for v in obj]
    return obj


def read_policy(args):
    """The input as a Policy, and what it was read as."""
    from mmautoaug.policy import (from_genotype, from_mmdet, from_mmpretrain,
                                  load_policy, parse_genotype)
    path, src = args.input, args.src
    meta = _meta(args.meta)
    exists = osp.isfile(path)
    if osp.isdir(path):
        raise ValueError(f'{path!r} is a directory; give a policy JSON file, '
                         'a config file or a genotype file')
    if src == 'genotype':
        if not exists:
            raise FileNotFoundError(f'genotype file {path!r} does not exist')
        genotype = parse_genotype(_read_text(path))
        meta.setdefault('source', f'released genotype {osp.basename(path)}')
        return from_genotype(genotype, args.space, meta=meta), src
    if src == 'ours' or not exists or _is_our_json(path):
        if src not in ('auto', 'ours'):
            if exists:
                raise ValueError(f'{path} is a policy JSON file (it has '
                                 f'format_version), not a {src} config; '
                                 'read it with --from ours (or auto)')
            raise FileNotFoundError(f'config file {path!r} does not exist')
        # what only a config or genotype needs would be ignored here
        if args.meta:
            raise ValueError(
                f'--meta: {path} is read as a policy (ours), which carries '
                'its own meta; --meta applies to a policy read from a '
                'config or a genotype')
        policy = load_policy(path)
        if getattr(args, 'space_given', False) and (args.space !=
                                                    policy.space_name):
            raise ValueError(
                f'--space: {path} is a policy of the '
                f'{policy.space_name!r} space, not {args.space!r}; --space '
                'applies to a policy read from a config or a genotype')
        return policy, 'ours'
    cfg, scope = _read_config(path)
    found = find_auto_augment(cfg)
    if found is None:
        raise ValueError(f'{path}: no AutoAugment transform found')
    lib = _library(found, scope) if src == 'auto' else src
    meta.setdefault('source', f'converted from {lib} config '
                    f'{osp.basename(path)}')
    if lib == 'mmdet':
        return from_mmdet(found, args.space, args.channel_order,
                          args.strict, meta), lib
    return from_mmpretrain(found, args.space, _image_size(args),
                           args.channel_order, args.strict, meta), lib


#: --to formats written as Python (a config snippet, or code).
PYTHON_OUT = ('mmpretrain', 'mmdet', 'torchvision')


def _check_space(args) -> None:
    """Refuse an unknown --space; None means the default, fastaa."""
    from mmautoaug.augment import SPACES
    args.space_given = args.space is not None
    if args.space is None:
        args.space = 'fastaa'
        return
    if args.space not in SPACES:
        raise ValueError(f'--space: {args.space!r} is not a search space; '
                         f'allowed: {sorted(SPACES)}')


def _check_out(args) -> None:
    """--out's extension must fit what --to writes (Python or JSON)."""
    if not args.out:
        return
    ext = osp.splitext(args.out)[1].lower()
    python = args.to in PYTHON_OUT
    if (python and ext == '.json') or (not python and ext == '.py'):
        kind, want = ('Python', '.py') if python else ('JSON', '.json')
        raise ValueError(f'--out: --to {args.to} writes {kind}, but '
                         f'{args.out!r} ends in {ext}; give a {want} file')


def _meta(items: List[str]) -> dict:
    meta = {}
    for item in items:
        key, sep, value = item.partition('=')
        if not sep or not key:
            raise ValueError(f'--meta: {item!r} is not KEY=VALUE (e.g. '
                             'source="DADA released archive")')
        meta[key] = value
    return meta


def _read_text(path: str) -> str:
    """A text file's content, or one sentence on why it is not text."""
    with open(path, 'rb') as f:
        raw = f.read()
    try:
        return raw.decode('utf-8')
    except UnicodeDecodeError as e:
        raise ValueError(f'{path}: not a UTF-8 text file (byte '
                         f'0x{raw[e.start]:02x} at position {e.start})') \
            from None


def _is_our_json(path: str) -> bool:
    """Our policy JSON? Files that cannot be read as JSON at all (not text,
    nested too deeply) are left to :func:`load_policy`, which says why."""
    if not path.endswith('.json'):
        return False
    try:
        data = json.loads(_read_text(path))
    except json.JSONDecodeError:
        return False
    except (ValueError, RecursionError):
        return True
    return isinstance(data, dict) and 'format_version' in data


def _read_config(path: str):
    if path.endswith('.json'):
        try:
            return json.loads(_read_text(path)), None
        except json.JSONDecodeError as e:
            raise ValueError(f'{path}: not valid JSON ({e})') from None
    from mmengine.config import Config
    _read_text(path)  # one sentence for a binary file
    try:
        cfg = Config.fromfile(path)
    except SyntaxError as e:
        where = f' (line {e.lineno})' if e.lineno else ''
        raise ValueError(f'{path}: the config has a Python syntax error'
                         f'{where}: {_first_line(e.msg)}') from None
    except (ImportError, KeyError, NameError, TypeError, AttributeError,
            OSError) as e:
        raise ValueError(f'{path}: could not read the config '
                         f'({type(e).__name__}: {_first_line(str(e))})') \
            from None
    return _to_plain(cfg.to_dict()), cfg.get('default_scope')


def _first_line(text: str) -> str:
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return lines[0] if lines else ''


def _image_size(args):
    size = args.image_size
    if size is None:
        return None
    if len(size) not in (1, 2):
        raise ValueError(f'--image-size: give W or H W, got {len(size)} '
                         'numbers')
    if any(v <= 0 for v in size):
        raise ValueError(f'--image-size: {" ".join(map(str, size))}; sizes '
                         'are positive pixel counts (W, or H W)')
    return size[0] if len(size) == 1 else tuple(size)


def render(policy, args) -> str:
    """The policy in the ``--to`` format, as text."""
    from mmautoaug.policy import to_mmdet, to_mmpretrain
    header = (f'# Generated by tools/policy/convert.py from {args.input}.\n'
              '# Put `auto_augment` into the train pipeline.\n')
    if args.to == 'ours':
        return policy.to_json()
    scope = args.scope
    if scope == 'auto':
        scope = args.to
    elif scope == 'none':
        scope = None
    if args.to == 'mmpretrain':
        cfg = to_mmpretrain(policy, _image_size(args), args.channel_order,
                            scope, args.strict)
        return header + 'auto_augment = ' + _pformat(cfg, 0, 15) + '\n'
    if args.to == 'mmdet':
        cfg = to_mmdet(policy, args.channel_order, scope, args.strict)
        return header + 'auto_augment = ' + _pformat(cfg, 0, 15) + '\n'
    if args.to in ('albumentations', 'kornia', 'timm'):
        return _render_json(policy, args)
    from mmautoaug.policy import to_torchvision
    transform = to_torchvision(policy, args.strict)
    data = json.dumps(policy.to_dict())
    return (f'# Generated by tools/policy/convert.py from {args.input}.\n'
            '# A torchvision transforms.v2 callable for (C, H, W) uint8 RGB '
            'tensors:\n'
            '# v2.RandomChoice over one v2.Compose per sub-policy.\n'
            'import json\n\n'
            'from mmautoaug.policy import Policy, to_torchvision\n\n'
            f'policy = Policy.from_dict(json.loads({data!r}))\n'
            'transform = to_torchvision(policy)\n\n'
            '# transform =\n' +
            '\n'.join('# ' + line for line in repr(transform).splitlines()) +
            '\n')


def _render_json(policy, args) -> str:
    """albumentations / kornia / timm: the library's form as JSON."""
    from mmautoaug.policy import to_albumentations, to_kornia, to_timm
    convert = dict(albumentations=to_albumentations, kornia=to_kornia,
                   timm=to_timm)[args.to]
    data = convert(policy, strict=args.strict,
                   unsupported='drop' if args.drop_unsupported else 'error')
    if args.to == 'albumentations':
        return json.dumps(data, indent=1) + '\n'
    subs = data if args.to == 'kornia' else data['policy']
    # one sub-policy a line
    text = '[\n  ' + ',\n  '.join(json.dumps(sub) for sub in subs) + '\n]'
    if args.to == 'kornia':
        return text + '\n'
    return (f'{{"hparams": {json.dumps(data["hparams"])},\n'
            f' "policy": {text}}}\n')


def _pformat(obj, indent: int = 0, used: int = 0, width: int = 79) -> str:
    """OpenMMLab config style: ``dict(type=..., ...)``, one op a line
    where it fits, keys in the converter's order.

    ``indent`` is the indentation of the line the object starts on and
    ``used`` how many characters precede it there.
    """
    flat = _flat(obj)
    if used + len(flat) <= width or not isinstance(obj, (dict, list,
                                                          tuple)):
        return flat
    pad = ' ' * (indent + 4)
    if isinstance(obj, dict):
        items = [
            f'{pad}{k}=' + _pformat(v, indent + 4, indent + 4 + len(k) + 1,
                                    width) for k, v in obj.items()
        ]
        return 'dict(\n' + ',\n'.join(items) + ')'
    items = [pad + _pformat(v, indent + 4, indent + 4, width) for v in obj]
    return '[\n' + ',\n'.join(items) + ',\n' + ' ' * indent + ']'


def _flat(obj) -> str:
    if isinstance(obj, dict):
        return 'dict(' + ', '.join(f'{k}={_flat(v)}'
                                   for k, v in obj.items()) + ')'
    if isinstance(obj, list):
        return '[' + ', '.join(_flat(v) for v in obj) + ']'
    if isinstance(obj, tuple):
        return '(' + ', '.join(_flat(v) for v in obj) + \
            (',)' if len(obj) == 1 else ')')
    return repr(obj)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    from mmautoaug.policy import ConversionWarning, PolicyError
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always', ConversionWarning)
        try:
            _check_space(args)
            _check_out(args)
            _image_size(args)  # refuse a bad size whatever the formats
            policy, read_as = read_policy(args)
            text = render(policy, args)
        except (PolicyError, FileNotFoundError, ValueError) as e:
            print(f'error: {e}', file=sys.stderr)
            return 2
    for w in caught:
        print(f'warning: {w.message}', file=sys.stderr)
    if args.out:
        try:
            os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
            with open(args.out, 'w', encoding='utf-8') as f:
                f.write(text)
        except OSError as e:
            print(f'error: --out: cannot write {args.out!r} ({e.strerror})',
                  file=sys.stderr)
            return 2
        print(f'read {args.input} as {read_as}; wrote {args.to} to '
              f'{args.out}', file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
