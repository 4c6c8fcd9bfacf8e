#!/usr/bin/env python
"""Transfer benchmark: convert a pre-training checkpoint, fine-tune, test.

    python tools/benchmarks/train_benchmark.py CONFIG PRETRAIN \
        [--branch teacher] [--normrescale ANCHOR|CONST] [--work-dir DIR] \
        [--launcher pytorch] [--cfg-options k=v ...]
"""
import airl_mm  # noqa: F401  (host glue, registries)
from airl_mm.benchmarks.cli import main

if __name__ == '__main__':
    main()
