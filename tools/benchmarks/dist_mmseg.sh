#!/usr/bin/env bash
# segmentation (configs/benchmarks/mmseg/, total batch 8: 4 GPUs x 2):
#   tools/benchmarks/dist_mmseg.sh CONFIG PRETRAIN GPUS [--normrescale ANCHOR|CONST] [args]
# One launcher for every task (the config's default_scope decides).
exec "$(dirname "$0")/dist_benchmark.sh" "$@"
