# Copyright (c) mmautoaug contributors. All rights reserved.
"""Plot how a search's policy evolved: per op, how often it is applied to an
image and with what mean magnitude, for each policy file (epoch) in order.

Examples::

    python tools/policy/plot.py work_dirs/demo/dada_search --out dada.png
    python tools/policy/plot.py work_dirs/advaa/policy_schedule --out advaa.png
    python tools/policy/plot.py autoaugment_cifar10 policy.json --out two.png
"""
import argparse
import glob
import os
import os.path as osp
import re
import sys
from typing import List, Optional, Tuple

import numpy as np

# Per-epoch files the searches write, newest patterns first.
_SERIES = ('policy_epoch_*.json', 'policy_schedule/epoch_*.json',
           'epoch_*.json')


def _number(path: str) -> int:
    found = re.findall(r'\d+', osp.basename(path))
    return int(found[-1]) if found else -1


def collect(sources: List[str]) -> List[Tuple[str, str]]:
    """Expand directories into their per-epoch policy files.

    Args:
        sources (list[str]): Policy files, zoo names, or work dirs.

    Returns:
        list[tuple[str, str]]: (label, policy file or zoo name) in order.
    """
    out = []
    for src in sources:
        if not osp.isdir(src):
            out.append((osp.splitext(osp.basename(src))[0], src))
            continue
        for pattern in _SERIES:
            files = sorted(glob.glob(osp.join(src, pattern)), key=_number)
            if files:
                out.extend((f'epoch {_number(f)}', f) for f in files)
                break
        else:
            single = osp.join(src, 'policy.json')
            if not osp.isfile(single):
                raise FileNotFoundError(
                    f'{src!r} holds no policy files ({", ".join(_SERIES)} '
                    'or policy.json)')
            out.append((osp.basename(osp.normpath(src)), single))
    return out


def plot(items: List[Tuple[str, str]], out: str) -> str:
    """Draw the rate and magnitude heatmaps of the policies into ``out``."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    from mmautoaug.policy import load_policy, op_statistics
    policies = [load_policy(src) for _, src in items]
    spaces = {p.space.name for p in policies}
    if len(spaces) != 1:
        raise ValueError(f'the policies come from several spaces {spaces}; '
                         'plot them separately.')
    ops = policies[0].space.ops
    stats = [op_statistics(p) for p in policies]
    rate = np.array([[s[op].rate for s in stats] for op in ops])
    mag = np.array([[s[op].magnitude for s in stats] for op in ops])

    width = max(6.0, 1.2 + 0.35 * len(items)) * 2
    fig, axes = plt.subplots(1, 2, figsize=(width, 0.32 * len(ops) + 2))
    # Magnitudes on a diverging map centred on 0.5 (the identity of signed
    # ops in the fastaa space, and DADA's start), scaled to what moved.
    spread = np.nanmax(np.abs(mag - 0.5)) if np.isfinite(mag).any() else 0.5
    spread = max(float(spread), 0.01)
    panels = ((rate, 'applications per image', 'viridis',
               (0.0, max(float(rate.max()), 1e-9))),
              (np.ma.masked_invalid(mag), 'mean magnitude (centre 0.5)',
               'coolwarm', (0.5 - spread, 0.5 + spread)))
    for ax, (data, title, cmap, (vmin, vmax)) in zip(axes, panels):
        im = ax.imshow(data, aspect='auto', cmap=cmap, vmin=vmin, vmax=vmax,
                       interpolation='nearest')
        ax.set_yticks(range(len(ops)), ops)
        step = max(1, len(items) // 12)
        ticks = list(range(0, len(items), step))
        ax.set_xticks(ticks, [items[i][0] for i in ticks], rotation=45,
                      ha='right')
        ax.set_title(title)
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    fig.suptitle(f"{policies[-1].meta.get('method', 'policy')} "
                 f"({policies[0].space.name} space, {len(items)} "
                 f"polic{'y' if len(items) == 1 else 'ies'})")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('sources', nargs='+',
                        help='policy files, zoo names or work dirs')
    parser.add_argument('--out', default='policy_plot.png',
                        help='PNG to write (default: %(default)s)')
    args = parser.parse_args(argv)
    sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
        osp.abspath(__file__)))))
    if osp.isdir(args.out):
        print(f'error: --out: {args.out!r} is a directory; give a PNG file '
              'path', file=sys.stderr)
        sys.exit(2)
    # matplotlib adds .png to a name without a suffix: say what is written
    out = args.out if osp.splitext(args.out)[1] else args.out + '.png'
    try:
        items = collect(args.sources)
    except (FileNotFoundError, ValueError, KeyError) as e:
        print(f'error: {e}', file=sys.stderr)
        sys.exit(2)
    try:
        os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
        path = plot(items, out)
    except OSError as e:
        # the output file, or its folder, could not be made
        writing = e.filename is not None and osp.abspath(
            out).startswith(osp.abspath(e.filename))
        print(f'error: --out: cannot write {out!r} ({e.strerror})'
              if writing else f'error: {e}', file=sys.stderr)
        sys.exit(2)
    except (ValueError, KeyError) as e:
        print(f'error: {e}', file=sys.stderr)
        sys.exit(2)
    print(f'wrote {path} ({len(items)} policies)')


if __name__ == '__main__':
    main()
