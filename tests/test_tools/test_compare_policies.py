# Copyright (c) mmautoaug contributors. All rights reserved.
"""tools/analysis/compare_policies.py: statistics, injection, resumability."""
import csv
import json
import math
import os
import os.path as osp
import subprocess
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis'))
import compare_policies as cp  # noqa: E402

# Student t quantiles (two-sided 95%) from the tables: 2, 3 and 4 degrees of
# freedom.
T975 = {2: 4.302652729911275, 3: 3.182446305284263, 4: 2.7764451051977987}


def test_mean_ci_against_hand_computation():
    # values 70, 72, 77: mean 73, deviations -3, -1, 4, s^2 = 26 / 2 = 13
    mean, std, half = cp.mean_ci([70.0, 72.0, 77.0])
    assert mean == pytest.approx(73.0)
    assert std == pytest.approx(math.sqrt(13.0))
    assert half == pytest.approx(T975[2] * math.sqrt(13.0) / math.sqrt(3))
    # four values: t with 3 degrees of freedom
    _, s4, h4 = cp.mean_ci([1.0, 2.0, 3.0, 6.0])
    assert s4 == pytest.approx(math.sqrt(14.0 / 3))
    assert h4 == pytest.approx(T975[3] * math.sqrt(14.0 / 3) / 2)
    # one run: no spread, no interval
    mean1, std1, half1 = cp.mean_ci([5.0])
    assert mean1 == 5.0 and math.isnan(std1) and math.isnan(half1)


def test_paired_difference_uses_the_seeds_both_have():
    ref = {0: 60.0, 1: 64.0, 2: 62.0, 3: 61.0}
    pol = {0: 63.0, 1: 65.0, 2: 67.0}  # seed 3 missing
    # differences 3, 1, 5: mean 3, s = 2, half = t(2) * 2 / sqrt(3)
    mean, std, half, pairs = cp.paired_difference(pol, ref)
    assert (mean, pairs) == (pytest.approx(3.0), 3)
    assert std == pytest.approx(2.0)
    assert half == pytest.approx(T975[2] * 2.0 / math.sqrt(3))
    # pairing removes the seed effect: the unpaired interval of the same
    # numbers is wider than the paired one
    unpaired = cp.mean_ci([63.0, 65.0, 67.0])[2] + cp.mean_ci(
        [60.0, 64.0, 62.0])[2]
    assert half < unpaired


def test_summary_table_and_verdicts():
    results = {
        'none': {0: 50.0, 1: 52.0, 2: 51.0},
        'good': {0: 60.0, 1: 61.0, 2: 62.0},
        'bad': {0: 45.0, 1: 47.0, 2: 46.0},
        'same': {0: 50.5, 1: 51.0, 2: 52.5},
    }
    rows = cp.summarize(results, 'none')
    by = {r['policy']: r for r in rows}
    assert cp.verdict(by['good']) == 'better'
    assert cp.verdict(by['bad']) == 'worse'
    assert cp.verdict(by['same']) == 'not distinguishable'
    table = cp.to_markdown(rows, 'none', 'accuracy/top1')
    lines = table.strip().splitlines()
    assert len(lines) == 2 + 4
    assert '| none | 3 | 51.00 ± 2.48 | (reference) |' in table
    # good - none: 10, 9, 11 -> mean 10, s 1, half t(2) / sqrt(3) = 2.48
    assert '| good | 3 | 61.00 ± 2.48 | +10.00 ± 2.48 | better |' in table


def test_labels_are_folder_safe():
    assert cp.policy_label('randaugment:n=2,m=9') == 'randaugment-n2-m9'
    assert cp.policy_label('rand-m9-mstd0.5') == 'rand-m9-mstd0.5'
    assert cp.policy_label('a/b/policy.json') == 'b-policy'


@pytest.mark.parametrize('config, steps, order', [
    ('configs/baseline/wrn40-2_1xb128_cifar10.py',
     ['RandomCrop', 'RandomFlip', 'PolicyAugment', 'PackInputs'], 'rgb'),
    ('configs/baseline/resnet50_8xb32_in1k.py',
     ['LoadImageFromFile', 'RandomResizedCrop', 'RandomFlip',
      'PolicyAugment', 'PackInputs'], 'bgr'),
])
def test_real_configs_get_the_policy_after_crop_and_flip(
        tmp_path, config, steps, order):
    from mmengine.config import Config
    out = cp.build_config(osp.join(ROOT, config), 'dada_cifar10',
                          'before_pack', str(tmp_path / 'c.py'))
    pipeline = Config.fromfile(out).train_dataloader.dataset.pipeline
    assert [s['type'].rsplit('.', 1)[-1] for s in pipeline] == steps
    step = pipeline[steps.index('PolicyAugment')]
    assert (step['policy'], step['channel_order']) == ('dada_cifar10', order)


def _tiny_config(tmp_path, data_root, epochs):
    """The few-shot demo config, shortened: 1 epoch per run is enough to
    test the tool (the data is the real on-disk demo set)."""
    path = tmp_path / 'tiny_fewshot.py'
    base = osp.join(ROOT, 'configs', 'demo', 'fewshot_wrn10-1_demo.py')
    path.write_text(
        f"_base_ = [{base!r}]\n"
        f"max_epochs = {epochs}\n"
        f"data_root = {data_root!r}\n"
        "train_dataloader = dict(dataset=dict(data_root=data_root))\n"
        "val_dataloader = dict(dataset=dict(data_root=data_root))\n"
        "test_dataloader = val_dataloader\n"
        "param_scheduler = dict(T_max=max_epochs, end=max_epochs)\n"
        "train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)\n"
        "default_hooks = dict(checkpoint=dict(interval=1),\n"
        "                     logger=dict(interval=1))\n"
        "log_level = 'WARNING'\n")
    return str(path)


@pytest.fixture(scope='module')
def fewshot_root(tmp_path_factory):
    from mmautoaug.datasets.demo import build_fewshot
    root = str(tmp_path_factory.mktemp('data') / 'demo_fewshot')
    build_fewshot(root)
    return root


def test_compare_trains_every_pair_once_and_resumes(tmp_path, fewshot_root):
    cfg = _tiny_config(tmp_path, fewshot_root, epochs=2)
    work = str(tmp_path / 'cmp')
    args = [cfg, '--policies', 'none', 'randaugment:n=1,m=9', '--seeds', '2',
            '--work-dir', work, '--parallel', '2']
    # an interrupted run: seed 1 of the RandAugment policy stopped after
    # epoch 1 of 2 (trained by hand on the config the tool writes)
    label = 'randaugment-n1-m9'
    written = cp.build_config(cfg, 'randaugment:n=1,m=9', 'before_pack',
                              osp.join(work, 'configs', f'{label}.py'))
    interrupted = osp.join(work, 'runs', label, 'seed_1')
    subprocess.run([
        sys.executable, osp.join(ROOT, 'tools', 'train.py'), written,
        '--work-dir', interrupted, '--cfg-options', 'randomness.seed=1',
        'train_cfg.max_epochs=1'
    ], check=True, cwd=ROOT, env=dict(os.environ, PYTHONPATH=ROOT),
        capture_output=True)
    assert cp.run_state(interrupted) == 'interrupted'

    first = cp.main(args)
    assert sorted(first['trained']) == [('none', 0), ('none', 1), (label, 0),
                                        (label, 1)]
    # the interrupted run was resumed, not restarted: its last log holds
    # epoch 2 only
    log = open(osp.join(interrupted, 'train.log')).read()
    assert '--resume' in log
    result = json.load(open(osp.join(interrupted, 'result.json')))
    assert result['step'] == 2 and result['seed'] == 1
    # the policy really is in the trained pipeline, after the crop
    from mmengine.config import Config
    steps = Config.fromfile(written).train_dataloader.dataset.pipeline
    assert [s['type'] for s in steps] == [
        'mmpretrain.RandomCrop', 'mmautoaug.PolicyAugment',
        'mmpretrain.PackInputs'
    ]
    assert steps[1]['policy'] == 'randaugment:n=1,m=9'
    # tables: one row per run, the summary from those numbers
    with open(osp.join(work, 'runs.csv')) as f:
        runs = list(csv.DictReader(f))
    assert len(runs) == 4
    values = {(r['policy'], int(r['seed'])): float(r['accuracy/top1'])
              for r in runs}
    rows = {r['policy']: r for r in first['rows']}
    assert rows['none']['mean'] == pytest.approx(
        (values[('none', 0)] + values[('none', 1)]) / 2)
    assert rows[label]['diff'] == pytest.approx(
        rows[label]['mean'] - rows['none']['mean'])
    assert osp.getsize(osp.join(work, 'summary.png')) > 1000
    assert '(reference)' in open(osp.join(work, 'summary.md')).read()

    # the same command again retrains nothing and gives the same table
    mtimes = {p: os.path.getmtime(p) for p in (
        osp.join(work, 'runs', lab, f'seed_{s}', 'result.json')
        for lab in ('none', label) for s in (0, 1))}
    second = cp.main(args)
    assert second['trained'] == []
    assert second['results'] == first['results']
    assert all(os.path.getmtime(p) == t for p, t in mtimes.items())


def test_bad_arguments_fail_in_one_sentence(tmp_path, fewshot_root, capsys):
    cfg = _tiny_config(tmp_path, fewshot_root, epochs=1)
    with pytest.raises(SystemExit):
        cp.main([cfg, '--policies', 'none', 'trivialaugment',
                 '--work-dir', str(tmp_path / 'x')])
    assert "did you mean 'trivialaugment_wide'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cp.main([cfg, '--policies', 'none', 'none',
                 '--work-dir', str(tmp_path / 'x')])
    assert 'share a label' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cp.main([cfg, '--policies', 'trivialaugment_wide', '--position',
                 'after_flip', '--work-dir', str(tmp_path / 'x')])
    assert 'has no RandomFlip' in capsys.readouterr().err


def test_bad_arguments_fail_before_any_training(tmp_path, capsys):
    # found by the audit of issue #11: these used to start the runs (an
    # unknown --contrast failed only after all of them; --cfg-options foo
    # failed inside every run; a repeated seed was one run counted twice)
    cfg = osp.join(ROOT, 'configs', 'baseline', 'wrn16-1_demo-cifar.py')
    work = str(tmp_path / 'x')
    with pytest.raises(SystemExit):
        cp.main([cfg, '--policies', 'none', 'dada_cifar10', '--contrast',
                 'x', 'y', '--work-dir', work])
    assert capsys.readouterr().err == (
        "error: --contrast x y: both must be among the labels ['none', "
        "'dada_cifar10'] or the policies ['none', 'dada_cifar10']\n")
    for argv, message in [
        (['--cfg-options', 'a=1', 'foo'], "--cfg-options: 'foo' is not "
         'KEY=VALUE (e.g. train_dataloader.batch_size=64)'),
        (['--seed-list', '0', '0'], '--seed-list [0, 0] repeats a seed; '
         'give each seed once'),
    ]:
        with pytest.raises(SystemExit):
            cp.main([cfg, '--policies', 'none', '--work-dir', work] + argv)
        # argparse names the program after sys.argv[0]
        assert capsys.readouterr().err.splitlines()[-1].endswith(
            f': error: {message}')
    assert not osp.exists(work), 'nothing was started'



def test_missing_data_fails_before_any_run(tmp_path, capsys):
    """A real config without its data: one message, no run started."""
    work = tmp_path / 'cmp'
    with pytest.raises(SystemExit):
        cp.main([osp.join(ROOT, 'configs', 'baseline',
                          'wrn40-2_1xb128_cifar10.py'),
                 '--policies', 'none', 'dada_cifar10', '--work-dir',
                 str(work), '--cfg-options',
                 f'train_dataloader.dataset.data_root={tmp_path / "nowhere"}'])
    err = capsys.readouterr().err
    assert 'the data is not in place (no run was started)' in err
    assert str(tmp_path / 'nowhere' / 'cifar-10-batches-py') in err
    assert not (work / 'runs').exists()


# A stand-in run: a launcher (bash) whose worker (python) writes its pid and
# then trains "forever", as dist_train.sh's workers would.
_WORKER = ('import os, sys, time; '
           'open(os.path.join(sys.argv[1], "worker.pid"), "w")'
           '.write(str(os.getpid())); time.sleep(300)')
_DRIVER = '''
import sys
sys.path.insert(0, {tools!r})
import compare_policies as cp

def launcher(cfg_path, run_dir, seed, gpus, resume, cfg_options):
    return ['bash', '-c', '"$0" -c "$1" "$2"; true', sys.executable,
            {worker!r}, run_dir]

cp.train_command = launcher
cp.main({args!r})
'''


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f'/proc/{pid}/stat') as f:  # a zombie is not alive
        return f.read().split(') ')[-1][0] != 'Z'


@pytest.mark.skipif(not osp.isdir('/proc'), reason='reads /proc')
def test_sigterm_stops_the_runs_it_started(tmp_path, fewshot_root):
    """A scheduler's SIGTERM to the tool stops its runs' whole process
    groups (launcher and workers), and says how to continue."""
    import signal
    import time
    cfg = _tiny_config(tmp_path, fewshot_root, epochs=1)
    work = tmp_path / 'cmp'
    args = [cfg, '--policies', 'none', 'trivialaugment_wide', '--seeds', '1',
            '--work-dir', str(work), '--parallel', '2']
    driver = _DRIVER.format(tools=osp.join(ROOT, 'tools', 'analysis'),
                            worker=_WORKER, args=args)
    proc = subprocess.Popen([sys.executable, '-c', driver], cwd=ROOT,
                            env=dict(os.environ, PYTHONPATH=ROOT),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    pid_files = [work / 'runs' / label / 'seed_0' / 'worker.pid'
                 for label in ('none', 'trivialaugment_wide')]
    deadline = time.time() + 120
    while not all(p.is_file() and p.read_text() for p in pid_files):
        assert proc.poll() is None, proc.communicate()[0]
        assert time.time() < deadline, 'the runs never started'
        time.sleep(0.2)
    workers = [int(p.read_text()) for p in pid_files]
    try:
        assert all(_alive(pid) for pid in workers)
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 128 + signal.SIGTERM, out
        assert 'stopped 2 run(s); run the same command again' in out
        time.sleep(0.5)
        assert not any(_alive(pid) for pid in workers), \
            'a run outlived the tool'
        assert not any((p.parent / 'result.json').exists()
                       for p in pid_files)
    finally:  # leave no stand-in behind when an assertion fails
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
