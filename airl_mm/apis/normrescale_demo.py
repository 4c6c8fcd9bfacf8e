"""The paper's second finding, small: LARS norms, NormRescale, SGD fine-tune.

Pre-trains the demo MoCo v2+ once with SGD and once with LARS (same data,
same budget), compares their weight norms, rescales the LARS backbone with
the SGD anchor (eq. 3) and with one constant, then fine-tunes all four
backbones with ONE fixed SGD recipe and reports held-out accuracy.
"""
import json
import os
import os.path as osp
from typing import List, Optional

from ..analysis.plotting import figure_png
from ..analysis.weight_norms import layer_norms, plot_norms
from ..checkpoint.convert import extract_file, normrescale_file, read_backbone
from ..fileio import atomic_write_bytes, atomic_write_text
from .demo import ROOT, epoch_options, run_training

SGD_CFG = 'configs/demo/mocov2plus_r18-w32_mnist.py'
LARS_CFG = 'configs/demo/mocov2plus_r18-w32_mnist_lars.py'
FINETUNE_CFG = 'configs/demo/finetune_r18-w32_mnist.py'


def last_scalar(work_dir: str, key: str) -> Optional[float]:
    """The last value of ``key`` in the run's ``vis_data/scalars.json``."""
    value = None
    for root, _, files in os.walk(work_dir):
        if 'scalars.json' in files and root.endswith('vis_data'):
            with open(osp.join(root, 'scalars.json')) as f:
                for line in f:
                    rec = json.loads(line)
                    if key in rec:
                        value = rec[key]
    return value


def total_norm(norms) -> float:
    return sum(n * n for _, n in norms)**0.5


def run_normrescale_demo(work_dir: str = 'work_dirs/normrescale_demo',
                         epochs: int = 15,
                         finetune_epochs: Optional[int] = None) -> List[dict]:
    """Run the whole comparison; print and save a table and two plots."""
    os.makedirs(work_dir, exist_ok=True)
    opts = epoch_options(epochs)
    ckpts = {}
    for name, cfg in (('SGD', SGD_CFG), ('LARS', LARS_CFG)):
        print(f'[normrescale-demo] pre-training MoCo v2+ with {name} '
              f'({epochs} epochs): {cfg}', flush=True)
        ckpts[name] = run_training(osp.join(ROOT, cfg),
                                   osp.join(work_dir, f'pretrain_{name}'),
                                   opts)

    # Backbones for fine-tuning, all in the mmdet/mmcls layout.
    files = {}
    for name in ('SGD', 'LARS'):
        files[name] = osp.join(work_dir, f'{name.lower()}_backbone.pth')
        extract_file(ckpts[name], files[name], 'mmdet', force=True,
                     log=lambda s: None)
    sgd = layer_norms(read_backbone(ckpts['SGD']).state_dict, 'conv')
    lars = layer_norms(read_backbone(ckpts['LARS']).state_dict, 'conv')
    ratios = sorted(b / a for (_, a), (_, b) in zip(sgd, lars))
    median_ratio = ratios[len(ratios) // 2]
    constant = total_norm(sgd) / total_norm(lars)
    print(f'[normrescale-demo] LARS / SGD conv weight norms: median ratio '
          f'{median_ratio:.2f} (min {ratios[0]:.2f}, max {ratios[-1]:.2f});'
          f' constant c = |W_SGD| / |W_LARS| = {constant:.3f}')
    files['LARS + NormRescale'] = osp.join(work_dir, 'lars_normrescale.pth')
    normrescale_file(ckpts['LARS'], files['LARS + NormRescale'],
                     anchor_path=ckpts['SGD'], force=True,
                     log=lambda s: None)
    files[f'LARS x {constant:.3f}'] = osp.join(work_dir, 'lars_constant.pth')
    normrescale_file(ckpts['LARS'], files[f'LARS x {constant:.3f}'],
                     constant=constant, force=True, log=lambda s: None)

    series = [(name, layer_norms(read_backbone(path).state_dict, 'conv'))
              for name, path in files.items()]
    fig = plot_norms(series, log_scale=True,
                     title='Conv weight norms: SGD vs LARS pre-training')
    atomic_write_bytes(osp.join(work_dir, 'weight_norms.png'),
                       figure_png(fig))

    rows = []
    for name in ('LARS', 'LARS + NormRescale', f'LARS x {constant:.3f}',
                 'SGD'):
        run_dir = osp.join(work_dir, 'finetune_' + name.split()[0].lower() +
                           ('_nr' if 'Norm' in name else
                            '_const' if ' x ' in name else ''))
        ft_opts = [f'model.backbone.init_cfg.checkpoint={files[name]}']
        if finetune_epochs:
            ft_opts += [f'train_cfg.max_epochs={finetune_epochs}',
                        f'train_cfg.val_interval={finetune_epochs}']
        print(f'[normrescale-demo] fine-tuning ({name}) with the fixed SGD '
              'recipe', flush=True)
        run_training(osp.join(ROOT, FINETUNE_CFG), run_dir, ft_opts,
                     checkpoint=False)
        norms = dict(series)[name]
        rows.append(dict(backbone=name, conv_norm=total_norm(norms),
                         top1=last_scalar(run_dir, 'accuracy/top1')))
    lines = ['| pre-trained backbone | total conv norm | fine-tuned top-1 '
             '(%) |', '| --- | ---: | ---: |']
    lines += [f"| {r['backbone']} | {r['conv_norm']:.1f} | "
              f"{r['top1']:.2f} |" for r in rows]
    table = '\n'.join(lines)
    atomic_write_text(osp.join(work_dir, 'results.md'), table + '\n')
    atomic_write_text(osp.join(work_dir, 'results.json'), json.dumps(
        dict(rows=rows, median_norm_ratio=median_ratio, constant=constant,
             pretrain_epochs=epochs), indent=2) + '\n')
    print('\n[normrescale-demo] one SGD fine-tuning recipe for every '
          'backbone (1,000 labelled digits; 1,000 held out):\n')
    print(table)
    print(f'\n[normrescale-demo] weight norms: '
          f'{osp.join(work_dir, "weight_norms.png")}')
    return rows
