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


def _memoise_external_config_lookups() -> None:
    """mmengine resolves each ``mmselfsup::`` base by asking pkg_resources
    whether the package is installed and by reading all ~40 metafiles of
    its model index (YAML), on every load: ~0.1 s a base, most of the time
    of the fast tier's config tests. The answers are pure reads of installed
    files that do not change during a session, so the tests memoise them
    (failures too: mmengine catches the ValueError to fall back to a base
    path). Results are unchanged; only the test session is patched."""
    import functools

    import mmengine.config.config as config_module
    import mmengine.config.utils as config_utils

    for name in ('is_installed', 'get_installed_path'):
        setattr(
            config_module, name,
            functools.lru_cache(maxsize=None)(getattr(config_module, name)))
    lookup = config_utils._get_cfg_metainfo
    answers: dict = {}

    def memoised(package_path: str, cfg_path: str) -> dict:
        key = (package_path, cfg_path)
        if key not in answers:
            try:
                answers[key] = (True, lookup(package_path, cfg_path))
            except ValueError as e:
                answers[key] = (False, e.args)
        ok, answer = answers[key]
        if not ok:
            raise ValueError(*answer)
        return answer

    config_utils._get_cfg_metainfo = memoised


_memoise_external_config_lookups()


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
