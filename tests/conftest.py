import os
import warnings
from pathlib import Path

import pytest

warnings.filterwarnings('ignore', module='pkg_resources')

# tests/ is on pytest's `pythonpath` (pyproject.toml): the shared helpers
# import by module name, and ROOT is defined once, in tool_loader.
from data_builders import make_imagenet  # noqa: E402
from tool_loader import ROOT  # noqa: E402

import airl_mm.register  # noqa: E402,F401  (as configs' custom_imports)


@pytest.fixture(autouse=True)
def mmselfsup_scope():
    """Each test starts in the mmselfsup scope, whatever Runner (mmcls
    fine-tuning, say) an earlier test built in this process."""
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmselfsup'):
        yield


@pytest.fixture(scope='session')
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope='session')
def tiny_imagenet(tmp_path_factory) -> Path:
    """Two classes x four 64x64 JPEGs in the ImageNet folder layout."""
    return make_imagenet(tmp_path_factory.mktemp('imagenet'))


@pytest.fixture(scope='session')
def subprocess_env() -> dict:
    """Environment for running the tools in a child process."""
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        [str(ROOT), str(ROOT / 'tests')] +
        ([env['PYTHONPATH']] if env.get('PYTHONPATH') else []))
    env.setdefault('PYTHONWARNINGS', 'ignore')
    env.pop('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', None)
    return env
