"""Run the scripts under tools/: in-process (their main()) or as a child."""
import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_tool(rel: str):
    path = ROOT / 'tools' / rel
    spec = importlib.util.spec_from_file_location(
        'tool_' + rel.replace('/', '_')[:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def train_tool(env: dict, config, work_dir, *args, check: bool = True):
    """``tools/train.py CONFIG --work-dir WORK_DIR ARGS`` in a child process;
    with ``check``, fail the test (showing its output) unless it exits 0."""
    out = subprocess.run([
        sys.executable, 'tools/train.py',
        str(config), '--work-dir',
        str(work_dir), *args
    ],
                         cwd=ROOT,
                         env=env,
                         capture_output=True,
                         text=True)
    if check:
        assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return out
