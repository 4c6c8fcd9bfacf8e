import os
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
warnings.filterwarnings('ignore', module='pkg_resources')

from data_builders import make_imagenet  # noqa: E402

import airl_mm  # noqa: E402,F401  (host glue + registries, as users get it)


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
