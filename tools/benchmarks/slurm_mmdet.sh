#!/usr/bin/env bash
# detection (configs/benchmarks/mmdet/, total batch 16: 8 GPUs x 2):
#   GPUS=8 tools/benchmarks/slurm_mmdet.sh PARTITION JOB_NAME CONFIG PRETRAIN [args]
# One launcher for every task (the config's default_scope decides).
GPUS=${GPUS:-8} exec "$(dirname "$0")/slurm_benchmark.sh" "$@"
