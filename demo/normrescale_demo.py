#!/usr/bin/env python
"""The paper's second finding, small (``make normrescale-demo``): LARS
norms, NormRescale, SGD fine-tuning.

Pre-trains the demo MoCo v2+ once with SGD and once with LARS (same data,
same budget), compares their weight norms, rescales the LARS backbone with
the SGD anchor (eq. 3) and with one constant, then fine-tunes all four
backbones with ONE fixed SGD recipe and reports held-out accuracy.
"""
import argparse
import json
import os
import os.path as osp
from statistics import median_high
from typing import Dict, List, Optional, Sequence, Tuple

from airl_mm.analysis.curves import last_scalar
from airl_mm.analysis.plotting import figure_png
from airl_mm.analysis.weight_norms import layer_norms, norm_ratios, plot_norms
from airl_mm.checkpoint.convert import (extract_file, normrescale_file,
                                        read_backbone)
from airl_mm.fileio import atomic_write_bytes, atomic_write_text
from common import demo_epochs, epoch_options, run_training

SGD_CFG = 'configs/demo/mocov2plus_r18-w32_mnist.py'
LARS_CFG = 'configs/demo/mocov2plus_r18-w32_mnist_lars.py'
FINETUNE_CFG = 'configs/demo/finetune_r18-w32_mnist.py'

# {label: (file stem, backbone path)}, every backbone in the mmdet layout
Files = Dict[str, Tuple[str, str]]
# {label: [(layer name, norm)]}
Norms = Dict[str, list]


def total_norm(norms) -> float:
    """The norm of all ``(name, norm)`` tensors together."""
    return sum(n * n for _, n in norms)**0.5


def pretrain(work_dir: str, epochs: int) -> Dict[str, str]:
    """Pre-train the demo MoCo v2+ with SGD and with LARS for ``epochs``;
    ``{'SGD': checkpoint, 'LARS': checkpoint}``."""
    opts = epoch_options(epochs)
    ckpts = {}
    for name, cfg in (('SGD', SGD_CFG), ('LARS', LARS_CFG)):
        print(
            f'[normrescale-demo] pre-training MoCo v2+ with {name} '
            f'({epochs} epochs): {cfg}',
            flush=True)
        ckpts[name] = run_training(cfg, osp.join(work_dir, f'pretrain_{name}'),
                                   opts)
    return ckpts


def extract_backbones(ckpts: Dict[str, str],
                      work_dir: str) -> Tuple[Files, Norms]:
    """The two pre-trained backbones in the mmdet layout
    (``<work_dir>/{sgd,lars}_backbone.pth``) and their conv weight norms
    (read once per file)."""
    files = {}
    for name in ('SGD', 'LARS'):
        stem = name.lower()
        files[name] = (stem, osp.join(work_dir, f'{stem}_backbone.pth'))
        extract_file(
            ckpts[name],
            files[name][1],
            'mmdet',
            force=True,
            log=lambda s: None)
    norms = {
        name: layer_norms(read_backbone(path).state_dict, 'conv')
        for name, (_, path) in files.items()
    }
    return files, norms


def compare_norms(norms: Norms) -> Tuple[float, float]:
    """Print how the LARS norms compare with the SGD ones; return the
    median per-layer ratio and the constant ``|W_SGD| / |W_LARS|``."""
    ratios = norm_ratios(norms['SGD'], norms['LARS'])
    median_ratio = median_high(ratios)
    constant = total_norm(norms['SGD']) / total_norm(norms['LARS'])
    print(f'[normrescale-demo] LARS / SGD conv weight norms: median ratio '
          f'{median_ratio:.2f} (min {ratios[0]:.2f}, max {ratios[-1]:.2f});'
          f' constant c = |W_SGD| / |W_LARS| = {constant:.3f}')
    return median_ratio, constant


def rescale(ckpts: Dict[str, str], constant: float, work_dir: str,
            files: Files, norms: Norms) -> List[str]:
    """Rescale the LARS backbone to the SGD anchor's norms (NormRescale)
    and by ``constant``; add both to ``files`` and ``norms`` in place and
    return their labels."""
    rescaled = {
        'LARS + NormRescale':
        ('lars_normrescale', dict(anchor_path=ckpts['SGD'])),
        f'LARS x {constant:.3f}': ('lars_constant', dict(constant=constant)),
    }
    for name, (stem, how) in rescaled.items():
        files[name] = (stem, osp.join(work_dir, f'{stem}.pth'))
        normrescale_file(
            ckpts['LARS'],
            files[name][1],
            force=True,
            log=lambda s: None,
            **how)
        norms[name] = layer_norms(
            read_backbone(files[name][1]).state_dict, 'conv')
    return list(rescaled)


def plot_weight_norms(norms: Norms, work_dir: str) -> None:
    """``<work_dir>/weight_norms.png``: every backbone's conv norms."""
    fig = plot_norms(
        list(norms.items()),
        log_scale=True,
        title='Conv weight norms: SGD vs LARS pre-training')
    atomic_write_bytes(osp.join(work_dir, 'weight_norms.png'), figure_png(fig))


def finetune(names: Sequence[str], files: Files, norms: Norms, work_dir: str,
             finetune_epochs: Optional[int]) -> List[dict]:
    """Fine-tune each backbone with the fixed SGD recipe
    (``<work_dir>/finetune_<stem>``); one row each: total conv norm and the
    last logged top-1."""
    rows = []
    for name in names:
        stem, path = files[name]
        run_dir = osp.join(work_dir, f'finetune_{stem}')
        ft_opts = [f'model.backbone.init_cfg.checkpoint={path}']
        if finetune_epochs:
            ft_opts += [
                f'train_cfg.max_epochs={finetune_epochs}',
                f'train_cfg.val_interval={finetune_epochs}'
            ]
        print(
            f'[normrescale-demo] fine-tuning ({name}) with the fixed SGD '
            'recipe',
            flush=True)
        run_training(FINETUNE_CFG, run_dir, ft_opts, checkpoint=False)
        rows.append(
            dict(
                backbone=name,
                conv_norm=total_norm(norms[name]),
                top1=last_scalar(run_dir, 'accuracy/top1')))
    return rows


def format_table(rows: List[dict]) -> str:
    """The demo's Markdown table."""
    lines = [
        '| pre-trained backbone | total conv norm | fine-tuned top-1 '
        '(%) |', '| --- | ---: | ---: |'
    ]
    lines += [
        f"| {r['backbone']} | {r['conv_norm']:.1f} | "
        f"{r['top1']:.2f} |" for r in rows
    ]
    return '\n'.join(lines)


def write_results(rows: List[dict], median_ratio: float, constant: float,
                  epochs: int, work_dir: str) -> str:
    """Save ``results.md`` and ``results.json`` under ``work_dir``; return
    the table."""
    table = format_table(rows)
    atomic_write_text(osp.join(work_dir, 'results.md'), table + '\n')
    atomic_write_text(
        osp.join(work_dir, 'results.json'),
        json.dumps(
            dict(
                rows=rows,
                median_norm_ratio=median_ratio,
                constant=constant,
                pretrain_epochs=epochs),
            indent=2) + '\n')
    return table


def run_normrescale_demo(work_dir: str = 'work_dirs/normrescale_demo',
                         epochs: int = 15,
                         finetune_epochs: Optional[int] = None) -> List[dict]:
    """Run the whole comparison; print and save a table and a plot.

    Args:
        work_dir (str): Runs, backbones, ``weight_norms.png``,
            ``results.md`` and ``results.json``.
        epochs (int): Pre-training epochs of both optimisers (>= 2).
        finetune_epochs (int, optional): Override the fine-tuning epochs.

    Returns:
        list[dict]: One row per fine-tuned backbone.

    Raises:
        ValueError: ``epochs`` < 2.
    """
    os.makedirs(work_dir, exist_ok=True)
    ckpts = pretrain(work_dir, epochs)
    files, norms = extract_backbones(ckpts, work_dir)
    median_ratio, constant = compare_norms(norms)
    rescaled = rescale(ckpts, constant, work_dir, files, norms)
    plot_weight_norms(norms, work_dir)
    rows = finetune(('LARS', *rescaled, 'SGD'), files, norms, work_dir,
                    finetune_epochs)
    table = write_results(rows, median_ratio, constant, epochs, work_dir)
    print('\n[normrescale-demo] one SGD fine-tuning recipe for every '
          'backbone (1,000 labelled digits; 1,000 held out):\n')
    print(table)
    print(f'\n[normrescale-demo] weight norms: '
          f'{osp.join(work_dir, "weight_norms.png")}')
    return rows


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('--work-dir', default='work_dirs/normrescale_demo')
    p.add_argument(
        '--epochs',
        type=demo_epochs,
        default=15,
        help='pre-training epochs (both optimisers)')
    p.add_argument(
        '--finetune-epochs',
        type=int,
        help='override the fine-tuning epochs (default: config)')
    return p.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    run_normrescale_demo(args.work_dir, args.epochs, args.finetune_epochs)


if __name__ == '__main__':
    main()
