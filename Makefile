# airl_mm: `make demo` sets up .venv and runs the embedded demo;
# `make test` sets up .venv and runs the test suite (what CI runs).
PY := .venv/bin/python
export PYTHONWARNINGS ?= ignore::UserWarning:pkg_resources,ignore::DeprecationWarning

.PHONY: env demo test test-fast lint format normrescale-demo collapse-demo \
	transfer-demo prune-envs

env:
	@tools/setup_env.sh

demo: env
	$(PY) demo/pretrain_demo.py

test: env
	$(PY) -m pytest -q -rs --durations=15

# two workers on two cores: one thread each (two each oversubscribe the
# cores and some tests then take 10x longer)
test-fast: env
	OMP_NUM_THREADS=1 $(PY) -m pytest -q -m "not slow" -n 2

# flake8 + isort + yapf, settings in setup.cfg (the same as pre-commit).
LINT_PY := airl_mm tools tests demo

lint: env
	$(PY) -m flake8 airl_mm tools tests demo configs
	$(PY) -m isort --check-only --diff $(LINT_PY)
	$(PY) -m yapf --diff --recursive $(LINT_PY)

format: env
	$(PY) -m isort $(LINT_PY)
	$(PY) -m yapf --in-place --recursive $(LINT_PY)

normrescale-demo: env
	$(PY) demo/normrescale_demo.py

collapse-demo: env
	$(PY) demo/collapse_demo.py

# after `make demo` (reuses its checkpoints); see docs/transfer.md
transfer-demo: env
	$(PY) demo/transfer_demo.py

prune-envs:
	@tools/setup_env.sh --prune
