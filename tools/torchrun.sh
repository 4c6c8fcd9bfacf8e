#!/usr/bin/env bash
# torchrun over one of this checkout's Python tools (what dist_train.sh,
# benchmarks/dist_benchmark.sh and benchmarks/dist_sweep.sh run):
#   tools/torchrun.sh SCRIPT GPUS [script args...]
# SCRIPT is relative to the checkout; the caller passes --launcher pytorch.
# Multi-node: NNODES, NODE_RANK, MASTER_ADDR, PORT (same on every node).
# PYTHON: the interpreter (default: the checkout's .venv, else python).
set -euo pipefail
SCRIPT=$1
GPUS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
if [[ -z "${PYTHON:-}" ]]; then
  if [[ -x "$ROOT/.venv/bin/python" ]]; then PYTHON="$ROOT/.venv/bin/python"
  else PYTHON=python; fi
fi
PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" \
exec "$PYTHON" -m torch.distributed.run \
  --nnodes="$NNODES" --node_rank="$NODE_RANK" --master_addr="$MASTER_ADDR" \
  --nproc_per_node="$GPUS" --master_port="$PORT" \
  "$ROOT/$SCRIPT" "${@:3}"
