#!/usr/bin/env bash
# Transfer benchmark with torchrun (what dist_{mmdet,mmseg,linear}.sh run):
#   tools/benchmarks/dist_benchmark.sh CONFIG PRETRAIN GPUS [--branch teacher]
#       [--normrescale ANCHOR|CONST] [--work-dir DIR] [--seeds 0,1,2,3,4]
#       [--cfg-options ...]
# --seeds (or --trials N): one fine-tuning per seed in WORK_DIR/seed_<s>,
# mean / sample std / n of each metric in WORK_DIR/metrics.json.
# The total batch of the config (auto_scale_lr.base_batch_size: 16 for
# detection, 8 for segmentation) is split over the GPUS processes.
# Multi-node: NNODES, NODE_RANK, MASTER_ADDR, PORT (same on every node).
set -euo pipefail
if [[ $# -lt 3 ]]; then
  echo "usage: $0 CONFIG PRETRAIN GPUS [train_benchmark.py args...]" >&2
  exit 2
fi
CONFIG=$1
PRETRAIN=$2
GPUS=$3
exec "$(dirname "$0")/../torchrun.sh" tools/benchmarks/train_benchmark.py "$GPUS" \
  "$CONFIG" "$PRETRAIN" --launcher pytorch "${@:4}"
