#!/usr/bin/env bash
# Distributed training with torchrun: tools/dist_train.sh CONFIG GPUS [ARGS]
# Multi-node: NNODES, NODE_RANK, MASTER_ADDR, PORT (same on every node).
# Without CUDA the processes train on CPU with gloo (SyncBN -> BN).
set -euo pipefail
if [[ $# -lt 2 ]]; then
  echo "usage: $0 CONFIG GPUS [train.py args...]" >&2
  exit 2
fi
CONFIG=$1
GPUS=$2
exec "$(dirname "$0")/torchrun.sh" tools/train.py "$GPUS" "$CONFIG" \
  --launcher pytorch "${@:3}"
