#!/usr/bin/env bash
# classification (configs/benchmarks/classification/):
#   tools/benchmarks/dist_linear.sh CONFIG PRETRAIN GPUS [--normrescale ANCHOR|CONST] [args]
# One launcher for every task (the config's default_scope decides).
exec "$(dirname "$0")/dist_benchmark.sh" "$@"
