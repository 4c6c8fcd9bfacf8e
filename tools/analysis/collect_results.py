#!/usr/bin/env python
"""Collect the benchmark runs (metrics.json) under WORK_DIRS into the
paper's table (rows = pre-trainings, columns = ImageNet Acc, VOC, COCO,
Cityscapes, CIFAR-LT), the appendix's Tab. 6 (label taxonomies vs
self-supervision) and the plots (Fig. 2 ladder, Fig. 4 long-tail scatter,
Fig. 6 pre-training length, Fig. 7 checkpoint curves), written beside OUT
as <OUT stem>_<figure>.png. Missing cells show as '–'; failed and
unfinished runs are listed as such; repeated fine-tunings (train_benchmark
--seeds) as 'mean ± sample std (n=trials)'."""
import argparse
import sys
from pathlib import Path

from airl_mm.analysis.results import collect
from airl_mm.fileio import OutputError, check_outputs, write_all


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument(
        'work_dirs', nargs='+', help='folders searched for metrics.json')
    p.add_argument('-o', '--out', required=True, help='output .md')
    p.add_argument(
        '--force', action='store_true', help='overwrite existing outputs')
    args = p.parse_args(argv)
    out = Path(args.out)
    try:
        report, plots = collect(args.work_dirs)
        files = [(out, report.encode())]
        for name, png in plots.items():
            png_path = out.with_name(f'{out.stem}_{name}.png')
            files.append((png_path, png))
            report += f'\n![{name}]({png_path.name})\n'
        files[0] = (out, report.encode())
        check_outputs([f for f, _ in files], args.force)
    except (FileNotFoundError, OutputError) as e:
        print(f'collect_results: error: {e}', file=sys.stderr)
        return 1
    write_all(files)
    print(report)
    print(f'wrote {", ".join(str(f) for f, _ in files)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
