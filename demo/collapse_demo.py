#!/usr/bin/env python
"""The collapse demo (BYOL appendix, ``make collapse-demo``) on the embedded
MNIST digits.

BYOL with a GroupNorm ResNet-18 under SGD, (1) with BN in the MLPs, (2) with
no BN anywhere, (3) with no BN and LARS on layer1 + layer2 only. Each config
is trained in its own process with the diagnostics hooks on; their scalar
logs give the curves (collapse metrics, per-layer LARS rate, online kNN)
and a table of the last values.
"""
import argparse
import json
import os
import os.path as osp
import time
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from airl_mm.analysis.curves import load_curves, plot_curves, read_scalars
from airl_mm.fileio import atomic_write_text
from common import run_training

DEMO_DIR = 'configs/byol_collapse/mnist_demo'
DEMO_CONFIGS = {
    'GN encoder, MLPs with BN, SGD':
    f'{DEMO_DIR}/byol_r18-w32-gn_mlp-bn_sgd-lr0.2_mnist.py',
    'no BN anywhere, SGD':
    f'{DEMO_DIR}/byol_r18-w32-gn_mlp-none_sgd-lr0.2_mnist.py',
    'no BN anywhere, LARS on layer1+2':
    f'{DEMO_DIR}/byol_r18-w32-gn_mlp-none_lars-layer1-2-lr0.2_mnist.py',
}
PLOT_KEYS = ('loss', 'z_std_ratio', 'neg_cos', 'rank', 'lr/layer1', 'knn_top1')
TABLE_KEYS = ('loss', 'z_std_ratio', 'pos_cos', 'neg_cos', 'rank',
              'teacher_z_std_ratio')


def schedule_options(epochs: int) -> List[str]:
    """``--cfg-options`` shortening a demo config (one cosine phase).

    Raises:
        ValueError: ``epochs`` < 1.
    """
    if epochs < 1:
        raise ValueError(f'epochs must be at least 1, got {epochs}')
    return [
        f'train_cfg.max_epochs={epochs}', f'param_scheduler.0.T_max={epochs}',
        f'param_scheduler.0.end={epochs}'
    ]


def summarise(records: List[dict]) -> Dict[str, Optional[float]]:
    """Last logged value of each table key, the median and largest layer1
    rate relative to the schedule's lr (LARS' local factor, 1 without
    LARS), and the first and last online kNN top-1."""

    def values(key):
        return [r[key] for r in records if key in r]

    row: Dict[str, Optional[float]] = {
        k: (values(k) or [None])[-1]
        for k in TABLE_KEYS
    }
    ratios = [
        r['lr/layer1'] / r['lr'] for r in records
        if 'lr/layer1' in r and r.get('lr')
    ]
    row['layer1_factor_median'] = (
        float(np.median(ratios)) if ratios else None)
    row['layer1_factor_max'] = max(ratios) if ratios else None
    knn = values('knn_top1')
    row['knn_first'] = knn[0] if knn else None
    row['knn_last'] = knn[-1] if knn else None
    return row


def format_table(rows: List[dict]) -> str:
    """The demo's Markdown table."""

    def f(v, spec):
        return '-' if v is None else format(v, spec)

    lines = [
        '| run | minutes | loss | z_std x sqrt(d) | pos cos | neg cos | '
        'RankMe | teacher z_std x sqrt(d) | layer1 rate / lr (median, max) '
        '| kNN top-1 % (start -> end) |', '| --- |' + ' ---: |' * 9
    ]
    for r in rows:
        lines.append(
            f"| {r['run']} | {r['minutes']:.1f} | {f(r['loss'], '.3f')} | "
            f"{f(r['z_std_ratio'], '.3f')} | {f(r['pos_cos'], '.3f')} | "
            f"{f(r['neg_cos'], '.3f')} | {f(r['rank'], '.1f')} | "
            f"{f(r['teacher_z_std_ratio'], '.3f')} | "
            f"{f(r['layer1_factor_median'], '.3g')}, "
            f"{f(r['layer1_factor_max'], '.3g')} | "
            f"{f(r['knn_first'], '.1f')} -> {f(r['knn_last'], '.1f')} |")
    return '\n'.join(lines)


def train_run(label: str, config: str, work_dir: str,
              opts: Sequence[str]) -> Tuple[dict, str]:
    """Train ``config`` in ``<work_dir>/<config name>`` with the diagnostics
    hooks on.

    Returns:
        tuple: ``(row, run_dir)``: the table row (label, config, minutes and
        :func:`summarise` of the run's scalar log) and the run's work dir.
    """
    run_dir = osp.join(work_dir, osp.splitext(osp.basename(config))[0])
    print(f'[collapse-demo] {label}: {config} -> {run_dir}', flush=True)
    t0 = time.time()
    run_training(config, run_dir, opts, checkpoint=False)
    row = dict(run=label, config=config, minutes=(time.time() - t0) / 60)
    row.update(summarise(read_scalars(run_dir)))
    return row, run_dir


def plot_runs(run_dirs: List[str], labels: List[str], work_dir: str) -> str:
    """``<work_dir>/collapse_curves.png``: :data:`PLOT_KEYS` of every run;
    returns its path."""
    runs = load_curves(run_dirs, PLOT_KEYS, labels=labels)
    plot = osp.join(work_dir, 'collapse_curves.png')
    plot_curves(
        runs,
        PLOT_KEYS,
        plot,
        title='BYOL, GroupNorm ResNet-18, MNIST digits (CPU)')
    return plot


def write_results(rows: List[dict], work_dir: str) -> str:
    """Save ``results.md`` and ``results.json`` under ``work_dir``; return
    the table."""
    table = format_table(rows)
    atomic_write_text(osp.join(work_dir, 'results.md'), table + '\n')
    atomic_write_text(
        osp.join(work_dir, 'results.json'),
        json.dumps(rows, indent=2) + '\n')
    return table


def run_collapse_demo(work_dir: str = 'work_dirs/collapse_demo',
                      epochs: Optional[int] = None,
                      configs: Optional[Dict[str, str]] = None) -> List[dict]:
    """Train each demo config, then plot and tabulate its diagnostics.

    Args:
        work_dir (str): One sub-folder per run, plus
            ``collapse_curves.png``, ``results.md`` and ``results.json``.
        epochs (int, optional): Override the configs' epochs.
        configs (dict, optional): ``{label: config}``; the three demo runs
            by default.

    Returns:
        list[dict]: One row per run (the table's values).

    Raises:
        ValueError: ``epochs`` < 1.
    """
    configs = dict(configs or DEMO_CONFIGS)
    opts = schedule_options(epochs) if epochs else []
    os.makedirs(work_dir, exist_ok=True)
    rows, run_dirs = [], []
    for label, config in configs.items():
        row, run_dir = train_run(label, config, work_dir, opts)
        rows.append(row)
        run_dirs.append(run_dir)
    plot = plot_runs(run_dirs, list(configs), work_dir)
    table = write_results(rows, work_dir)
    total = sum(r['minutes'] for r in rows)
    print(f'\n[collapse-demo] last logged values ({total:.1f} min in '
          f'all):\n\n{table}\n\n[collapse-demo] curves: {plot}')
    return rows


def epochs_type(text: str) -> int:
    """``argparse`` type of ``--epochs`` (at least 1)."""
    epochs = int(text)
    if epochs < 1:
        raise argparse.ArgumentTypeError(f'--epochs must be >= 1, got {text}')
    return epochs


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description='The BYOL collapse demo on the embedded MNIST digits: '
        'GN ResNet-18 BYOL with BN in the MLPs vs no BN vs no BN + LARS on '
        'layer1+2; collapse metrics, layer-wise LARS rate and online kNN.')
    p.add_argument('--work-dir', default='work_dirs/collapse_demo')
    p.add_argument(
        '--epochs',
        type=epochs_type,
        help="override the configs' epochs (quick look)")
    return p.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    run_collapse_demo(args.work_dir, args.epochs)


if __name__ == '__main__':
    main()
