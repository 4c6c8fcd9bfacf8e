#!/usr/bin/env bash
# Fig. 7 with torchrun: one benchmark over a pre-training run's kept
# checkpoints (tools/benchmarks/sweep.py), GPUS processes per checkpoint:
#   tools/benchmarks/dist_sweep.sh RUN_DIR CONFIG GPUS [--steps 50 100 ...]
#       [--every N] [--out DIR] [--branch teacher]
#       [--normrescale ANCHOR|CONST] [--cfg-options ...]
# Every process plans the same checkpoints before the first one starts;
# finished ones are skipped, so the same command resumes a sweep.
# Multi-node: NNODES, NODE_RANK, MASTER_ADDR, PORT (same on every node).
set -euo pipefail
if [[ $# -lt 3 ]]; then
  echo "usage: $0 RUN_DIR CONFIG GPUS [sweep.py args...]" >&2
  exit 2
fi
RUN_DIR=$1
CONFIG=$2
GPUS=$3
exec "$(dirname "$0")/../torchrun.sh" tools/benchmarks/sweep.py "$GPUS" \
  "$RUN_DIR" "$CONFIG" --launcher pytorch "${@:4}"
