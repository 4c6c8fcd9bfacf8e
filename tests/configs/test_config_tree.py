"""The config tree: released configs are shallow, the ladder cannot drift
from the flagship, and every entry point builds the CPU-aware runner."""
import ast
import glob
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.config import Config
from tool_loader import ROOT

RELEASED = sorted(glob.glob(osp.join(ROOT, 'configs', '*.py')))
FLAGSHIP = osp.join(ROOT, 'configs', 'mocov2plus_r50_200e.py')
RUNG4 = osp.join(ROOT, 'configs', 'ladder',
                 'mocov2_r50_200e_4-symmetric-loss.py')


def base_files(path: str) -> list:
    """The ``_base_`` files named by the config at ``path`` (resolved the
    way mmengine resolves them, ``pkg::`` included)."""
    tree = ast.parse(open(path).read())
    bases = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                getattr(t, 'id', None) == '_base_' for t in node.targets):
            value = ast.literal_eval(node.value)
            bases = [value] if isinstance(value, str) else list(value)
    return [
        Config._get_cfg_path(b, path)[0] if '::' in b else osp.normpath(
            osp.join(osp.dirname(path), b)) for b in bases
    ]


def depth(path: str) -> int:
    """Levels of ``_base_`` below ``path`` (0: no base)."""
    return max([1 + depth(b) for b in base_files(path)], default=0)


def test_released_configs_are_all_here_and_at_most_three_levels_deep():
    names = {osp.basename(p) for p in RELEASED}
    assert {
        'mocov2_r50_200e.py', 'mocov2plus_r50_200e.py',
        'smocov2plus_r50_200e.py', 'byol_r50_200e_sgd.py',
        'byol_r50_200e_lars.py', 'mocov2plus_r50_200e_lars.py',
        'mocov2_r18_100e.py', 'mocov2plus_r101_100e.py', 'byol_r18_100e_sgd.py'
    } <= names
    depths = {osp.basename(p): depth(p) for p in RELEASED}
    assert all(1 <= d <= 3 for d in depths.values()), depths


def test_depth_counts_the_whole_chain():
    # a ladder child sits on the whole ladder: deeper than the rule allows
    assert depth(RUNG4) == depth(
        osp.join(ROOT, 'configs', 'mocov2_r50_200e.py')) + 4


@pytest.mark.parametrize('path', RELEASED)
def test_nothing_released_inherits_through_the_ladder_or_ablations(path):
    todo, seen = [path], set()
    while todo:
        p = todo.pop()
        assert '/ladder/' not in p and '/aug_ablation/' not in p, (path, p)
        seen.add(p)
        todo += [b for b in base_files(p) if b not in seen]


def test_ladder_plus_table5_is_exactly_the_flagship():
    rung4, flagship = Config.fromfile(RUNG4), Config.fromfile(FLAGSHIP)
    for key in ('model', 'optim_wrapper', 'param_scheduler', 'train_cfg',
                'custom_hooks', 'default_hooks', 'auto_scale_lr',
                'runner_type', 'env_cfg', 'custom_imports'):
        assert rung4.to_dict()[key] == flagship.to_dict()[key], key
    # ... and the only other difference: the Table-5 augmentations
    loader4 = rung4.to_dict()['train_dataloader']
    loader = flagship.to_dict()['train_dataloader']
    pipe4, pipe = loader4['dataset'].pop('pipeline'), \
        loader['dataset'].pop('pipeline')
    assert loader4 == loader
    views = pipe[1]['transforms'][0]
    assert [t['type'].removeprefix('Fast') for t in views] == [
        'RandomResizedCrop', 'RandomFlip', 'RandomApply', 'RandomGrayscale',
        'RandomGaussianBlur', 'RandomSolarize'
    ]
    assert views[0]['scale'] == (0.08, 1.)
    assert views[2]['prob'] == 0.8 and views[2]['transforms'][0][
        'saturation'] == 0.2
    assert views[5]['prob'] == 0.2 and views[5]['threshold'] == 128
    assert pipe4 != pipe


def test_every_ladder_rung_changes_its_parent():
    rungs = [osp.join(ROOT, 'configs', 'mocov2_r50_200e.py')] + sorted(
        glob.glob(osp.join(ROOT, 'configs', 'ladder', '*.py')))
    cfgs = [Config.fromfile(p).to_dict() for p in rungs]
    for parent, child, path in zip(cfgs, cfgs[1:], rungs[1:]):
        assert parent != child, path


def test_runner_is_selected_by_the_config():
    cfg = Config.fromfile(FLAGSHIP)
    assert cfg.runner_type == 'AirlRunner'


@pytest.mark.slow
def test_mmselfsup_entry_point_builds_the_cpu_aware_runner(
        tmp_path, subprocess_env):
    """mmselfsup's own tools/train.py (from its wheel) builds
    ``Runner.from_cfg(cfg)`` whatever the config's ``runner_type``; the
    plugin, loaded by the config's ``custom_imports``, makes that build the
    config's ``AirlRunner`` (compat fix 6). The script runs unchanged in a
    fresh interpreter that has imported nothing of ours; only
    ``Runner.train`` is stubbed to report what was built (the flagship's
    ImageNet is not here). tests/tools/test_train.py trains through the
    same script on two CPU processes."""
    import importlib.util
    pkg = importlib.util.find_spec('mmselfsup').submodule_search_locations[0]
    script = osp.join(pkg, '.mim', 'tools', 'train.py')
    assert osp.isfile(script), f'mmselfsup ships no tools/train.py: {script}'
    code = f'''
import runpy, sys
from mmengine.runner import Runner
def train(self):
    print('RUNNER', type(self).__module__, type(self).__name__)
Runner.train = train
assert not any(m.split('.')[0] == 'airl_mm' for m in sys.modules)
sys.argv = [{script!r}, {FLAGSHIP!r}, '--work-dir', {str(tmp_path)!r}]
runpy.run_path({script!r}, run_name='__main__')
'''
    out = subprocess.run([sys.executable, '-c', code],
                         capture_output=True,
                         text=True,
                         cwd=ROOT,
                         env=subprocess_env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert 'RUNNER airl_mm.engine.runner.airl_runner AirlRunner' in \
        out.stdout, out.stdout[-2000:]
