#!/usr/bin/env python
"""Linear CKA between two backbones at the stem and every ResNet stage
(Fig. 3b), minibatch estimator. Writes OUT (.png) and OUT with suffix .csv.
"""
import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from airl_mm.analysis.cka import plot_stage_cka, stage_cka
from airl_mm.analysis.image_data import config_batches, folder_batches
from airl_mm.analysis.plotting import figure_png
from airl_mm.analysis.representations import build_resnet
from airl_mm.checkpoint import CheckpointError
from airl_mm.checkpoint.convert import read_backbone
from airl_mm.fileio import check_outputs, csv_bytes, write_all


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('ckpt_a')
    p.add_argument('ckpt_b')
    data = p.add_mutually_exclusive_group(required=True)
    data.add_argument('--config', help='data config (its test_dataloader)')
    data.add_argument('--folder', help='folder of images (sorted order)')
    p.add_argument('--num-samples', type=int, default=1000)
    p.add_argument('--batch-size', type=int, default=64)
    p.add_argument(
        '--size', type=int, default=224, help='--folder: centre-crop size')
    p.add_argument(
        '--spatial',
        action='store_true',
        help='flattened maps instead of global average pooling')
    p.add_argument(
        '--branch', choices=('student', 'teacher'), default='student')
    p.add_argument('--labels', nargs=2, metavar=('A', 'B'))
    p.add_argument('-o', '--out', required=True)
    p.add_argument('--force', action='store_true')
    args = p.parse_args(argv)
    out = Path(args.out)
    labels = args.labels or [Path(args.ckpt_a).stem, Path(args.ckpt_b).stem]
    try:
        if args.batch_size < 4:
            raise ValueError('--batch-size must be at least 4')
        check_outputs([out, out.with_suffix('.csv')], args.force)
        models = [
            build_resnet(read_backbone(c, args.branch).state_dict)
            for c in (args.ckpt_a, args.ckpt_b)
        ]
        if args.config:
            batches = config_batches(args.config, args.num_samples,
                                     args.batch_size)
        else:
            batches = folder_batches(args.folder, args.num_samples,
                                     args.batch_size, args.size)
        total = -(-args.num_samples // args.batch_size)
        values = stage_cka(
            *models,
            batches,
            args.spatial,
            progress=lambda it: tqdm(
                it, total=total, desc='CKA', unit='batch', file=sys.stderr))
    except (CheckpointError, ValueError, FileNotFoundError) as e:
        print(f'cka: error: {e}', file=sys.stderr)
        return 1
    fig = plot_stage_cka(values, f'CKA: {labels[0]} vs {labels[1]}')
    for stage, v in values.items():
        print(f'{stage:7s} {v:.4f}')
    write_all([(out, figure_png(fig)),
               (out.with_suffix('.csv'),
                csv_bytes(['stage', 'cka'],
                          ([k, f'{v:.6f}'] for k, v in values.items())))])
    print(f'wrote {out} and {out.with_suffix(".csv")}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
