#!/usr/bin/env bash
# detection (configs/benchmarks/mmdet/, total batch 16: 8 GPUs x 2):
#   GPUS=8 tools/benchmarks/slurm_mmdet.sh PARTITION JOB_NAME CONFIG PRETRAIN [args]
# One launcher for every task (the config's default_scope decides).
# VOC as MoCo reports it (mean of 5 trials): add --seeds 0,1,2,3,4.
GPUS=${GPUS:-8} exec "$(dirname "$0")/slurm_benchmark.sh" "$@"
