#!/usr/bin/env bash
# Create or reuse the project's virtual environment (.venv) with the pinned
# OpenMMLab stack. Usage: tools/setup_env.sh   (make env calls it)
#                         tools/setup_env.sh --prune [DAYS]  (default 14)
#
# The heavy stack (~6 GB: torch, mmcv built with ops, mm*) lives ONCE per
# machine under $AIRL_MM_CACHE (default ~/.cache/airl_mm), keyed by a hash of
# requirements/ and this script, so every clone shares it and a changed pin
# makes a new one. Each clone's .venv is a tiny overlay venv: a .pth file puts
# the shared site-packages on its path and airl_mm is installed editable into
# the overlay, so clones never fight over the editable install.
#
# mmcv 2.0.1 is compiled from source (~8 min on 2 idle cores, ~35 shared):
# its wheel is cached separately, keyed by the torch/python/CUDA it was
# built against, so a changed unrelated pin does not rebuild it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"
CACHE="${AIRL_MM_CACHE:-$HOME/.cache/airl_mm}"
REQ="$ROOT/requirements"

log() { printf '[setup_env] %s\n' "$*" >&2; }
die() { printf '[setup_env] ERROR: %s\n' "$*" >&2; exit 1; }
# pip warns once per package about this machine's optional local indexes.
quiet_pip() { "$@" 2> >(grep -v "is ignored: it is neither" >&2); }

command -v "$PY" >/dev/null || die "no '$PY' on PATH (Python 3.11 needed)"
PYVER="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
[[ "$PYVER" == 3.11 ]] || log "warning: tested with Python 3.11, found $PYVER"

# mmcv's ops are compiled for CPU or CUDA: a GPU node and a CPU login node
# sharing $HOME must not share a stack.
if [[ "${FORCE_CUDA:-0}" == 1 ]] || nvidia-smi -L >/dev/null 2>&1; then
  ACCEL=cuda
else
  ACCEL=cpu
fi
KEY="$(cat "$REQ"/*.txt "$ROOT/tools/setup_env.sh" | sha256sum | cut -c1-16)"
KEY="py${PYVER}-${ACCEL}-${KEY}"
ENV="$CACHE/envs/$KEY"
VENV="$ROOT/.venv"
SITE="lib/python${PYVER}/site-packages"

overlay_ok() {
  [[ -f "$VENV/airl_mm_env_key" ]] &&
    [[ "$(cat "$VENV/airl_mm_env_key")" == "$KEY" ]] &&
    [[ -f "$ENV/.complete" ]] && [[ -x "$VENV/bin/python" ]]
}

prune() {  # stacks of other pins that no setup has used for DAYS days
  local days="${1:-14}" old name
  for old in "$CACHE"/envs/*/; do
    old="${old%/}"
    name="$(basename "$old")"
    [[ "$name" == "$KEY" || ! -d "$old" ]] && continue
    if [[ -n "$(find "$old/.last_used" -newermt "-$days days" 2>/dev/null)" ]]
    then
      continue
    fi
    # never under a setup that holds the stack's lock right now
    exec 8>"$CACHE/locks/$name.lock"
    if flock -n 8; then
      log "removing stack unused for $days days: $old"
      rm -rf "$old"
    fi
    exec 8>&-
  done
}

if [[ "${1:-}" == --prune ]]; then
  mkdir -p "$CACHE/locks"
  prune "${2:-14}"
  exit 0
fi

# Debian packages (requirements/debian.txt): small, so checked every time.
debian_packages() {
  local missing=() pkg
  for pkg in $(grep -v '^#' "$REQ/debian.txt"); do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    log "Debian packages: installing ${missing[*]}"
    apt-get update -qq >/dev/null &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" \
        >/dev/null || die "apt-get install ${missing[*]} failed"
  else
    log "warning: missing Debian packages ${missing[*]} (tests that need" \
      "them are skipped): sudo apt-get install ${missing[*]}"
  fi
}
debian_packages

if overlay_ok; then
  touch "$ENV/.last_used"
  log "reusing $VENV -> $ENV (requirements unchanged)"
  exit 0
fi

mkdir -p "$CACHE/envs" "$CACHE/wheels" "$CACHE/locks"
# One builder per key at a time; a second clone waits, then reuses.
exec 9>"$CACHE/locks/$KEY.lock"
log "waiting for lock $CACHE/locks/$KEY.lock" && flock 9

# While mmcv compiles (pid $2, sources unpacked under $1): every minute, the
# C++/CUDA files compiled so far and the time left at the rate so far.
mmcv_progress() {
  local dir=$1 pid=$2 t0=$SECONDS src total done left
  while kill -0 "$pid" 2>/dev/null; do
    sleep 60
    kill -0 "$pid" 2>/dev/null || break
    # what mmcv's setup.py compiles: pytorch/*.cpp and pytorch/cpu/*.cpp,
    # plus pytorch/cuda/*.{cu,cpp} for a CUDA build (not mlu/, npu/, ...)
    src=$(find "$dir" -type d -path '*mmcv/ops/csrc/pytorch' 2>/dev/null |
      head -n 1 || true)
    total=0
    if [[ -n "$src" ]]; then
      total=$(find "$src" "$src/cpu" \
        $([[ "${FORCE_CUDA:-0}" == 1 ]] && echo "$src/cuda") -maxdepth 1 \
        \( -name '*.cpp' -o -name '*.cu' \) 2>/dev/null | wc -l || true)
    fi
    done=$(find "$dir" -name '*.o' 2>/dev/null | wc -l)
    if ((total > 0 && done > 0)); then
      left=$(( (SECONDS - t0) * (total - done) / done / 60 + 1 ))
      ((done >= total)) && left=1
      log "      mmcv: $done of ~$total files compiled in" \
        "$(( (SECONDS - t0) / 60 )) min; about $left min left"
    else
      log "      mmcv: preparing the build ($(( (SECONDS - t0) / 60 )) min)"
    fi
  done
}

build_stack() {
  local t0=$SECONDS
  if [[ -d "$ENV" ]]; then
    log "removing incomplete environment $ENV"
    rm -rf "$ENV"
  fi
  log "creating the shared stack environment in $ENV"
  "$PY" -m venv "$ENV"
  local pip=(quiet_pip "$ENV/bin/python" -m pip install --progress-bar off)
  log "[1/4] build tools ($(grep -v '^#' "$REQ/build.txt" | tr '\n' ' '))"
  "${pip[@]}" -q --upgrade -r "$REQ/build.txt"
  log "[2/4] torch + torchvision (local wheels, ~1-2 min)"
  "${pip[@]}" -q -r "$REQ/torch.txt"

  local tv cuda mmcv_ver wheels
  tv="$("$ENV/bin/python" -c 'import torch; print(torch.__version__)')"
  cuda=cpu
  if [[ "${FORCE_CUDA:-0}" == 1 ]] || "$ENV/bin/python" -c \
      'import torch,sys; sys.exit(not torch.cuda.is_available())' 2>/dev/null
  then
    cuda="cuda$("$ENV/bin/python" -c 'import torch; print(torch.version.cuda)')"
    export FORCE_CUDA=1
  fi
  mmcv_ver="$(grep -oP '^mmcv==\K\S+' "$REQ/mmcv.txt")"
  wheels="$CACHE/wheels/mmcv-${mmcv_ver}-torch${tv}-py${PYVER}-${cuda}"
  if ! ls "$wheels"/mmcv-*.whl >/dev/null 2>&1; then
    log "[3/4] building mmcv ${mmcv_ver} with ops for torch ${tv} (${cuda});"
    log "      the slow step (measured on 2 cores: ~8 min idle, ~35 shared)," \
      "once per machine"
    # torch >= 2.x headers need C++20; mmcv 2.0.1 hard-codes -std=c++14.
    local wrap="$CACHE/bin"
    mkdir -p "$wrap"
    cat >"$wrap/cxx20" <<'EOS'
#!/usr/bin/env bash
args=()
for a in "$@"; do
  case "$a" in -std=c++14|-std=c++17) a=-std=c++20 ;; esac
  args+=("$a")
done
exec "${AIRL_MM_REAL_CXX:-g++}" "${args[@]}"
EOS
    chmod +x "$wrap/cxx20"
    local tmpw="$wheels.tmp.$$"
    rm -rf "$tmpw" && mkdir -p "$tmpw/build"
    TMPDIR="$tmpw/build" CXX="$wrap/cxx20" MMCV_WITH_OPS=1 \
      MAX_JOBS="${MAX_JOBS:-$(nproc)}" \
      quiet_pip "$ENV/bin/python" -m pip wheel --no-deps --no-build-isolation \
      --no-cache-dir -w "$tmpw" -r "$REQ/mmcv.txt" &
    local build=$!
    mmcv_progress "$tmpw/build" "$build"
    wait "$build" || { rm -rf "$tmpw"; die "mmcv build failed (see output above)"; }
    rm -rf "$tmpw/build" "$wheels" && mv "$tmpw" "$wheels"
  else
    log "[3/4] reusing cached mmcv wheel from $wheels"
  fi
  "${pip[@]}" -q --no-deps "$wheels"/mmcv-*.whl

  log "[4/4] OpenMMLab packages and tools (pinned, see requirements/)"
  local cons=()
  [[ -f "$REQ/constraints.txt" ]] && cons=(-c "$REQ/constraints.txt")
  "${pip[@]}" -q -r "$REQ/runtime.txt" -r "$REQ/tests.txt" "${cons[@]}"
  "${pip[@]}" -q --no-deps -r "$REQ/data.txt"
  "$ENV/bin/python" - <<'EOS'
import mmcv, mmcv.ops, mmengine, mmdet, mmseg, mmselfsup, mmpretrain, torch
print(f'[setup_env] check: torch {torch.__version__}, mmcv {mmcv.__version__}'
      f' (ops ok), mmengine {mmengine.__version__}, mmdet {mmdet.__version__},'
      f' mmseg {mmseg.__version__}, mmselfsup {mmselfsup.__version__},'
      f' mmpretrain {mmpretrain.__version__}')
EOS
  "$ENV/bin/python" -m pip freeze --exclude-editable >"$ENV/freeze.txt"
  date -u +%FT%TZ >"$ENV/.complete"
  log "stack ready in $((SECONDS - t0)) s"
}

[[ -f "$ENV/.complete" ]] || build_stack

log "linking $VENV -> $ENV (overlay venv + editable airl_mm)"
rm -rf "$VENV"
"$PY" -m venv --without-pip "$VENV"
# 'import site' lines in a .pth run at start-up: addsitedir also processes
# the shared env's own .pth files (setuptools' distutils hook, etc.).
echo "import site; site.addsitedir('$ENV/$SITE')" \
  >"$VENV/$SITE/00_airl_mm_stack.pth"
quiet_pip "$VENV/bin/python" -m pip install -q --no-deps --no-build-isolation \
  --progress-bar off -e "$ROOT"
echo "$KEY" >"$VENV/airl_mm_env_key"
ln -sfn "$ENV" "$VENV/stack"
touch "$ENV/.last_used"
log "ready: $VENV (stack $KEY)"
