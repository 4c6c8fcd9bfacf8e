"""Overrides either reach what they name or are refused with the full path
of the copy (issue 16, part 3), and ``num_workers=0`` works with configs
that keep workers alive (part 5)."""
import copy
import functools
import glob
import inspect
import os.path as osp
import re
import subprocess
import sys

import pytest
from mmengine.config import Config
from mmengine.runner import Runner
from tool_loader import ROOT

from airl_mm.engine.runner import AirlRunner
from airl_mm.engine.runner.cfg_options import (
    RUNNER_CFG_GETS, CfgOptionError, check_cfg_options, merge_cfg_options,
    names_read, no_persistent_workers_without_workers, runner_arguments,
    template_copies, worker_safe_loader_cfg)
from airl_mm.engine.runner.train import build_train_cfg

CONFIGS = sorted(
    osp.relpath(p, ROOT) for p in glob.glob(
        osp.join(ROOT, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in p.split(osp.sep))
DEMO = 'configs/demo/mocov2plus_r18-w32_mnist.py'
# where the demo config's Table-5 steps end up (read off the file by hand)
DEMO_VIEWS = 'train_dataloader.dataset.pipeline.0.transforms.0'
TINY = 'tests/data/configs/tiny_mocov2plus_mnist.py'
PROBE = 'cfg-options-probe'


@functools.lru_cache(maxsize=None)
def _load(path: str) -> Config:
    return Config.fromfile(osp.join(ROOT, path))


def load(path: str) -> Config:
    """A fresh copy of the (cached) config at ``path``."""
    return copy.deepcopy(_load(path))


def get_path(cfg, dotted: str):
    node = cfg
    for part in dotted.split('.'):
        node = node[int(part)] if isinstance(node, (list, tuple)) \
            else node[part]
    return node


def unscoped(obj):
    """``obj`` without mmengine's ``_scope_`` keys (added to top-level
    dicts with a ``type`` when the file is read, not to their copies)."""
    if isinstance(obj, dict):
        return {k: unscoped(v) for k, v in obj.items() if k != '_scope_'}
    if isinstance(obj, (list, tuple)):
        return type(obj)(unscoped(v) for v in obj)
    return obj


# ------------------------------------------------------- what the run reads
def test_runner_names_come_from_the_installed_sources():
    """Every top-level name mmengine's Runner and ours read with
    ``self.cfg.get``/``self.cfg.x`` is known (a newer mmengine that reads
    another one fails here, not silently)."""
    args = runner_arguments()
    assert {
        'model', 'train_dataloader', 'optim_wrapper', 'param_scheduler',
        'default_hooks', 'custom_hooks', 'env_cfg', 'randomness', 'visualizer',
        'work_dir', 'launcher'
    } <= args
    pattern = re.compile(r"self\.cfg\.get\(\s*'(\w+)'|self\.cfg\.(\w+)\s*=")
    found = set()
    for cls in (Runner, AirlRunner):
        for m in pattern.finditer(inspect.getsource(cls)):
            found.add(m.group(1) or m.group(2))
    assert set(RUNNER_CFG_GETS) <= found
    assert found <= names_read({}), found - names_read({})


def test_data_preprocessor_is_read_only_without_the_models_own():
    assert 'data_preprocessor' in names_read({'model': {'type': 'X'}})
    assert 'data_preprocessor' not in names_read(
        {'model': {
            'data_preprocessor': {}
        }})


# --------------------------------------------------------- every config
@pytest.mark.parametrize('path', CONFIGS)
def test_every_template_override_is_refused_with_its_copies(path):
    """Overriding any top-level name the run does not read is refused; the
    message names each copy (which holds the template's value), and the
    override it suggests reaches the copy."""
    cfg = _load(path)
    data = cfg.to_dict()
    read = names_read(data)
    suggested = {}
    for name in [k for k in data if k not in read]:
        value = data[name]
        key = f'{name}.probe' if isinstance(value, dict) else name
        with pytest.raises(CfgOptionError) as err:
            check_cfg_options(cfg, {key: PROBE})
        msg = str(err.value)
        assert f'{key}:' in msg and repr(name) in msg, msg
        copies = template_copies(cfg, name)
        if not copies:
            assert f'nothing reads {name!r}' in msg, msg
        for p in copies[:8]:
            assert p.split('.')[0] in read
            assert unscoped(get_path(data, p)) == unscoped(value), (p, name)
            parent, _, last = p.rpartition('.')
            if key != name:
                full, probe = f'{p}.probe', PROBE
            elif last.isdigit() and not isinstance(value, dict):
                # a list item that is no dict: mmengine can only set the list
                full = parent
                probe = list(get_path(data, parent))
                probe[int(last)] = PROBE
            else:
                full, probe = p, PROBE
            assert full in msg, (full, msg)
            suggested[full] = probe
    # the suggested full paths are real: they pass and reach the copies
    # (in two merges: a path inside another's copy, such as crop's inside
    # view_pipeline's, would be replaced by it)
    inner = {
        k
        for k in suggested if any(k.startswith(o + '.') for o in suggested)
    }
    for group in (set(suggested) - inner, inner):
        merged = merge_cfg_options(
            load(path), {k: suggested[k]
                         for k in group})
        for full in group:
            assert unscoped(get_path(merged, full)) == suggested[full], full


@pytest.mark.parametrize('path', CONFIGS)
def test_real_paths_pass_and_are_applied(path):
    cfg = load(path)
    opts = {'randomness.seed': 1234}
    if 'train_dataloader' in cfg:
        opts['train_dataloader.batch_size'] = 3
    merge_cfg_options(cfg, opts)
    assert cfg.randomness.seed == 1234
    if 'train_dataloader' in cfg:
        assert cfg.train_dataloader.batch_size == 3


def test_the_issue_cases_name_the_full_path():
    cfg = _load(DEMO)
    for key in ('crop.size', 'view_pipeline.0.size'):
        with pytest.raises(
                CfgOptionError, match=re.escape(f'{DEMO_VIEWS}.0.size')):
            check_cfg_options(cfg, {key: 16})
    # a template the config does not use: nothing reads it
    with pytest.raises(CfgOptionError, match="nothing reads 'crop'"):
        check_cfg_options(_load(TINY), {'crop.size': 16})
    # a typo: the nearest real name
    with pytest.raises(CfgOptionError, match="mean 'train_dataloader'"):
        check_cfg_options(cfg, {'train_dataloder.batch_size': 8})


def test_several_bad_overrides_are_reported_together():
    with pytest.raises(CfgOptionError) as err:
        check_cfg_options(
            _load(DEMO), {
                'crop.size': 16,
                'max_epochs': 2,
                'train_cfg.max_epochs': 2
            })
    msg = str(err.value)
    assert 'crop.size:' in msg and 'max_epochs:' in msg
    assert 'train_cfg.max_epochs:' not in msg
    # the scalar template: every place its value went
    assert 'train_cfg.max_epochs' in msg
    assert 'default_hooks.checkpoint.interval' in msg


# -------------------------------------------------- through tools/train.py
def test_build_train_cfg_refuses_a_template_and_applies_the_path():
    with pytest.raises(CfgOptionError) as err:
        build_train_cfg(osp.join(ROOT, DEMO), cfg_options={'crop.size': 16})
    assert f'{DEMO_VIEWS}.0.size' in str(err.value)
    cfg = build_train_cfg(
        osp.join(ROOT, DEMO), cfg_options={f'{DEMO_VIEWS}.0.size': 16})
    assert get_path(cfg, f'{DEMO_VIEWS}.0.size') == 16


def test_build_train_cfg_refuses_what_its_arguments_replace(tmp_path):
    config = osp.join(ROOT, TINY)
    with pytest.raises(CfgOptionError, match='--launcher'):
        build_train_cfg(config, cfg_options={'launcher': 'pytorch'})
    with pytest.raises(CfgOptionError, match='--work-dir'):
        build_train_cfg(
            config, str(tmp_path), cfg_options={'work_dir': 'elsewhere'})
    # without --work-dir the override is the work dir
    cfg = build_train_cfg(config, cfg_options={'work_dir': str(tmp_path)})
    assert cfg.work_dir == str(tmp_path)


def test_overridden_custom_imports_are_imported(tmp_path, monkeypatch):
    (tmp_path / 'cfg_options_probe_module.py').write_text('LOADED = 1\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, 'cfg_options_probe_module', raising=False)
    build_train_cfg(
        osp.join(ROOT, TINY),
        cfg_options={
            'custom_imports.imports':
            ['airl_mm.register', 'helper_hooks', 'cfg_options_probe_module']
        })
    assert 'cfg_options_probe_module' in sys.modules


@pytest.mark.slow
def test_tools_train_stops_with_the_path(subprocess_env, tmp_path):
    out = subprocess.run([
        sys.executable, 'tools/train.py', DEMO, '--work-dir',
        str(tmp_path), '--cfg-options', 'crop.size=16'
    ],
                         cwd=ROOT,
                         env=subprocess_env,
                         capture_output=True,
                         text=True)
    assert out.returncode == 2, out.stderr[-2000:]
    assert f'{DEMO_VIEWS}.0.size' in out.stderr
    assert 'Traceback' not in out.stderr
    assert not list(tmp_path.iterdir())  # nothing ran


# ----------------------------------------------- num_workers=0 (part 5)
def test_num_workers_0_builds_a_loader():
    cfg = build_train_cfg(
        osp.join(ROOT, DEMO),
        cfg_options={
            'train_dataloader.num_workers': 0,
            'train_dataloader.batch_size': 4,
            'train_dataloader.dataset.indices': 8
        })
    assert cfg.train_dataloader.persistent_workers is False
    loader = Runner.build_dataloader(cfg.train_dataloader.to_dict(), seed=0)
    batch = next(iter(loader))
    assert len(batch['inputs']) == 2 and batch['inputs'][0].shape[0] == 4
    # what the merge alone gave (the old build_train_cfg): torch refuses it
    old = load(DEMO)
    old.merge_from_dict({'train_dataloader.num_workers': 0})
    assert old.train_dataloader.persistent_workers is True
    old_loader = old.train_dataloader.to_dict()
    old_loader['dataset'] = loader.dataset  # (built already)
    with pytest.raises(ValueError, match='persistent_workers'):
        Runner.build_dataloader(old_loader, seed=0)


def test_only_loaders_without_workers_change():
    cfg = Config(
        dict(
            train_dataloader=dict(num_workers=0, persistent_workers=True),
            val_dataloader=dict(num_workers=2, persistent_workers=True),
            test_dataloader=dict(persistent_workers=True),
            custom_hooks=[
                dict(
                    type='H',
                    loader=dict(num_workers=0, persistent_workers=True))
            ]))
    assert no_persistent_workers_without_workers(cfg) == [
        'train_dataloader', 'test_dataloader', 'custom_hooks.0.loader'
    ]
    assert cfg.val_dataloader.persistent_workers is True
    assert cfg.custom_hooks[0].loader.persistent_workers is False
    assert no_persistent_workers_without_workers(cfg) == []


def test_worker_safe_loader_cfg_copies():
    loader = dict(num_workers=0, persistent_workers=True, batch_size=2)
    safe = worker_safe_loader_cfg(loader)
    assert safe == dict(num_workers=0, persistent_workers=False, batch_size=2)
    assert loader['persistent_workers'] is True  # the caller's is kept
    busy = dict(num_workers=2, persistent_workers=True)
    assert worker_safe_loader_cfg(busy) is busy
    assert worker_safe_loader_cfg(None) is None


def test_override_of_one_of_two_copied_loaders_warns(caplog):
    """The classification configs read val_dataloader and a copy of it as
    test_dataloader: changing one only is allowed but said."""
    from mmengine.logging import MMLogger

    from airl_mm.engine.runner.cfg_options import merge_cfg_options, read_twins
    path = osp.join(
        ROOT, 'configs/benchmarks/classification/'
        'linear_r50_sgd-steplr-100e_in1k.py')
    cfg = copy.deepcopy(load(path))
    assert read_twins(cfg, {'val_dataloader.batch_size': 7}) == [
        ('val_dataloader.batch_size', 'test_dataloader.batch_size')
    ]
    assert read_twins(cfg, {
        'val_dataloader.batch_size': 7,
        'test_dataloader.batch_size': 7
    }) == []
    logger = MMLogger.get_instance('twins', log_level='WARNING')
    seen = []
    logger.addHandler(
        type('H', (__import__('logging').Handler, ), {
            'emit': lambda self, r: seen.append(r.getMessage())
        })())
    MMLogger._instance_dict.move_to_end('twins')  # the current logger
    merge_cfg_options(cfg, {'val_dataloader.batch_size': 7})
    assert cfg.val_dataloader.batch_size == 7
    assert cfg.test_dataloader.batch_size != 7
    assert any('add test_dataloader.batch_size=... to change both' in m
               for m in seen)
