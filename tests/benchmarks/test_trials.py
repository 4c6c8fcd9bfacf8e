"""Repeated fine-tuning (``--seeds`` / ``--trials``): one seeded run per
seed in its own work dir, mean / sample std / n in the top metrics.json,
failed trials reported, and the collector's ``mean ± std (n)`` cells."""
import json
import math
import os.path as osp
import statistics

import pytest
from tool_loader import load_tool

from airl_mm.analysis.tables import build_table, find_records
from airl_mm.benchmarks import launcher
from airl_mm.benchmarks.launcher import (BenchmarkError, parse_seeds,
                                         run_trials, summarize_trials)

from .test_transfer_configs import VOC07
from .tiny_data import tiny_options


@pytest.mark.parametrize('seeds,trials,expected',
                         [('0,1,2,3,4', None, [0, 1, 2, 3, 4]),
                          (' 7, 3 ', None, [7, 3]), (None, 3, [0, 1, 2]),
                          (None, None, None)])
def test_parse_seeds(seeds, trials, expected):
    assert parse_seeds(seeds, trials) == expected


@pytest.mark.parametrize('seeds,trials,match',
                         [('0,a', None, "'a' is not a non-negative integer"),
                          ('0,-1', None, "'-1' is not"),
                          ('1,1', None, 'repeated'), ('0', 2, 'not both'),
                          (None, 0, '--trials 0')])
def test_parse_seeds_refuses(seeds, trials, match):
    with pytest.raises(BenchmarkError, match=match):
        parse_seeds(seeds, trials)


def test_summarize_trials_sample_std():
    values = [{'a': 1.0, 'b': 2.0}, {'a': 2.0, 'b': 4.0}, {'a': 4.5}]
    out = summarize_trials(values)
    assert out['n'] == {'a': 3, 'b': 2}
    assert out['mean']['a'] == pytest.approx(statistics.mean([1, 2, 4.5]))
    assert out['std']['a'] == pytest.approx(statistics.stdev([1, 2, 4.5]))
    assert out['std']['b'] == pytest.approx(math.sqrt(2))  # ddof=1
    assert summarize_trials([{'a': 3.0}])['std'] == {'a': None}


def _fake_run(fail_seeds=()):
    """A stand-in for run_benchmark: writes a finished (AP50 = seed / 10)
    or failed metrics.json and records its arguments."""
    calls = []

    def run(config, pretrain, work_dir, branch, normrescale, launcher_,
            cfg_options, seed):
        calls.append((work_dir, cfg_options, seed))
        rec = dict(
            benchmark='b',
            pretrain=pretrain,
            seed=seed,
            status='failed' if seed in fail_seeds else 'finished',
            metrics={} if seed in fail_seeds else {
                'pascal_voc/AP50': seed / 10,
                'pascal_voc/mAP': 0.5
            },
            error='RuntimeError: diverged' if seed in fail_seeds else None)
        launcher.os.makedirs(work_dir, exist_ok=True)
        launcher._write_record(work_dir, rec)
        if seed in fail_seeds:
            raise RuntimeError('diverged')
        return work_dir

    return run, calls


def test_trials_aggregate(monkeypatch, tmp_path):
    run, calls = _fake_run()
    monkeypatch.setattr(launcher, 'run_benchmark', run)
    out = run_trials(
        'x/voc07.py',
        'ckpt.pth', [0, 3, 8],
        str(tmp_path),
        cfg_options={'train_cfg.max_iters': 2})
    assert out == str(tmp_path)
    assert [c[0] for c in calls
            ] == [str(tmp_path / f'seed_{s}') for s in (0, 3, 8)]
    assert [c[2] for c in calls] == [0, 3, 8]
    assert all(c[1] == {'train_cfg.max_iters': 2} for c in calls)
    rec = json.loads((tmp_path / 'metrics.json').read_text())
    assert rec['status'] == 'finished' and rec['error'] is None
    assert rec['seeds'] == [0, 3, 8] and rec['std_ddof'] == 1
    assert [t['metrics']['pascal_voc/AP50'] for t in rec['trials']] == \
        [0.0, 0.3, 0.8]
    assert rec['n'] == {'pascal_voc/AP50': 3, 'pascal_voc/mAP': 3}
    assert rec['mean']['pascal_voc/AP50'] == pytest.approx(1.1 / 3)
    assert rec['std']['pascal_voc/AP50'] == pytest.approx(
        statistics.stdev([0.0, 0.3, 0.8]))
    assert rec['std']['pascal_voc/mAP'] == 0.0
    assert rec['metrics'] == rec['mean']


def test_failed_trial_is_reported_not_averaged(monkeypatch, tmp_path):
    run, calls = _fake_run(fail_seeds=(1, ))
    monkeypatch.setattr(launcher, 'run_benchmark', run)
    with pytest.raises(BenchmarkError, match=r'1 of 3 trials failed.*\[1\]'):
        run_trials('x/voc07.py', 'ckpt.pth', [0, 1, 2], str(tmp_path))
    assert len(calls) == 3  # the other seeds still ran
    rec = json.loads((tmp_path / 'metrics.json').read_text())
    assert rec['status'] == 'failed' and 'seeds [1]' in rec['error']
    assert [t['status']
            for t in rec['trials']] == ['finished', 'failed', 'finished']
    assert rec['trials'][1]['error'] == 'RuntimeError: diverged'
    assert rec['n']['pascal_voc/AP50'] == 2
    assert rec['mean']['pascal_voc/AP50'] == pytest.approx(0.1)
    # the collector shows the failure, not the mean of the others
    rows, cols, cells = build_table(find_records([str(tmp_path)])[0])
    assert cells[rows[0], 'VOC07 AP50'].text() == 'failed'


def test_seed_option_conflict_refused(tmp_path):
    with pytest.raises(BenchmarkError, match='randomness.seed.*--seeds'):
        run_trials(
            str(VOC07),
            'ckpt.pth', [0, 1],
            str(tmp_path),
            cfg_options={'randomness.seed': 3})


def test_cli_dispatch(monkeypatch, tmp_path):
    cli = load_tool('benchmarks/train_benchmark.py')
    got = {}

    def record(kind):

        def run(*args):
            got[kind] = args
            return str(tmp_path)

        return run

    monkeypatch.setattr(cli, 'run_trials', record('trials'))
    monkeypatch.setattr(cli, 'run_benchmark', record('single'))
    cli.main(['c.py', 'p.pth', '--trials', '3', '--work-dir', str(tmp_path)])
    assert got.pop('trials')[2] == [0, 1, 2]
    cli.main(['c.py', 'p.pth', '--seeds', '4,2'])
    assert got.pop('trials')[2] == [4, 2]
    cli.main(['c.py', 'p.pth'])
    assert 'single' in got and not got.get('trials')
    with pytest.raises(SystemExit):
        cli.main(['c.py', 'p.pth', '--seeds', '0', '--trials', '2'])
    with pytest.raises(SystemExit):
        cli.main(['c.py', 'p.pth', '--seeds', '0,x'])


def test_collector_shows_mean_std_n(tmp_path):
    """The aggregate stands for its trials: one cell, mean ± std (n)."""
    top = tmp_path / 'moco' / 'faster-rcnn_r50-c4_9k_voc07'
    values = [0.52, 0.55]
    for s, v in enumerate(values):
        (top / f'seed_{s}').mkdir(parents=True)
        (top / f'seed_{s}' / 'metrics.json').write_text(
            json.dumps(
                dict(
                    benchmark=VOC07.stem,
                    pretrain='moco.pth',
                    seed=s,
                    status='finished',
                    metrics={'pascal_voc/AP50': v})))
    stats = summarize_trials([{'pascal_voc/AP50': v} for v in values])
    (top / 'metrics.json').write_text(
        json.dumps(
            dict(
                benchmark=VOC07.stem,
                pretrain='moco.pth',
                status='finished',
                seeds=[0, 1],
                metrics=stats['mean'],
                **stats)))
    records, _ = find_records([str(tmp_path)])
    assert [r.path for r in records] == [str(top / 'metrics.json')]
    rows, cols, cells = build_table(records)
    std = 100 * statistics.stdev(values)
    assert cells['moco', 'VOC07 AP50'].text() == f'53.5 ± {std:.1f} (n=2)'
    assert cells['moco', 'VOC07 AP50'].text(2) == '53.50 ± 2.12 (n=2)'


@pytest.mark.slow
def test_seeds_on_tiny_voc(r50_pretrain, tiny_voc, tmp_path):
    """``--seeds 0,1``: two seeded fine-tunings, each in its own work dir
    with its own seed, and their mean and sample std in the top file."""
    opts = tiny_options(str(VOC07), str(tiny_voc), iters=1)
    out = run_trials(
        str(VOC07), str(r50_pretrain), [0, 1], str(tmp_path), cfg_options=opts)
    assert out == str(tmp_path)
    top = json.loads((tmp_path / 'metrics.json').read_text())
    assert top['status'] == 'finished' and top['seeds'] == [0, 1]
    runs, losses = [], []
    for seed in (0, 1):
        work = tmp_path / f'seed_{seed}'
        rec = json.loads((work / 'metrics.json').read_text())
        assert rec['status'] == 'finished' and rec['seed'] == seed
        assert (work / 'backbone_student.pth').is_file()
        # the Runner's own record of the run: its seed and its log
        dumped = (work / f'{VOC07.stem}.py').read_text()
        assert f'seed={seed}' in dumped.replace(' ', '')
        assert len(list(work.glob('*/*.log'))) == 1
        # its scalars in its own dir (not in the first trial's)
        scalars = list(work.glob('*/vis_data/scalars.json'))
        assert len(scalars) == 1
        assert len(list(work.glob('*/vis_data/2*.json'))) == 1
        losses.append(json.loads(scalars[0].read_text().splitlines()[0]))
        runs.append(rec['metrics'])
    # the seeds took effect: other initial heads and batches, other loss
    assert losses[0]['loss'] != losses[1]['loss']
    assert top['trials'][0]['metrics'] == runs[0]
    assert top['trials'][1]['metrics'] == runs[1]
    for key in ('pascal_voc/AP50', 'pascal_voc/mAP', 'pascal_voc/AP75'):
        xs = [r[key] for r in runs]
        assert top['n'][key] == 2
        assert top['mean'][key] == pytest.approx(statistics.mean(xs))
        assert top['std'][key] == pytest.approx(statistics.stdev(xs))
        assert top['metrics'][key] == top['mean'][key]


def test_default_work_dirs_of_two_runs_last_checkpoints_differ():
    """Every run's last checkpoint is epoch_<N>.pth: their benchmarks get
    the run folder in their work dir (Tab. 6 evaluates nine such files)."""
    from airl_mm.benchmarks.launcher import default_work_dir
    cfg = 'configs/benchmarks/mmdet/faster-rcnn_r50-c4_9k_voc07.py'
    a = default_work_dir(cfg, 'work_dirs/mocov2plus_r50_100e/epoch_100.pth')
    b = default_work_dir(cfg, 'work_dirs/byol_r50_100e_sgd/epoch_100.pth')
    assert a == osp.join('work_dirs', 'benchmarks', 'mocov2plus_r50_100e',
                         'epoch_100', 'faster-rcnn_r50-c4_9k_voc07')
    assert a != b
    # a named file keeps its stem
    assert default_work_dir(cfg, 'ckpts/mocov2plus_backbone.pth') == osp.join(
        'work_dirs', 'benchmarks', 'mocov2plus_backbone',
        'faster-rcnn_r50-c4_9k_voc07')
