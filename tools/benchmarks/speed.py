#!/usr/bin/env python
"""Speed harness: pipeline images/s per core, train-step ratios, precision.

Example (CPU defaults, a few minutes)::

    python tools/benchmarks/speed.py --out speed.json

On a GPU the defaults are ResNet-50, batch 128, 224 px, 8 loader workers,
and P3 (bf16 + channels_last, loop vs limit) is measured too.
"""
import argparse
import json
import os.path as osp
import sys

# The harness lies beside this script (speed_harness.py), on sys.path when
# run as one; added when loaded otherwise (tests), for its worker processes.
_HERE = osp.dirname(osp.abspath(__file__))
if _HERE not in sys.path:
    sys.path.append(_HERE)

from speed_harness import Settings, run, table  # noqa: E402

from airl_mm.fileio import atomic_write_text  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    d = Settings()
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--out', help='write the results as JSON here')
    p.add_argument('--device', default=d.device, help='cpu or cuda[:N]')
    p.add_argument(
        '--depth',
        type=int,
        default=d.depth,
        choices=(18, 34, 50, 101, 152),
        help='ResNet depth')
    p.add_argument('--batch', type=int, default=d.batch)
    p.add_argument(
        '--image-size',
        type=int,
        default=d.image_size,
        help='train-step image size (pipelines: 224)')
    p.add_argument(
        '--threads',
        type=int,
        default=d.threads,
        help='torch / OpenCV threads per process')
    p.add_argument(
        '--photos',
        type=int,
        default=d.photos,
        help='JPEG photos made for the pipelines')
    p.add_argument(
        '--repeats', type=int, default=d.repeats, help='timed runs per row')
    p.add_argument(
        '--warmup',
        type=int,
        default=d.warmup,
        help='untimed runs per row first')
    p.add_argument(
        '--steps', type=int, default=d.steps, help='train steps per timed run')
    p.add_argument(
        '--workers',
        type=int,
        default=d.workers,
        help='data loader workers for the P3 loop')
    p.add_argument(
        '--p3',
        action=argparse.BooleanOptionalAction,
        default=None,
        help='measure P3 (default: on CUDA)')
    p.add_argument('--skip', nargs='*', default=(), choices=('p1', 'p2', 'p3'))
    args = p.parse_args(argv)
    for name in ('batch', 'image_size', 'threads', 'photos', 'repeats',
                 'steps'):
        if getattr(args, name) < 1:
            p.error(f'--{name.replace("_", "-")} must be >= 1')
    if args.device.startswith('cuda'):
        import torch
        if not torch.cuda.is_available():
            p.error('--device cuda: no CUDA device is visible')
    return args


def main(argv=None) -> dict:
    args = parse_args(argv)
    s = Settings(
        device=args.device,
        depth=args.depth,
        batch=args.batch,
        image_size=args.image_size,
        threads=args.threads,
        photos=args.photos,
        repeats=args.repeats,
        warmup=args.warmup,
        steps=args.steps,
        workers=args.workers,
        p3=args.p3,
        skip=tuple(args.skip))
    results = run(s, progress=lambda m: print(m, file=sys.stderr))
    print(table(results))
    if args.out:
        atomic_write_text(args.out, json.dumps(results, indent=2) + '\n')
    return results


if __name__ == '__main__':
    import airl_mm.register  # noqa: F401  (registers the fast transforms)
    main()
