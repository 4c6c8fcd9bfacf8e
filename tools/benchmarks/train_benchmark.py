#!/usr/bin/env python
"""Transfer benchmark: convert a pre-training checkpoint, fine-tune, test.

    python tools/benchmarks/train_benchmark.py CONFIG PRETRAIN \
        [--branch teacher] [--normrescale ANCHOR|CONST] [--work-dir DIR] \
        [--launcher pytorch] [--seeds 0,1,2,3,4 | --trials N] \
        [--cfg-options k=v ...]

--seeds / --trials repeat the fine-tuning once per seed in
<work-dir>/seed_<s>/ and write the mean, sample std (ddof=1) and n of each
metric to <work-dir>/metrics.json.
"""
import airl_mm  # noqa: F401  (host glue, registries)
from airl_mm.benchmarks.cli import main

if __name__ == '__main__':
    main()
