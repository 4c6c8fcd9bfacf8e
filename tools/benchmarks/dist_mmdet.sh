#!/usr/bin/env bash
# detection (configs/benchmarks/mmdet/, total batch 16: 8 GPUs x 2):
#   tools/benchmarks/dist_mmdet.sh CONFIG PRETRAIN GPUS [--normrescale ANCHOR|CONST] [args]
# One launcher for every task (the config's default_scope decides).
# VOC as MoCo reports it (mean of 5 trials): add --seeds 0,1,2,3,4.
exec "$(dirname "$0")/dist_benchmark.sh" "$@"
