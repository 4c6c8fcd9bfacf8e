#!/usr/bin/env python
"""Per-layer weight norms of ResNet backbones, one line per checkpoint
(Fig. 3a). Writes OUT (.png) and OUT with suffix .csv."""
import argparse
import os
import sys
from pathlib import Path
from statistics import median_high

from airl_mm.analysis.plotting import figure_png
from airl_mm.analysis.weight_norms import (LAYER_SETS, layer_norms,
                                           norm_ratios, plot_norms)
from airl_mm.checkpoint import CheckpointError
from airl_mm.checkpoint.convert import read_backbone
from airl_mm.fileio import check_outputs, csv_bytes, write_all


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('ckpts', nargs='+', help='checkpoints (any format)')
    p.add_argument('--labels', nargs='+', help='one per checkpoint')
    p.add_argument(
        '--branch', choices=('student', 'teacher'), default='student')
    p.add_argument('--layers', choices=LAYER_SETS, default='conv3x3')
    p.add_argument('--log', action='store_true', help='log-scale y axis')
    p.add_argument('-o', '--out', required=True, help='output .png')
    p.add_argument('--force', action='store_true')
    args = p.parse_args(argv)
    labels = args.labels or [Path(c).stem for c in args.ckpts]
    out = Path(args.out)
    try:
        if len(labels) != len(args.ckpts):
            raise ValueError(f'{len(labels)} labels for {len(args.ckpts)} '
                             'checkpoints')
        check_outputs([out, out.with_suffix('.csv')], args.force)
        series = []
        for label, ckpt in zip(labels, args.ckpts):
            bb = read_backbone(ckpt, args.branch)
            print(f'{ckpt}: {bb.format}, {args.branch} backbone')
            series.append((label, layer_norms(bb.state_dict, args.layers)))
        names = [[n for n, _ in s] for _, s in series]
        if any(n != names[0] for n in names):
            raise CheckpointError('the checkpoints have different layers; '
                                  'compare backbones of one architecture')
    except (CheckpointError, ValueError) as e:
        print(f'weight_norms: error: {e}', file=sys.stderr)
        return 1
    fig = plot_norms(series, args.log, f'Weight norms ({args.layers} layers)')
    table = csv_bytes(['index', 'layer'] + labels,
                      ([i, name] + [f'{s[i][1]:.8g}' for _, s in series]
                       for i, name in enumerate(names[0])))
    write_all([(out, figure_png(fig)), (out.with_suffix('.csv'), table)])
    for label, s in series[1:]:
        ratios = norm_ratios(series[0][1], s)
        print(f'{label} / {labels[0]}: median norm ratio '
              f'{median_high(ratios):.3g} over {len(ratios)} layers')
    print(f'wrote {out} and {out.with_suffix(".csv")}')
    return 0


if __name__ == '__main__':
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Outputs are written (atomically, fsynced); skip the interpreter's
    # teardown of torch, a third of a second of a 2-second conversion.
    os._exit(code)
