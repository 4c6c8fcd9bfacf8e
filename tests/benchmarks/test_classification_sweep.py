"""tools/benchmarks/sweep.py: a benchmark over a run's checkpoints (Fig. 7),
skipping finished ones, recording failures, resuming."""
import glob
import json
import os
import subprocess

import pytest
from benchmark_builders import (classification_overrides, resnet50_state,
                                save_mocov2plus_checkpoint)
from tool_loader import load_tool

from airl_mm.benchmarks.sweep import (default_sweep_dir, find_checkpoints,
                                      plan_sweep)

sweep_tool = load_tool('benchmarks/sweep.py')
LINEAR = 'configs/benchmarks/classification/linear_r50_sgd-steplr-100e_in1k.py'


def metrics(work_dir):
    with open(os.path.join(work_dir, 'metrics.json')) as f:
        return json.load(f)


def test_find_and_plan(tmp_path):
    run = tmp_path / 'mocov2plus_r50_200e'
    run.mkdir()
    with pytest.raises(ValueError, match='no intermediate checkpoints'):
        find_checkpoints(str(run))
    for n in (10, 2, 30, 20):
        (run / f'epoch_{n}.pth').write_bytes(b'')
    (run / 'last_checkpoint').write_text('x')
    assert [s for _, s, _ in find_checkpoints(str(run))] == [2, 10, 20, 30]
    plan = plan_sweep(str(run), LINEAR, str(tmp_path / 'out'), every=2)
    assert [it.step for it in plan] == [2, 20, 30]  # the last one always
    done = tmp_path / 'out' / 'epoch_20'
    done.mkdir(parents=True)
    (done / 'metrics.json').write_text(json.dumps({'status': 'finished'}))
    (tmp_path / 'out' / 'epoch_2').mkdir()
    (tmp_path / 'out' / 'epoch_2' / 'metrics.json').write_text(
        json.dumps({'status': 'failed'}))
    assert [(it.step, it.status)
            for it in plan_sweep(str(run), LINEAR, str(tmp_path / 'out'))
            ] == [(2, 'pending'), (10, 'pending'), (20, 'skipped'),
                  (30, 'pending')]
    with pytest.raises(ValueError, match=r'no checkpoint for step\(s\) \[5\]'):
        plan_sweep(str(run), LINEAR, steps=[5])
    assert default_sweep_dir(str(run) + '/', LINEAR).endswith(
        'sweeps/mocov2plus_r50_200e/linear_r50_sgd-steplr-100e_in1k')
    (run / 'iter_5.pth').write_bytes(b'')
    with pytest.raises(ValueError, match='both'):
        find_checkpoints(str(run))


@pytest.mark.slow
def test_sweep_skips_finished_and_resumes(tmp_path, tiny_imagenet, repo_root,
                                          capsys):
    run = tmp_path / 'run'
    run.mkdir()
    for epoch in (1, 2):
        save_mocov2plus_checkpoint(run / f'epoch_{epoch}.pth',
                                   resnet50_state(seed=epoch))
    opts = classification_overrides('imagenet', tiny_imagenet)
    args = [
        str(run),
        str(repo_root / LINEAR), '--out',
        str(tmp_path / 'sw'), '--cfg-options'
    ] + [f'{k}={v}' for k, v in opts.items()]
    # an interrupted sweep: only epoch 1 got evaluated
    assert sweep_tool.main(args[:2] + ['--steps', '1'] + args[2:]) == 0
    first = metrics(tmp_path / 'sw' / 'epoch_1')
    assert first['status'] == 'finished'
    assert first['pretrain'] == str(run / 'epoch_1.pth')
    assert 0 <= first['metrics']['accuracy/top1'] <= 100
    mtime = os.path.getmtime(tmp_path / 'sw' / 'epoch_1' / 'metrics.json')
    # a broken checkpoint fails alone, and is reported
    (run / 'epoch_3.pth').write_bytes(b'not a checkpoint')
    assert sweep_tool.main(args) == 1
    out = capsys.readouterr()
    assert 'epoch       1: skipped' in out.out
    assert 'epoch       2: finished' in out.out
    assert 'epoch       3: failed' in out.out
    assert 'run the same command again' in out.err
    # epoch 1 was not evaluated again; epoch 2 was, with its own weights
    assert os.path.getmtime(tmp_path / 'sw' / 'epoch_1' /
                            'metrics.json') == mtime
    assert metrics(tmp_path / 'sw' / 'epoch_2')['status'] == 'finished'
    failed = metrics(tmp_path / 'sw' / 'epoch_3')
    assert failed['status'] == 'failed' and 'epoch_3.pth' in failed['error']
    # the finished ones are skipped on the next try
    plan = plan_sweep(str(run), LINEAR, str(tmp_path / 'sw'))
    assert [it.status for it in plan] == ['skipped', 'skipped', 'pending']


def test_cli_errors(tmp_path, capsys):
    assert sweep_tool.main([str(tmp_path / 'nope'), LINEAR]) == 2
    assert 'pre-training work dir not found' in capsys.readouterr().err


@pytest.mark.slow
def test_dist_sweep_runs_each_checkpoint_on_two_processes(
        tmp_path, tiny_imagenet, repo_root, subprocess_env):
    """The Fig. 7 command as docs/appendix.md gives it (2 CPU processes,
    gloo): every kept checkpoint evaluated once, by both processes."""
    run = tmp_path / 'mocov2plus_r50_300e'
    run.mkdir()
    for epoch in (50, 100):
        save_mocov2plus_checkpoint(run / f'epoch_{epoch}.pth',
                                   resnet50_state(seed=epoch))
    opts = classification_overrides('imagenet', tiny_imagenet)
    out = subprocess.run(
        [
            'bash',
            str(repo_root / 'tools/benchmarks/dist_sweep.sh'),
            str(run),
            str(repo_root / LINEAR), '2', '--out',
            str(tmp_path / 'sw'), '--cfg-options'
        ] + [f'{k}={v}' for k, v in opts.items()],
        env=dict(subprocess_env, PORT='29613'),
        capture_output=True,
        text=True,
        timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    for epoch in (50, 100):
        work = tmp_path / 'sw' / f'epoch_{epoch}'
        rec = metrics(work)
        assert rec['status'] == 'finished'
        assert rec['pretrain'] == str(run / f'epoch_{epoch}.pth')
        assert 0 <= rec['metrics']['accuracy/top1'] <= 100
        log = open(glob.glob(str(work / '*' / '*.log'))[0]).read()
        assert 'Distributed launcher: pytorch' in log
        assert 'GPU number: 2' in log
