import pytest
from tool_loader import train_tool


@pytest.fixture(scope='session')
def trained_pair(tmp_path_factory, subprocess_env):
    """Real checkpoints of this plugin's configs: the tiny MoCo v2+ trained
    4 iterations with SGD and with LARS (same data, same budget)."""
    out = {}
    for name in ('sgd', 'lars'):
        cfg = 'tests/data/configs/tiny_mocov2plus_mnist' + (
            '_lars.py' if name == 'lars' else '.py')
        wd = tmp_path_factory.mktemp(name)
        train_tool(subprocess_env, cfg, wd)
        out[name] = wd / 'iter_4.pth'
    return out
