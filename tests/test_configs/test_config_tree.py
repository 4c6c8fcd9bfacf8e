"""The config tree: released configs are shallow, the ladder cannot drift
from the flagship, and every entry point builds the CPU-aware runner."""
import ast
import glob
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.config import Config

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
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


def test_mmselfsup_entry_point_builds_the_cpu_aware_runner(tmp_path):
    """mmselfsup's tools/train.py rule (``RUNNERS.build(cfg)`` when the
    config has ``runner_type``), in a fresh process that imports nothing of
    ours but the config: the Runner it builds is ours."""
    code = f'''
from mmengine.config import Config
from mmengine.registry import DefaultScope
cfg = Config.fromfile({FLAGSHIP!r})  # custom_imports loads the plugin
cfg.work_dir = {str(tmp_path)!r}
from mmselfsup.registry import RUNNERS
from airl_mm.engine.runner import AirlRunner
assert 'runner_type' in cfg
cls = RUNNERS.get(cfg.runner_type)
assert cls is AirlRunner and issubclass(cls, __import__(
    'mmengine.runner', fromlist=['Runner']).Runner), cls
print('RUNNER', cls.__name__)
'''
    out = subprocess.run([sys.executable, '-c', code],
                         capture_output=True,
                         text=True,
                         cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    assert 'RUNNER AirlRunner' in out.stdout


@pytest.mark.slow
def test_configs_readme_table_is_the_configs_own():
    from airl_mm.analysis.recipes import config_table, pretraining_configs
    text = open(osp.join(ROOT, 'configs', 'README.md')).read()
    table = config_table(ROOT, pretraining_configs(ROOT))
    assert table in text, ('configs/README.md is stale: run python '
                           'tools/analysis/config_table.py --write')


def test_recipe_line_reads_the_resolved_config():
    from airl_mm.analysis.recipes import recipe_line
    flagship = recipe_line(Config.fromfile(FLAGSHIP))
    assert 'MoCoV2Plus R-50 SyncBN' in flagship
    assert 'm 0.99->1' in flagship and 'sym InfoNCE t=0.2' in flagship
    assert 'solarize@0.2 (both views)' in flagship
    mocov2 = recipe_line(
        Config.fromfile(osp.join(ROOT, 'configs', 'mocov2_r50_200e.py')))
    assert 'm 0.999 fixed' in mocov2 and 'ShuffleBN' in mocov2
    assert 'proj 2048-2048-128 no BN' in mocov2
    asym = recipe_line(
        Config.fromfile(
            osp.join(ROOT, 'configs', 'byol_r50_200e_sgd_asym-aug.py')))
    assert 'v1: ' in asym and 'v2: ' in asym and 'blur@0.1' in asym
