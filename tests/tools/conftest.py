import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope='session')
def trained_pair(tmp_path_factory):
    """Real checkpoints of this plugin's configs: the tiny MoCo v2+ trained
    4 iterations with SGD and with LARS (same data, same budget)."""
    import os
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join([str(ROOT), str(ROOT / 'tests')])
    out = {}
    for name in ('sgd', 'lars'):
        cfg = 'tests/data/configs/tiny_mocov2plus_mnist' + (
            '_lars.py' if name == 'lars' else '.py')
        wd = tmp_path_factory.mktemp(name)
        res = subprocess.run([sys.executable, 'tools/train.py', cfg,
                              '--work-dir', str(wd)], cwd=ROOT, env=env,
                             capture_output=True, text=True)
        assert res.returncode == 0, res.stderr[-3000:]
        out[name] = wd / 'iter_4.pth'
    return out
