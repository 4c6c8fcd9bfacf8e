"""The paper's second finding, small: LARS norms, NormRescale, SGD fine-tune.

Pre-trains the demo MoCo v2+ once with SGD and once with LARS (same data,
same budget), compares their weight norms, rescales the LARS backbone with
the SGD anchor (eq. 3) and with one constant, then fine-tunes all four
backbones with ONE fixed SGD recipe and reports held-out accuracy.
"""
import json
import os
import os.path as osp
from statistics import median_high
from typing import List, Optional

from ..analysis.plotting import figure_png
from ..analysis.weight_norms import layer_norms, norm_ratios, plot_norms
from ..checkpoint.convert import extract_file, normrescale_file, read_backbone
from ..fileio import atomic_write_bytes, atomic_write_text
from .common import epoch_options, last_scalar, run_training

SGD_CFG = 'configs/demo/mocov2plus_r18-w32_mnist.py'
LARS_CFG = 'configs/demo/mocov2plus_r18-w32_mnist_lars.py'
FINETUNE_CFG = 'configs/demo/finetune_r18-w32_mnist.py'


def total_norm(norms) -> float:
    return sum(n * n for _, n in norms)**0.5


def run_normrescale_demo(work_dir: str = 'work_dirs/normrescale_demo',
                         epochs: int = 15,
                         finetune_epochs: Optional[int] = None) -> List[dict]:
    """Run the whole comparison; print and save a table and a plot."""
    os.makedirs(work_dir, exist_ok=True)
    opts = epoch_options(epochs)
    ckpts = {}
    for name, cfg in (('SGD', SGD_CFG), ('LARS', LARS_CFG)):
        print(
            f'[normrescale-demo] pre-training MoCo v2+ with {name} '
            f'({epochs} epochs): {cfg}',
            flush=True)
        ckpts[name] = run_training(cfg, osp.join(work_dir, f'pretrain_{name}'),
                                   opts)

    # Every backbone in the mmdet/mmcls layout, keyed by its label:
    # (file stem, path). Norms are read once per file.
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
    ratios = norm_ratios(norms['SGD'], norms['LARS'])
    median_ratio = median_high(ratios)
    constant = total_norm(norms['SGD']) / total_norm(norms['LARS'])
    print(f'[normrescale-demo] LARS / SGD conv weight norms: median ratio '
          f'{median_ratio:.2f} (min {ratios[0]:.2f}, max {ratios[-1]:.2f});'
          f' constant c = |W_SGD| / |W_LARS| = {constant:.3f}')
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

    fig = plot_norms(
        list(norms.items()),
        log_scale=True,
        title='Conv weight norms: SGD vs LARS pre-training')
    atomic_write_bytes(osp.join(work_dir, 'weight_norms.png'), figure_png(fig))

    rows = []
    for name in ('LARS', *rescaled, 'SGD'):
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
    lines = [
        '| pre-trained backbone | total conv norm | fine-tuned top-1 '
        '(%) |', '| --- | ---: | ---: |'
    ]
    lines += [
        f"| {r['backbone']} | {r['conv_norm']:.1f} | "
        f"{r['top1']:.2f} |" for r in rows
    ]
    table = '\n'.join(lines)
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
    print('\n[normrescale-demo] one SGD fine-tuning recipe for every '
          'backbone (1,000 labelled digits; 1,000 held out):\n')
    print(table)
    print(f'\n[normrescale-demo] weight norms: '
          f'{osp.join(work_dir, "weight_norms.png")}')
    return rows
