#!/usr/bin/env bash
# segmentation (configs/benchmarks/mmseg/, total batch 8: 4 GPUs x 2):
#   GPUS=4 tools/benchmarks/slurm_mmseg.sh PARTITION JOB_NAME CONFIG PRETRAIN [args]
# One launcher for every task (the config's default_scope decides).
GPUS=${GPUS:-4} exec "$(dirname "$0")/slurm_benchmark.sh" "$@"
