#!/usr/bin/env python
"""The embedded transfer benchmark (``make transfer-demo``): Tab. 3 on a CPU.

Backbones pre-trained on the embedded MNIST digits (``make demo``'s
checkpoints when present) are fine-tuned with THE benchmark configs users
run on VOC and Cityscapes (``configs/benchmarks/mmdet/
faster-rcnn_r50-c4_9k_voc07.py`` and ``configs/benchmarks/mmseg/
deeplabv3_r50-d8_40k_cityscapes-512x1024.py``), shrunk by overrides only:
the demo's backbone (half-width ResNet-18) and the head widths that follow
from it, image size, iterations, 4 images a step, RoI/proposal counts, and
the digit class names. Data:
:func:`airl_mm.datasets.digit_scenes.build_digit_scenes` (VOC and
Cityscapes layouts; test canvases hold only held-out digits).
Everything goes through :func:`airl_mm.benchmarks.run_benchmark`, so the
conversion, NormRescale, weight loading, PreciseBN and metrics are the
real benchmark's.
"""
import argparse
import json
import os
import os.path as osp
import time
from typing import Dict, List, Optional, Sequence

import airl_mm.register  # noqa: F401  (host glue, registries)
from airl_mm.analysis.plotting import figure_png, new_figure
from airl_mm.fileio import atomic_write_bytes, atomic_write_text
from common import config_path, epoch_options, run_training

DET_CONFIG = 'configs/benchmarks/mmdet/faster-rcnn_r50-c4_9k_voc07.py'
SEG_CONFIG = ('configs/benchmarks/mmseg/'
              'deeplabv3_r50-d8_40k_cityscapes-512x1024.py')
SGD_CFG = 'configs/demo/mocov2plus_r18-w32_mnist.py'
PRETRAINED = (
    # (label, pre-training config, the work dir make demo gives it)
    ('MoCo v2', 'configs/demo/mocov2_r18-w32_mnist.py',
     'work_dirs/demo/mocov2_r18-w32_mnist'),
    ('MoCo v2+', SGD_CFG, 'work_dirs/demo/mocov2plus_r18-w32_mnist'),
    # not in make demo (its 10-minute budget): pre-trained here, once
    ('BYOL LARS', 'configs/demo/byol_r18-w32_mnist_lars.py',
     'work_dirs/demo/byol_r18-w32_mnist_lars'),
)
# NormRescale: the LARS run rescaled to the SGD run's per-tensor norms.
LARS_LABEL, ANCHOR_LABEL = 'BYOL LARS', 'MoCo v2+'
RESCALED_LABEL = f'{LARS_LABEL} + NormRescale'
# The demo backbone (configs/demo/*: ResNet-18, 32 stem/base channels).
DEPTH, WIDTH = 18, 32


def common_options(data_root: str) -> dict:
    """Overrides both demo tasks share: the demo backbone, 4 images a step
    at the config's lr (not scaled by 4 / total: in a few hundred steps the
    linearly scaled lr leaves the new heads untrained; measured on MoCo
    v2+, detection, 400 steps: AP50 4.2 vs 15.6), one loader worker, a short
    PreciseBN, no checkpoint, a seed, and where the data is."""
    opts = {
        'model.backbone.depth': DEPTH,
        'model.backbone.stem_channels': WIDTH,
        'model.backbone.base_channels': WIDTH,
        'train_dataloader.batch_size': 4,
        'custom_hooks.0.num_samples': 64,
        'default_hooks.checkpoint.save_last': False,
        'default_hooks.logger.interval': 20,
        'visualizer.vis_backends': [dict(type='LocalVisBackend')],
        # the host configs leave the seed to chance; a demo reruns exactly
        # (unseeded reruns moved AP50 by up to 10 points)
        'randomness.seed': 0,
    }
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        opts[f'{key}.dataset.data_root'] = data_root
        opts[f'{key}.num_workers'] = 1
        opts[f'{key}.persistent_workers'] = False
    return opts


def det_options(voc_root: str, iters: int, size: int = 128) -> dict:
    """Overrides shrinking the VOC07 Faster R-CNN C4 config to the demo."""
    from airl_mm.datasets.digit_scenes import DIGIT_CLASSES
    c3, c4 = WIDTH * 4, WIDTH * 8  # BasicBlock: res4 / res5 channels
    scales = [(1333, s) for s in range(size - 32, size + 33, 16)]
    opts = common_options(voc_root)
    opts.update({
        'model.rpn_head.in_channels': c3,
        'model.rpn_head.feat_channels': c3,
        # digits are 24-56 px: anchors of 16-64 px (the host's start at 32)
        'model.rpn_head.anchor_generator.scales': [1, 2, 4],
        'model.roi_head.bbox_roi_extractor.out_channels': c3,
        'model.roi_head.shared_head.depth': DEPTH,
        'model.roi_head.shared_head.base_channels': WIDTH,
        'model.roi_head.bbox_head.in_channels': c4,
        'model.roi_head.bbox_head.num_classes': len(DIGIT_CLASSES),
        # a few digits per canvas: fewer proposals and RoIs (res5 runs on
        # every sampled RoI: with 512 per image it is 20x the backbone)
        'model.train_cfg.rpn_proposal.nms_pre': 600,
        'model.train_cfg.rpn_proposal.max_per_img': 100,
        'model.train_cfg.rcnn.sampler.num': 16,
        'model.test_cfg.rpn.nms_pre': 300,
        'model.test_cfg.rpn.max_per_img': 50,
        'train_dataloader.dataset.pipeline.2.scales': scales,
    })
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        opts[f'{key}.dataset.metainfo'] = dict(classes=DIGIT_CLASSES)
    for key in ('val_dataloader', 'test_dataloader'):
        opts[f'{key}.dataset.pipeline.1.scale'] = (1333, size)
    opts.update(schedule_options(iters, (6750 / 9000, 8250 / 9000)))
    return opts


def seg_options(city_root: str, iters: int, size: int = 128) -> dict:
    """Overrides shrinking the Cityscapes DeepLab-v3 config to the demo."""
    from airl_mm.datasets.digit_scenes import NUM_SEG_CLASSES
    opts = common_options(city_root)
    opts.update({
        'model.decode_head.in_channels': WIDTH * 8,
        'model.decode_head.channels': 64,
        'model.decode_head.num_classes': NUM_SEG_CLASSES,
        'model.auxiliary_head.in_channels': WIDTH * 4,
        'model.auxiliary_head.channels': 32,
        'model.auxiliary_head.num_classes': NUM_SEG_CLASSES,
        'model.data_preprocessor.size': (size, size),
        'train_dataloader.dataset.pipeline.2.scale': (size, size),
        'train_dataloader.dataset.pipeline.3.crop_size': (size, size),
        'train_cfg.max_iters': iters,
        'param_scheduler.0.end': iters,
    })
    for key in ('val_dataloader', 'test_dataloader'):
        opts[f'{key}.dataset.pipeline.1.scale'] = (size, size)
    return opts


def schedule_options(iters: int,
                     steps=(0.75, 11 / 12),
                     warmup: int = 100,
                     full: int = 9000) -> dict:
    """``max_iters``, warm-up and steps scaled from ``full`` to ``iters``
    iterations (same fractions), with at least 10 warm-up iterations:
    mmengine's ``LinearLR`` with ``end=1`` never leaves its start factor."""
    return {
        'train_cfg.max_iters': iters,
        'param_scheduler.0.end': max(10, iters * warmup // full),
        'param_scheduler.1.end': iters,
        'param_scheduler.1.milestones': [int(iters * f) for f in steps],
    }


def random_backbone(path: str, seed: int = 0) -> str:
    """A randomly initialised demo backbone as a checkpoint (the random
    baseline runs through the same conversion as the others)."""
    import torch
    from mmdet.models.backbones import ResNet
    torch.manual_seed(seed)
    net = ResNet(DEPTH, stem_channels=WIDTH, base_channels=WIDTH)
    net.init_weights()
    from airl_mm.checkpoint import save_checkpoint_file
    save_checkpoint_file(
        {
            'state_dict': {
                f'backbone.{k}': v
                for k, v in net.state_dict().items()
            }
        }, path)
    return path


def last_checkpoint(run_dir: str) -> Optional[str]:
    """The checkpoint named by ``run_dir/last_checkpoint``, if it exists."""
    try:
        with open(osp.join(run_dir, 'last_checkpoint')) as f:
            path = f.read().strip()
    except OSError:
        return None
    return path if osp.isfile(path) else None


def pretrained_backbones(work_dir: str,
                         epochs: Optional[int] = None,
                         labels: Optional[List[str]] = None) -> List[dict]:
    """The pre-trained backbones of ``labels`` (default: all of
    :data:`PRETRAINED`): ``make demo``'s checkpoints where it left them,
    else an earlier run of this demo's (``<work_dir>/pretrain/``), else
    pre-trained now with the config's own schedule (``epochs`` overrides
    it; the configs' 30 epochs are ``make demo``'s, so every row has the
    same budget)."""
    out = []
    for label, config, demo_dir in PRETRAINED:
        if labels is not None and label not in labels:
            continue
        run_dir = osp.join(work_dir, 'pretrain', osp.basename(demo_dir))
        ckpt, note = last_checkpoint(demo_dir), f'reused {demo_dir}'
        if ckpt is None:
            ckpt, note = last_checkpoint(run_dir), f'reused {run_dir}'
        if ckpt is None:
            print(
                f'[transfer-demo] pre-training {label} '
                f"({epochs or 'config'} epochs): {config} -> {run_dir}",
                flush=True)
            t0 = time.time()
            ckpt = run_training(config, run_dir,
                                epoch_options(epochs) if epochs else ())
            note = (f'pre-trained here ({epochs or "config"} epochs, '
                    f'{(time.time() - t0) / 60:.1f} min)')
        out.append(dict(label=label, pretrain=ckpt, note=note))
    return out


def format_table(rows: List[dict]) -> str:
    """Tab.-3-style Markdown table."""
    lines = [
        '| backbone | AP50 | AP | AP75 | mIoU | pre-training |',
        '| --- | ---: | ---: | ---: | ---: | --- |'
    ]
    for r in rows:
        m = r['metrics']
        cells = [m.get(k) for k in ('AP50', 'AP', 'AP75', 'mIoU')]
        lines.append(f"| {r['label']} | " +
                     ' | '.join('-' if v is None else f'{v:.1f}'
                                for v in cells) + f" | {r['note']} |")
    return '\n'.join(lines)


def plot_bars(rows: List[dict], out: str) -> None:
    """Grouped bars: AP50 / AP / AP75 / mIoU per backbone."""
    import numpy as np
    keys = ('AP50', 'AP', 'AP75', 'mIoU')
    fig, ax = new_figure(8, 4)
    width = 0.8 / len(rows)
    x = np.arange(len(keys))
    for i, r in enumerate(rows):
        ax.bar(
            x + i * width, [r['metrics'].get(k, 0.0) for k in keys],
            width,
            label=r['label'])
    ax.set_xticks(x + width * (len(rows) - 1) / 2)
    ax.set_xticklabels(
        ['VOC-digits AP50', 'AP', 'AP75', 'Cityscapes-digits mIoU'])
    ax.set_ylabel('%')
    ax.set_title('Embedded transfer benchmark (fine-tuned on CPU)')
    ax.legend(fontsize=7)
    ax.grid(axis='y', alpha=0.3)
    atomic_write_bytes(out, figure_png(fig))


def read_metrics(det_dir: Optional[str],
                 seg_dir: Optional[str]) -> Dict[str, float]:
    """Tab. 3 columns (in %) from the runs' ``metrics.json``."""
    out = {}
    if det_dir:
        with open(osp.join(det_dir, 'metrics.json')) as f:
            m = json.load(f)['metrics']
        out.update(
            AP50=100 * m['pascal_voc/AP50'],
            AP=100 * m['pascal_voc/mAP'],
            AP75=100 * m['pascal_voc/AP75'])
    if seg_dir:
        with open(osp.join(seg_dir, 'metrics.json')) as f:
            out['mIoU'] = json.load(f)['metrics']['mIoU']  # mmseg: in %
    return out


def build_data(work_dir: str, num_train: int, num_test: int) -> dict:
    """The digit scenes under ``<work_dir>/data`` (VOC and Cityscapes
    layouts): :func:`airl_mm.datasets.digit_scenes.build_digit_scenes`."""
    from airl_mm.datasets.digit_scenes import build_digit_scenes
    data = build_digit_scenes(osp.join(work_dir, 'data'), num_train, num_test)
    print(
        f'[transfer-demo] data: {num_train} train / {num_test} test '
        f'canvases (VOC + Cityscapes layouts) under {work_dir}/data',
        flush=True)
    return data


def backbones_to_run(work_dir: str,
                     pretrain_epochs: Optional[int] = None,
                     only: Optional[List[str]] = None) -> List[dict]:
    """The backbones of the table, in row order: random init, the
    pre-trained ones (:func:`pretrained_backbones`) and the LARS run
    rescaled to the SGD anchor's norms; with ``only``, those labels (the
    NormRescale row brings its two inputs' pre-training along)."""
    backbones = [
        dict(
            label='random init',
            pretrain=random_backbone(osp.join(work_dir, 'random_init.pth')),
            note='none')
    ]
    wanted = None
    if only is not None:
        wanted = set(only)
        if RESCALED_LABEL in wanted:
            wanted |= {LARS_LABEL, ANCHOR_LABEL}
    backbones += pretrained_backbones(
        work_dir, pretrain_epochs, None if wanted is None else sorted(wanted))
    by_label = {bb['label']: bb for bb in backbones}
    if LARS_LABEL in by_label and ANCHOR_LABEL in by_label:
        lars, sgd = by_label[LARS_LABEL], by_label[ANCHOR_LABEL]
        backbones.append(
            dict(
                label=RESCALED_LABEL,
                pretrain=lars['pretrain'],
                normrescale=sgd['pretrain'],
                note=f'norms of {ANCHOR_LABEL} (SGD)'))
    return [bb for bb in backbones if not only or bb['label'] in only]


def fine_tune(backbones: List[dict], tasks: Sequence[str], data: dict,
              work_dir: str, det_iters: int, seg_iters: int,
              t_start: float) -> Dict[tuple, str]:
    """Fine-tune every backbone on every task through
    :func:`airl_mm.benchmarks.run_benchmark`; ``{(label, task): run dir}``
    (``<work_dir>/<label as a name>/<task>``)."""
    from airl_mm.benchmarks import run_benchmark
    jobs = [(bb, task) for bb in backbones for task in ('det', 'seg')
            if task in tasks]
    configs = dict(
        det=(DET_CONFIG, det_options(data['voc'], det_iters)),
        seg=(SEG_CONFIG, seg_options(data['cityscapes'], seg_iters)))
    dirs = {}
    for k, (bb, task) in enumerate(jobs, 1):
        config, opts = configs[task]
        name = bb['label'].lower().replace(' + ', '_').replace(' ', '-')
        print(
            f"[transfer-demo] ({k}/{len(jobs)}) {bb['label']}: fine-tuning "
            f'{task} ({config})',
            flush=True)
        t0 = time.time()
        dirs[bb['label'], task] = run_benchmark(
            config_path(config),
            bb['pretrain'],
            osp.join(work_dir, name, task),
            normrescale=bb.get('normrescale'),
            cfg_options=opts)
        print(
            f'[transfer-demo]   {time.time() - t0:.0f} s; '
            f'{(time.time() - t_start) / 60:.1f} min so far',
            flush=True)
    return dirs


def tabulate(backbones: List[dict], dirs: Dict[tuple, str]) -> List[dict]:
    """One row per backbone: label, note, pre-training checkpoint and the
    Tab. 3 metrics of its runs."""
    return [
        dict(
            label=bb['label'],
            note=bb['note'],
            pretrain=bb['pretrain'],
            metrics=read_metrics(
                dirs.get((bb['label'], 'det')), dirs.get(
                    (bb['label'], 'seg')))) for bb in backbones
    ]


def write_results(rows: List[dict], work_dir: str) -> str:
    """Save ``results.md``, ``results.json`` and ``transfer.png`` under
    ``work_dir``; return the table."""
    table = format_table(rows)
    atomic_write_text(osp.join(work_dir, 'results.md'), table + '\n')
    atomic_write_text(
        osp.join(work_dir, 'results.json'),
        json.dumps(rows, indent=2) + '\n')
    plot_bars(rows, osp.join(work_dir, 'transfer.png'))
    return table


def run_transfer_demo(work_dir: str = 'work_dirs/transfer_demo',
                      det_iters: int = 250,
                      seg_iters: int = 200,
                      pretrain_epochs: Optional[int] = None,
                      num_train: int = 400,
                      num_test: int = 100,
                      tasks=('det', 'seg'),
                      only: Optional[List[str]] = None) -> List[dict]:
    """Build the data, fine-tune every backbone, print and save the table.

    Args:
        work_dir (str): Where data, runs and results go.
        det_iters / seg_iters (int): Fine-tuning iterations.
        pretrain_epochs (int, optional): Epochs for a backbone ``make demo``
            did not leave behind (default: its config's, as make demo).
        num_train / num_test (int): Canvases per split.
        tasks: ``'det'`` and/or ``'seg'``.
        only (list, optional): Labels of the backbones to run.

    Returns:
        list[dict]: The table's rows.
    """
    t_start = time.time()
    os.makedirs(work_dir, exist_ok=True)
    data = build_data(work_dir, num_train, num_test)
    backbones = backbones_to_run(work_dir, pretrain_epochs, only)
    dirs = fine_tune(backbones, tasks, data, work_dir, det_iters, seg_iters,
                     t_start)
    rows = tabulate(backbones, dirs)
    table = write_results(rows, work_dir)
    print(f'\n[transfer-demo] VOC-style detection (Faster R-CNN C4, '
          f'{det_iters} it.) and Cityscapes-style segmentation (DeepLab-v3, '
          f'{seg_iters} it.) on {num_test} held-out canvases:\n')
    print(table)
    print(f"\n[transfer-demo] chart: {osp.join(work_dir, 'transfer.png')}; "
          f'total {(time.time() - t_start) / 60:.1f} min')
    return rows


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description='The embedded transfer benchmark: fine-tune demo '
        'backbones with the VOC07 Faster R-CNN C4 and Cityscapes DeepLab-v3 '
        'benchmark configs on MNIST-digit scenes; print a Tab.-3-style '
        'table.')
    p.add_argument('--work-dir', default='work_dirs/transfer_demo')
    p.add_argument('--det-iters', type=int, default=250)
    p.add_argument('--seg-iters', type=int, default=200)
    p.add_argument(
        '--pretrain-epochs',
        type=int,
        help='for backbones make demo did not leave behind (default: '
        'the config\'s, as make demo)')
    p.add_argument(
        '--tasks', nargs='+', choices=('det', 'seg'), default=['det', 'seg'])
    p.add_argument(
        '--only',
        nargs='+',
        metavar='LABEL',
        help="backbones to run, e.g. 'random init' 'MoCo v2+'")
    return p.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    run_transfer_demo(
        args.work_dir,
        args.det_iters,
        args.seg_iters,
        args.pretrain_epochs,
        tasks=args.tasks,
        only=args.only)


if __name__ == '__main__':
    main()
