# Copyright (c) mmautoaug contributors. All rights reserved.
r"""Train one classification config under several policies and seeds and
compare their test accuracy with confidence intervals.

Every (policy, seed) is an ordinary run of ``tools/train.py`` (or of
``tools/dist_train.sh`` with ``--gpus``) on a copy of the config whose train
pipeline holds the policy (:func:`mmautoaug.detection.inject_policy` with
``task='classification'``; ``none`` trains the config as it is). All runs
share the schedule; seed ``s`` sets ``randomness.seed=s`` in every policy's
run, so the runs are paired by seed. The tool is resumable: a run with a
``result.json`` is skipped, a run with a checkpoint is continued with
``--resume``, any other starts afresh; calling it again with the same
arguments retrains nothing and rewrites the tables. Interrupted itself
(Ctrl-C, or SIGTERM from a job scheduler), it stops the runs it started
(each with its launcher's whole process group) before it exits, so no run
goes on training unseen; the data of every config is checked before the
first run starts.

Outputs in ``--work-dir``: ``runs/<label>/seed_<s>/`` (the runs, each with
``result.json`` and ``train.log``), ``configs/<label>.py`` (what was
trained), ``runs.csv`` (one row per run), ``summary.md`` / ``summary.csv``
(mean top-1 with a 95% t-interval over seeds; the paired difference to the
reference with its own 95% t-interval) and ``summary.png``.

Examples:
    # the embedded few-shot demo (what `make demo` runs after its search)
    python tools/analysis/compare_policies.py \
        configs/demo/fewshot_wrn10-1_demo.py \
        --policies none trivialaugment_wide random:space=fastaa,seed=0 \
        work_dirs/demo/dada_search/policy.json --seeds 3 --parallel 2
    # real CIFAR-10: 5 seeds, 1 GPU per run (tools/dist_train.sh), 8 runs
    # at a time on GPUs 0-7 (run k on CUDA_VISIBLE_DEVICES=k, PORT 29500+k)
    python tools/analysis/compare_policies.py \
        configs/baseline/wrn40-2_1xb128_cifar10.py \
        --policies none dada_cifar10 fastaa_reduced_cifar10 \
        autoaugment_cifar10 trivialaugment_wide randaugment:n=2,m=9 \
        --seeds 5 --gpus 1 --parallel 8
    # ImageNet ResNet-50: each run on all 8 GPUs, one run at a time
    python tools/analysis/compare_policies.py \
        configs/baseline/resnet50_8xb32_in1k.py \
        --policies none dada_imagenet trivialaugment_wide --seeds 3 --gpus 8
    # a quick look: shorten every run
    ... --cfg-options train_cfg.max_epochs=50
"""
import argparse
import csv
import glob
import json
import math
import os
import os.path as osp
import re
import signal
import subprocess
import sys
import threading
import time
from typing import Dict, List, Optional, Sequence, Tuple

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOLS = osp.join(ROOT, 'tools')
sys.path.insert(0, TOOLS)
from _cli import _fail, load_config  # noqa: E402

#: The policy name that trains the config unchanged.
NONE = 'none'
RESULT = 'result.json'
#: Seconds a stopped run gets to exit after SIGTERM before SIGKILL.
STOP_GRACE_S = 20


# ---------------------------------------------------------------- stats --
def t_quantile(confidence: float, dof: int) -> float:
    """Two-sided Student-t quantile: ``t`` with ``P(|T| <= t) = confidence``
    for ``dof`` degrees of freedom."""
    from scipy.stats import t
    return float(t.ppf(0.5 + confidence / 2, dof))


def mean_ci(values: Sequence[float],
            confidence: float = 0.95) -> Tuple[float, float, float]:
    """Mean, sample standard deviation and the half-width of the
    ``confidence`` t-interval of the mean.

    Returns:
        tuple: ``(mean, std, half_width)``; ``std`` and ``half_width`` are
        NaN for a single value (one run tells no spread).

    Examples:
        >>> m, s, h = mean_ci([1.0, 2.0, 3.0])
        >>> m, s, round(h, 4)  # t(0.975, 2) = 4.3027, s / sqrt(3) = 0.5774
        (2.0, 1.0, 2.4841)
    """
    n = len(values)
    if n == 0:
        raise ValueError('mean_ci: no values')
    mean = sum(values) / n
    if n == 1:
        return mean, math.nan, math.nan
    std = math.sqrt(sum((v - mean)**2 for v in values) / (n - 1))
    return mean, std, t_quantile(confidence, n - 1) * std / math.sqrt(n)


def paired_difference(values: Dict[int, float], reference: Dict[int, float],
                      confidence: float = 0.95
                      ) -> Tuple[float, float, float, int]:
    """Mean of ``values[s] - reference[s]`` over the seeds both have, with
    the t-interval of that mean (the paired comparison).

    Returns:
        tuple: ``(mean, std, half_width, pairs)``.
    """
    seeds = sorted(set(values) & set(reference))
    if not seeds:
        return math.nan, math.nan, math.nan, 0
    diffs = [values[s] - reference[s] for s in seeds]
    mean, std, half = mean_ci(diffs, confidence)
    return mean, std, half, len(seeds)


def summarize(results: Dict[str, Dict[int, float]], reference: str,
              confidence: float = 0.95) -> List[dict]:
    """One row per policy (in the given order) with its statistics.

    Args:
        results: ``label -> {seed: metric}``.
        reference: The label the paired differences are taken against.
        confidence: Level of the intervals.
    """
    rows = []
    for label, by_seed in results.items():
        if not by_seed:
            continue
        mean, std, half = mean_ci([by_seed[s] for s in sorted(by_seed)],
                                  confidence)
        row = dict(policy=label, seeds=len(by_seed), mean=mean, std=std,
                   ci=half, values=[by_seed[s] for s in sorted(by_seed)])
        if label != reference and results.get(reference):
            d, dstd, dhalf, pairs = paired_difference(
                by_seed, results[reference], confidence)
            row.update(diff=d, diff_std=dstd, diff_ci=dhalf, pairs=pairs)
        rows.append(row)
    return rows


def _pm(mean: float, half: float, signed: bool = False) -> str:
    value = f'{mean:+.2f}' if signed else f'{mean:.2f}'
    if math.isnan(mean):
        return 'n/a'
    return f'{value} (one run)' if math.isnan(half) else \
        f'{value} ± {half:.2f}'


def verdict(row: dict) -> str:
    """Whether the paired interval excludes 0."""
    if 'diff' not in row or math.isnan(row['diff']):
        return ''
    if math.isnan(row['diff_ci']):
        return 'one pair: no interval'
    low, high = row['diff'] - row['diff_ci'], row['diff'] + row['diff_ci']
    if low > 0:
        return 'better'
    if high < 0:
        return 'worse'
    return 'not distinguishable'


def to_markdown(rows: List[dict], reference: str, metric: str,
                confidence: float = 0.95) -> str:
    """The summary table in Markdown."""
    level = f'{confidence * 100:g}%'
    lines = [
        f'| policy | seeds | {metric} (mean ± {level} CI) | '
        f'paired Δ vs {reference} (± {level} CI) | |',
        '|---|---:|---:|---:|---|',
    ]
    for row in rows:
        if row['policy'] == reference:
            diff = '(reference)'
        elif 'diff' in row:
            diff = _pm(row['diff'], row['diff_ci'], signed=True)
            diff += f' [{row["pairs"]} pairs]' if row['pairs'] != row[
                'seeds'] else ''
        else:
            diff = 'n/a'
        lines.append(f'| {row["policy"]} | {row["seeds"]} | '
                     f'{_pm(row["mean"], row["ci"])} | {diff} | '
                     f'{verdict(row)} |')
    return '\n'.join(lines) + '\n'


def contrast(results: Dict[str, Dict[int, float]], a: str, b: str,
             confidence: float = 0.95) -> str:
    """One sentence: ``a`` against ``b``, paired over their common seeds.

    Examples:
        >>> contrast({'x': {0: 3., 1: 4.}, 'y': {0: 1., 1: 2.}}, 'x', 'y')
        'x - y: +2.00 ± 0.00 (paired over 2 seeds): x is better than y'
    """
    mean, _, half, pairs = paired_difference(results[a], results[b],
                                             confidence)
    if pairs == 0:
        return f'{a} - {b}: no common seed'
    row = dict(diff=mean, diff_ci=half)
    phrase = {
        'better': 'better than',
        'worse': 'worse than',
        'not distinguishable': 'not distinguishable from',
    }.get(verdict(row), 'one pair, no interval against')
    return (f'{a} - {b}: {_pm(mean, half, signed=True)} (paired over '
            f'{pairs} seed{"s" if pairs > 1 else ""}): {a} is {phrase} {b}')


def write_csv(rows: List[dict], path: str) -> None:
    keys = ['policy', 'seeds', 'mean', 'std', 'ci', 'diff', 'diff_std',
            'diff_ci', 'pairs', 'verdict', 'values']
    with open(path, 'w', newline='', encoding='utf-8') as f:
        writer = csv.DictWriter(f, keys)
        writer.writeheader()
        for row in rows:
            out = {k: row.get(k, '') for k in keys}
            out['verdict'] = verdict(row)
            out['values'] = ' '.join(f'{v:.4g}' for v in row['values'])
            writer.writerow(out)


def plot(rows: List[dict], results: Dict[str, Dict[int, float]],
         reference: str, metric: str, path: str) -> str:
    """Means with their intervals and every seed's value; paired
    differences to the reference beside them."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(11, 0.5 * len(rows) + 2.0))
    labels = [row['policy'] for row in rows]
    ys = list(range(len(rows)))[::-1]
    for y, row in zip(ys, rows):
        axes[0].errorbar(row['mean'], y, xerr=None if math.isnan(
            row['ci']) else row['ci'], fmt='o', color='C0', capsize=4)
        axes[0].scatter(row['values'], [y] * len(row['values']), s=12,
                        color='C1', zorder=3)
        if 'diff' in row and not math.isnan(row['diff']):
            axes[1].errorbar(row['diff'], y, xerr=None if math.isnan(
                row['diff_ci']) else row['diff_ci'], fmt='o', color='C2',
                capsize=4)
    axes[1].axvline(0.0, color='grey', lw=1)
    for ax in axes:
        ax.set_yticks(ys)
        ax.set_yticklabels(labels)
    axes[0].set_xlabel(f'{metric} (mean, 95% CI; dots: seeds)')
    axes[1].set_xlabel(f'paired difference to {reference} (95% CI)')
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


# ----------------------------------------------------------------- runs --
def policy_label(policy: str) -> str:
    """A folder-safe label: a file's stem, or the spec itself.

    Examples:
        >>> policy_label('randaugment:n=2,m=9')
        'randaugment-n2-m9'
        >>> policy_label('work_dirs/demo/dada_search/policy.json')
        'dada_search-policy'
    """
    if policy.endswith('.json') or os.sep in policy:
        stem = osp.splitext(osp.basename(policy))[0]
        parent = osp.basename(osp.dirname(osp.abspath(policy)))
        text = f'{parent}-{stem}' if parent else stem
    else:
        text = policy.replace('=', '')
    return re.sub(r'[^A-Za-z0-9_.+]+', '-', text).strip('-')


def read_metric(run_dir: str, key: str) -> Optional[Tuple[float, int]]:
    """The value of ``key`` at the largest step any log of the run has it
    (MMEngine writes ``<timestamp>/vis_data/scalars.json``; a resumed run
    has several), or None."""
    best = None
    for path in glob.glob(osp.join(run_dir, '*', 'vis_data',
                                   'scalars.json')):
        with open(path, encoding='utf-8') as f:
            for line in f:
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut by an interruption
                if key in entry:
                    step = int(entry.get('step', 0))
                    if best is None or step >= best[1]:
                        best = (float(entry[key]), step)
    return best


def run_state(run_dir: str) -> str:
    """``'done'`` (has result.json), ``'interrupted'`` (has a checkpoint to
    resume from) or ``'new'``."""
    if osp.isfile(osp.join(run_dir, RESULT)):
        return 'done'
    if osp.isfile(osp.join(run_dir, 'last_checkpoint')):
        return 'interrupted'
    return 'new'


def build_config(config: str, policy: str, position, out: str) -> str:
    """Write ``config`` with ``policy`` in its train pipeline to ``out``."""
    cfg = load_config(config)
    if policy != NONE:
        from mmautoaug.detection import inject_policy
        spec = osp.abspath(policy) if osp.isfile(policy) else policy
        try:  # a bad name or position fails here, before any training
            cfg = inject_policy(cfg, spec, position, task='classification',
                                channel_order=channel_order(cfg))
        except (ValueError, KeyError, FileNotFoundError) as e:
            _fail(f'{policy}: {e}')
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    cfg.dump(out)
    return out


def check_data(cfg_paths: Sequence[str],
               cfg_options: Sequence[str]) -> None:
    """Fail in one message, before any run starts, when a config's data is
    not in place (what ``tools/train.py`` would say in every run's log)."""
    from mmengine.config import Config, DictAction

    from mmautoaug.utils.data_check import missing_data
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    options = parser.parse_args(
        ['--cfg-options', *cfg_options] if cfg_options else []).cfg_options
    problems: List[str] = []
    for path in cfg_paths:
        cfg = Config.fromfile(path)
        if options:
            cfg.merge_from_dict(options)
        problems += [p for p in missing_data(cfg) if p not in problems]
    if problems:
        _fail('the data is not in place (no run was started):\n  ' +
              '\n  '.join(problems))


def channel_order(cfg) -> str:
    """``'bgr'`` when the train pipeline decodes files
    (``LoadImageFromFile`` gives BGR, e.g. ImageNet), else ``'rgb'`` (the
    CIFAR/SVHN data sets give RGB arrays): which channel the policy's ops
    read as red."""
    from mmautoaug.detection.inject import _type_name, train_pipelines
    dataset = cfg.get('train_dataloader', {}).get('dataset', {})
    for pipeline in train_pipelines(dataset, 'classification'):
        if any(_type_name(s) == 'LoadImageFromFile' for s in pipeline):
            return 'bgr'
    return 'rgb'


def train_command(cfg_path: str, run_dir: str, seed: int, gpus: int,
                  resume: bool, cfg_options: Sequence[str]) -> List[str]:
    """The launcher command of one run."""
    if gpus > 0:
        cmd = ['bash', osp.join(TOOLS, 'dist_train.sh'), cfg_path, str(gpus)]
    else:
        cmd = [sys.executable, osp.join(TOOLS, 'train.py'), cfg_path]
    cmd += ['--work-dir', run_dir]
    if resume:
        cmd.append('--resume')
    cmd += ['--cfg-options', f'randomness.seed={seed}', *cfg_options]
    return cmd


class Job:
    """One (policy, seed) run."""

    def __init__(self, label: str, seed: int, cfg_path: str, run_dir: str):
        self.label, self.seed = label, seed
        self.cfg_path, self.run_dir = cfg_path, run_dir
        self.process: Optional[subprocess.Popen] = None
        self.started = 0.0
        self.log = None


def run_jobs(jobs: List[Job], args, log) -> List[Job]:
    """Run the jobs that are not done, ``args.parallel`` at a time.

    Returns:
        list[Job]: The jobs that trained (fresh or resumed).
    """
    todo = [j for j in jobs if run_state(j.run_dir) != 'done']
    for job in jobs:
        if job not in todo:
            log(f'skip {job.label} seed {job.seed}: done '
                f'({osp.join(job.run_dir, RESULT)})')
    running: List[Tuple[int, Job]] = []
    try:
        return _run(todo, running, args, log)
    except BaseException as e:  # Ctrl-C, SIGTERM (see main), a failure
        if running:
            stop_runs([job for _, job in running], log)
            log(f'interrupted ({type(e).__name__}): stopped '
                f'{len(running)} run(s); run the same command again to '
                'continue (finished runs are kept, runs with a checkpoint '
                'resume from it)')
        raise


def _run(todo: List[Job], running: List[Tuple[int, Job]], args,
         log) -> List[Job]:
    free = list(range(args.parallel))
    trained, failed = [], []
    total = len(todo)
    while todo or running:
        while todo and free:
            slot, job = free.pop(0), todo.pop(0)
            _start(job, slot, args, log, total - len(todo), total)
            running.append((slot, job))
        time.sleep(0.2)
        for slot, job in list(running):
            code = job.process.poll()
            if code is None:
                continue
            job.log.close()
            running.remove((slot, job))
            free.append(slot)
            minutes = (time.time() - job.started) / 60
            if code != 0:
                failed.append(job)
                log(f'FAILED {job.label} seed {job.seed} (exit {code}, '
                    f'{minutes:.1f} min); see {job.log.name}')
                continue
            value = _record(job, args.metric)
            trained.append(job)
            log(f'done {job.label} seed {job.seed}: {args.metric} = '
                f'{value:.2f} ({minutes:.1f} min)')
    if failed:
        _fail(f'{len(failed)} run(s) failed: ' + ', '.join(
            f'{j.label} seed {j.seed} ({j.log.name})' for j in failed) +
            '; fix the cause and run the same command again (finished runs '
            'are kept)')
    return trained


def stop_runs(jobs: List[Job], log) -> None:
    """SIGTERM each job's process group (a launcher's workers too), then
    SIGKILL what is still there after :data:`STOP_GRACE_S` seconds."""
    for job in jobs:
        _signal_group(job.process, signal.SIGTERM)
    deadline = time.time() + STOP_GRACE_S
    for job in jobs:
        try:
            job.process.wait(max(0.0, deadline - time.time()))
        except subprocess.TimeoutExpired:
            log(f'{job.label} seed {job.seed} ignored SIGTERM; killing it')
            _signal_group(job.process, signal.SIGKILL)
            job.process.wait()
        # its workers may outlive the launcher by a moment
        _signal_group(job.process, signal.SIGKILL)
        if job.log is not None and not job.log.closed:
            job.log.write('[compare_policies] stopped: the comparison was '
                          'interrupted\n')
            job.log.close()


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)  # its own group: start_new_session
    except (ProcessLookupError, PermissionError):
        if process.poll() is None:  # not a group leader after all
            process.send_signal(sig)


def _raise_on_sigterm(signum, frame) -> None:
    # SystemExit unwinds run_jobs, which stops the runs first
    raise SystemExit(128 + signum)


def _start(job: Job, slot: int, args, log, index: int, total: int) -> None:
    resume = run_state(job.run_dir) == 'interrupted'
    cmd = train_command(job.cfg_path, job.run_dir, job.seed, args.gpus,
                        resume, args.cfg_options or [])
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        [ROOT] + [p for p in env.get('PYTHONPATH', '').split(os.pathsep) if p])
    if args.gpus > 0:
        devices = range(slot * args.gpus, (slot + 1) * args.gpus)
        env['CUDA_VISIBLE_DEVICES'] = ','.join(map(str, devices))
        env['PORT'] = str(args.port + slot)
    elif args.parallel > 1 and 'OMP_NUM_THREADS' not in os.environ:
        # CPU runs side by side share the cores
        env['OMP_NUM_THREADS'] = str(
            max(1, (os.cpu_count() or 1) // args.parallel))
    os.makedirs(job.run_dir, exist_ok=True)
    job.log = open(osp.join(job.run_dir, 'train.log'), 'a', encoding='utf-8')
    job.log.write('$ ' + ' '.join(cmd) + '\n')
    job.log.flush()
    log(f'[{index}/{total}] {"resume" if resume else "train"} {job.label} '
        f'seed {job.seed} -> {job.run_dir}')
    job.started = time.time()
    # each run in its own session: on an interruption the whole launcher
    # tree is stopped (stop_runs), and a terminal's Ctrl-C reaches only this
    # tool, which then stops the runs itself
    job.process = subprocess.Popen(cmd, env=env, stdout=job.log,
                                   stderr=subprocess.STDOUT,
                                   start_new_session=True)


def _record(job: Job, metric: str) -> float:
    found = read_metric(job.run_dir, metric)
    if found is None:
        _fail(f'{job.label} seed {job.seed}: the run finished but never '
              f'logged {metric!r} (does the config validate on the test '
              f'set at the end?); delete {job.run_dir} to retrain it')
    value, step = found
    with open(osp.join(job.run_dir, RESULT), 'w', encoding='utf-8') as f:
        json.dump(dict(policy=job.label, seed=job.seed, metric=metric,
                       value=value, step=step), f)
    return value


def collect(jobs: List[Job], metric: str) -> Dict[str, Dict[int, float]]:
    results: Dict[str, Dict[int, float]] = {}
    for job in jobs:
        results.setdefault(job.label, {})
        path = osp.join(job.run_dir, RESULT)
        if osp.isfile(path):
            with open(path, encoding='utf-8') as f:
                data = json.load(f)
            if data['metric'] != metric:
                _fail(f'{path} holds {data["metric"]!r}, not {metric!r}; '
                      'use the same --metric as when it was trained')
            results[job.label][job.seed] = float(data['value'])
    return results


# ------------------------------------------------------------------ cli --
def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Train a classification config under several policies '
        'and seeds; tabulate mean accuracy with 95% confidence intervals and '
        'paired differences to a reference policy. Resumable: the same '
        'command again skips finished runs and resumes interrupted ones '
        '(Ctrl-C or SIGTERM stops the runs this tool started).',
        epilog='Examples:' + __doc__.split('Examples:', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='a classification (mmpretrain) config')
    parser.add_argument(
        '--policies', nargs='+', required=True,
        help='policy files, zoo names (dada_cifar10, ...), baselines '
        '(trivialaugment_wide, randaugment:n=2,m=9, rand-m9-mstd0.5, '
        'uniformaugment, random:space=fastaa,seed=0) or "none"')
    parser.add_argument('--labels', nargs='+',
                        help='names of the policies in the tables (default: '
                        'derived from the policies)')
    seeds = parser.add_mutually_exclusive_group()
    seeds.add_argument('--seeds', type=int, default=3,
                       help='number of seeds: 0 .. N-1 (default 3)')
    seeds.add_argument('--seed-list', type=int, nargs='+',
                       help='explicit seeds')
    parser.add_argument('--reference', default=None,
                        help='policy (as given, or its label) the paired '
                        'differences are taken against (default: "none" '
                        'if listed, else the first policy)')
    parser.add_argument('--work-dir', help='default: work_dirs/compare/'
                        '<config name>')
    parser.add_argument('--position', default='before_pack',
                        help="where the policy goes in the train pipeline: "
                        "'before_pack' (default: after every crop and flip), "
                        "'after_flip', 'before_crop' or an index")
    parser.add_argument('--metric', default='accuracy/top1',
                        help='the logged validation metric (default '
                        'accuracy/top1)')
    parser.add_argument('--confidence', type=float, default=0.95)
    parser.add_argument('--gpus', type=int, default=0,
                        help='GPUs per run, launched by tools/dist_train.sh '
                        '(0: one process by tools/train.py; the default)')
    parser.add_argument('--parallel', type=int, default=1,
                        help='runs at a time (each on its own --gpus GPUs; '
                        'on CPU they share the cores)')
    parser.add_argument('--port', type=int, default=29500,
                        help='first master port of dist_train.sh runs')
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='key=value overrides passed to every run')
    parser.add_argument('--contrast', nargs=2, action='append', default=[],
                        metavar=('A', 'B'),
                        help='also state A against B (labels or policies), '
                        'paired over seeds; repeatable')
    args = parser.parse_args(argv)
    if args.parallel < 1 or args.gpus < 0:
        parser.error('--parallel must be >= 1 and --gpus >= 0')
    if not 0 < args.confidence < 1:
        parser.error('--confidence must be in (0, 1)')
    if args.seed_list is None and args.seeds < 1:
        parser.error('--seeds must be >= 1')
    if args.seed_list is not None and len(set(args.seed_list)) != len(
            args.seed_list):
        # a repeated seed is one run, counted twice in the seed count
        parser.error(f'--seed-list {args.seed_list} repeats a seed; give '
                     'each seed once')
    bad = [item for item in args.cfg_options if '=' not in item]
    if bad:
        parser.error(f'--cfg-options: {bad[0]!r} is not KEY=VALUE (e.g. '
                     'train_dataloader.batch_size=64)')
    return args


def main(argv=None) -> dict:
    args = parse_args(argv)
    seeds = args.seed_list if args.seed_list is not None else list(
        range(args.seeds))
    work = osp.abspath(args.work_dir or osp.join(
        'work_dirs', 'compare', osp.splitext(osp.basename(args.config))[0]))
    labels = args.labels or [policy_label(p) for p in args.policies]
    if len(labels) != len(args.policies):
        _fail(f'--labels: {len(labels)} labels for {len(args.policies)} '
              'policies')
    if len(set(labels)) != len(labels):
        _fail(f'two policies share a label in {labels}; pass --labels')
    reference = args.reference or (NONE if NONE in args.policies else
                                   args.policies[0])
    if reference in args.policies:
        reference = labels[args.policies.index(reference)]
    elif reference not in labels:
        _fail(f'--reference {reference!r} is not one of the policies '
              f'{args.policies}')
    position = int(args.position) if args.position.lstrip('-').isdigit() \
        else args.position
    contrasts = []
    for pair in args.contrast:  # checked before hours of training
        a, b = (labels[args.policies.index(x)] if x in args.policies else x
                for x in pair)
        if a not in labels or b not in labels:
            _fail(f'--contrast {pair[0]} {pair[1]}: both must be among the '
                  f'labels {labels} or the policies {args.policies}')
        contrasts.append((a, b))

    def log(msg: str) -> None:
        print(f'[compare_policies] {msg}', flush=True)

    jobs, cfg_paths = [], []
    for label, policy in zip(labels, args.policies):
        cfg_path = osp.join(work, 'configs', f'{label}.py')
        cfg_paths.append(build_config(args.config, policy, position,
                                      cfg_path))
        jobs.extend(
            Job(label, s, cfg_path, osp.join(work, 'runs', label, f'seed_{s}'))
            for s in seeds)
    # seed-major: every policy of seed 0 first, so partial results pair up
    jobs.sort(key=lambda j: (seeds.index(j.seed), labels.index(j.label)))
    check_data(cfg_paths, args.cfg_options or [])
    log(f'{len(labels)} policies x {len(seeds)} seeds on {args.config}; '
        f'work dir {work}')
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_on_sigterm) \
        if main_thread else None
    try:
        trained = run_jobs(jobs, args, log)
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
    results = collect(jobs, args.metric)
    results = {label: results.get(label, {}) for label in labels}
    rows = summarize(results, reference, args.confidence)
    table = to_markdown(rows, reference, args.metric, args.confidence)
    sentences = []
    for a, b in contrasts:
        sentences.append(contrast(results, a, b, args.confidence))
    table += ''.join(f'\n{line}\n' for line in sentences)
    with open(osp.join(work, 'summary.md'), 'w', encoding='utf-8') as f:
        f.write(f'{args.config}: {len(seeds)} seeds ({seeds}); paired by '
                f'seed; {args.confidence * 100:g}% t-intervals.\n\n{table}')
    write_csv(rows, osp.join(work, 'summary.csv'))
    with open(osp.join(work, 'runs.csv'), 'w', newline='',
              encoding='utf-8') as f:
        writer = csv.writer(f)
        writer.writerow(['policy', 'seed', args.metric])
        for label in labels:
            for seed, value in sorted(results[label].items()):
                writer.writerow([label, seed, value])
    png = plot(rows, results, reference, args.metric,
               osp.join(work, 'summary.png'))
    print(table, end='')
    log(f'trained {len(trained)} run(s); tables: '
        f'{osp.join(work, "summary.md")}, summary.csv, runs.csv; plot: {png}')
    return dict(results=results, rows=rows, trained=[(j.label, j.seed)
                                                      for j in trained],
                work_dir=work)


if __name__ == '__main__':
    main()
