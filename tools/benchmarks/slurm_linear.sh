#!/usr/bin/env bash
# classification (configs/benchmarks/classification/):
#   GPUS=8 tools/benchmarks/slurm_linear.sh PARTITION JOB_NAME CONFIG PRETRAIN [args]
# One launcher for every task (the config's default_scope decides).
GPUS=${GPUS:-8} exec "$(dirname "$0")/slurm_benchmark.sh" "$@"
