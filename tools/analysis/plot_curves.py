#!/usr/bin/env python
"""Training curves of runs from their scalar logs, one line per run.

    tools/analysis/plot_curves.py WORK_DIR... --keys loss,z_std,neg_cos,lr/layer1 -o OUT.png
"""  # noqa: E501
import argparse
import sys
from pathlib import Path

from airl_mm.analysis.curves import load_curves, plot_curves
from airl_mm.fileio import OutputError, check_outputs


def main(argv=None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        'work_dirs',
        nargs='+',
        help='work dirs (latest run read) or run folders')
    p.add_argument(
        '--keys',
        required=True,
        help='comma-separated scalar keys, one panel each')
    p.add_argument('-o', '--out', required=True, help='output PNG')
    p.add_argument(
        '--labels',
        help='comma-separated run labels '
        '(default: folder names)')
    p.add_argument(
        '--log-keys',
        default='',
        help='keys drawn on a log scale (lr/* always are)')
    p.add_argument('--title')
    p.add_argument('--force', action='store_true', help='overwrite OUT')
    args = p.parse_args(argv)
    keys = [k for k in args.keys.split(',') if k]
    labels = args.labels.split(',') if args.labels else None
    try:
        check_outputs([Path(args.out)], args.force)
        runs = load_curves(args.work_dirs, keys, labels)
        plot_curves(
            runs,
            keys,
            args.out,
            log_keys=[k for k in args.log_keys.split(',') if k],
            title=args.title)
    except (FileNotFoundError, ValueError, OutputError) as e:
        print(f'plot_curves: error: {e}', file=sys.stderr)
        return 1
    for label, curves in runs.items():
        missing = [k for k in keys if k not in curves]
        if missing:
            print(
                f'plot_curves: {label}: no {", ".join(missing)}',
                file=sys.stderr)
    print(f'plot_curves: wrote {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
