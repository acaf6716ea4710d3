# Copyright (c) mmautoaug contributors. All rights reserved.
"""tools/benchmark/device_check.sh covers every benchmark: each one that
takes ``--device`` runs in it, the others are named as CPU analyses (a
benchmark added later cannot slip past the GPU check unnoticed)."""
import glob
import os.path as osp
import re
import subprocess

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BENCH = osp.join(ROOT, 'tools', 'benchmark')
SCRIPT = osp.join(BENCH, 'device_check.sh')


def _text():
    with open(SCRIPT) as f:
        return f.read()


def _run_parts(text):
    """Benchmark scripts started by a ``run_part`` line."""
    return set(
        re.findall(r'^run_part \S+ .*?tools/benchmark/(\w+\.py)', text, re.M))


def _cpu_analyses(text):
    """The scripts of the case branch that names CPU analyses."""
    branch = re.search(
        r'^\s*([\w.|\\\s]+)\)\s*\n\s*echo "\[device_check\] '
        r'not run \(a CPU analysis', text, re.M)
    assert branch, 'device_check.sh: the CPU analyses branch is missing'
    return set(re.findall(r'\w+\.py', branch.group(1)))


def test_the_script_parses():
    subprocess.run(['bash', '-n', SCRIPT], check=True)


def test_every_benchmark_is_run_or_named():
    text = _text()
    run, named = _run_parts(text), _cpu_analyses(text)
    assert run and named and not run & named
    for path in sorted(glob.glob(osp.join(BENCH, '*.py'))):
        name = osp.basename(path)
        if name.startswith('_'):
            continue
        with open(path) as f:
            takes_device = "'--device'" in f.read()
        if takes_device:
            assert name in run, (
                f'{name} takes --device but device_check.sh does not run it')
        else:
            assert name in run | named, (
                f'{name}: neither run by device_check.sh nor named there as '
                'a CPU analysis')


def test_gpu_parts_fit_the_budget():
    """Issue #13: under 8 minutes on one GPU, whatever each part takes."""
    text = _text()
    budget = int(re.search(r'^BUDGET=(\d+)$', text, re.M).group(1))
    assert budget < 480
    assert 'limit="$left"' in text and 'NOT RUN (budget spent)' in text
