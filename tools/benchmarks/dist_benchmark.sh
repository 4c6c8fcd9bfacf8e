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
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
if [[ -z "${PYTHON:-}" ]]; then
  if [[ -x "$ROOT/.venv/bin/python" ]]; then PYTHON="$ROOT/.venv/bin/python"
  else PYTHON=python; fi
fi
PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" \
exec "$PYTHON" -m torch.distributed.run \
  --nnodes="$NNODES" --node_rank="$NODE_RANK" --master_addr="$MASTER_ADDR" \
  --nproc_per_node="$GPUS" --master_port="$PORT" \
  "$ROOT/tools/benchmarks/train_benchmark.py" "$CONFIG" "$PRETRAIN" \
  --launcher pytorch "${@:4}"
