"""Host glue (airl_mm.compat): each upstream trap, shown fixed."""
import io
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.fileio.backends import LocalBackend
from mmengine.logging import MessageHub
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import save_checkpoint

from airl_mm.checkpoint import CheckpointError, load_checkpoint_file

IMPORT_ORDERS = {
    'twice':
    'import airl_mm, importlib; importlib.reload(airl_mm); '
    'import airl_mm',
    'hosts first':
    'import mmdet.models, mmseg.models, mmpretrain.models; '
    'import airl_mm',
    'hosts after':
    'import airl_mm; import mmselfsup.models, '
    'mmpretrain.models, mmdet.models, mmseg.models',
    'mmpretrain first':
    'import mmpretrain.models; import airl_mm; '
    'import mmselfsup.models',
}
CHECK = ('from mmselfsup.registry import MODELS, HOOKS, DATASETS; '
         'from mmdet.registry import MODELS as D; '
         "assert MODELS.get('MoCoV2Plus') and HOOKS.get("
         "'MomentumAscendingHook') and DATASETS.get('MNISTDigits'); "
         "assert D.get('ResLayerExtraNorm'); print('ok')")


@pytest.mark.slow
@pytest.mark.parametrize('order', list(IMPORT_ORDERS))
def test_no_registry_clash_in_any_import_order(order, subprocess_env):
    out = subprocess.run(
        [sys.executable, '-c', IMPORT_ORDERS[order] + '; ' + CHECK],
        env=subprocess_env,
        capture_output=True,
        text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith('ok')


@pytest.mark.slow
def test_the_upstream_clash_exists_without_airl_mm(subprocess_env):
    """The trap itself: mmselfsup.models alone fails beside mmpretrain."""
    out = subprocess.run([sys.executable, '-c', 'import mmselfsup.models'],
                         env=subprocess_env,
                         capture_output=True,
                         text=True)
    assert out.returncode != 0
    assert 'ResLayerExtraNorm is already registered' in out.stderr


def mmengine_like_checkpoint():
    hub = MessageHub.get_instance('ckpt_test')
    for v in (1.0, 2.0, 4.0):
        hub.update_scalar('train/loss', v)
    hub.update_info('iter', 3)
    return {
        'meta': {
            'epoch': 1,
            'iter': 3,
            'seed': np.int64(7)
        },
        'state_dict': {
            'w': torch.randn(3)
        },
        'message_hub': hub.state_dict()
    }


def test_mmengine_checkpoint_loads_with_weights_only(tmp_path):
    path = tmp_path / 'epoch_1.pth'
    save_checkpoint(mmengine_like_checkpoint(), str(path))
    assert 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD' not in os.environ
    ckpt = torch.load(path, weights_only=True)  # allow-list, not a bypass
    buf = ckpt['message_hub']['log_scalars']['train/loss']
    assert isinstance(buf, HistoryBuffer)
    assert buf.mean() == pytest.approx(7 / 3)
    assert ckpt['meta']['seed'] == 7


def test_without_the_allow_list_torch_refuses_it(tmp_path, subprocess_env):
    """The trap itself (so the test above shows the fix, not luck)."""
    path = tmp_path / 'epoch_1.pth'
    save_checkpoint(mmengine_like_checkpoint(), str(path))
    code = ('import torch, sys\ntry:\n torch.load(sys.argv[1], '
            'weights_only=True)\nexcept Exception as e:\n print("refused",'
            ' type(e).__name__)')
    out = subprocess.run(
        [sys.executable, '-c', code, str(path)],
        env=subprocess_env,
        capture_output=True,
        text=True)
    assert 'refused UnpicklingError' in out.stdout, out.stderr[-2000:]


def test_getattr_stand_in_allows_only_history_buffer_statistics(tmp_path):

    class Sneaky:

        def __reduce__(self):
            return getattr, (HistoryBuffer, '__init__')

    path = tmp_path / 'sneaky.pth'
    torch.save({'x': Sneaky()}, path)
    with pytest.raises(CheckpointError, match='not allowed'):
        load_checkpoint_file(path)


def test_local_backend_writes_are_atomic(tmp_path, monkeypatch):
    path = tmp_path / 'epoch_2.pth'
    path.write_bytes(b'previous complete checkpoint')

    def crash(src, dst):
        raise KeyboardInterrupt  # killed between write and rename

    monkeypatch.setattr(os, 'replace', crash)
    with pytest.raises(KeyboardInterrupt):
        LocalBackend().put(b'new' * 1000, str(path))
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint({'w': torch.ones(3)}, str(tmp_path / 'iter_9.pth'))
    monkeypatch.undo()
    assert path.read_bytes() == b'previous complete checkpoint'
    assert sorted(os.listdir(tmp_path)) == ['epoch_2.pth']  # no partials
    LocalBackend().put_text('epoch_2.pth', str(tmp_path / 'last_checkpoint'))
    assert (tmp_path / 'last_checkpoint').read_text() == 'epoch_2.pth'


def test_torch_save_of_plain_pickle_still_works():
    """The allow-list does not change what plain pickle does."""
    data = pickle.dumps({'a': 1})
    assert pickle.load(io.BytesIO(data)) == {'a': 1}


HOSTS = ('mmdet', 'mmseg', 'mmselfsup', 'mmpretrain', 'mmcls', 'mmcv')
APPLIED = ('import sys; from airl_mm import compat; '
           'from mmengine.fileio.backends import LocalBackend; '
           'assert compat._APPLIED and LocalBackend.put._airl_atomic; '
           "assert 'mmselfsup.engine.runner' in sys.modules; "
           'from mmselfsup.registry import RUNNERS; '
           "assert RUNNERS.get('AirlRunner'); ")


def run_python(code: str, env: dict) -> str:
    out = subprocess.run([sys.executable, '-c', code],
                         env=env,
                         capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


@pytest.mark.parametrize(
    'module',
    ['airl_mm.checkpoint', 'airl_mm.checkpoint.convert', 'airl_mm.fileio'])
def test_checkpoint_code_imports_none_of_the_hosts(module, subprocess_env):
    out = run_python(
        f'import sys, {module}; '
        f'print(sorted(m for m in sys.modules if m.split(".")[0] in '
        f'{HOSTS!r}))', subprocess_env)
    assert out.strip() == '[]'


def test_light_import_registers_on_first_use_of_a_heavy_part(subprocess_env):
    # a heavy subpackage applies the glue before its own imports
    run_python(
        'import airl_mm.checkpoint; import airl_mm.models; ' +
        APPLIED.replace("assert RUNNERS.get('AirlRunner'); ", '') +
        "from mmselfsup.registry import MODELS; "
        "assert MODELS.get('MoCoV2Plus')", subprocess_env)
    # the package's heavy attributes register everything
    run_python(
        'import airl_mm.checkpoint, airl_mm; airl_mm.engine; ' + APPLIED +
        CHECK, subprocess_env)


@pytest.mark.slow
def test_import_airl_mm_and_custom_imports_register_everything(
        subprocess_env, repo_root):
    run_python('import airl_mm; ' + APPLIED + CHECK, subprocess_env)
    cfg = repo_root / 'configs' / 'mocov2plus_r50_200e.py'
    run_python(
        'from mmengine.config import Config; '
        f'Config.fromfile({str(cfg)!r}); ' + APPLIED + CHECK, subprocess_env)


def test_light_loader_reads_mmengine_checkpoints(tmp_path, subprocess_env):
    """The conversion path allows mmengine's classes only when a file
    needs them, and still refuses pickled code."""
    path = tmp_path / 'mm.pth'
    save_checkpoint(mmengine_like_checkpoint(), str(path))
    out = run_python(
        'import sys; from airl_mm.checkpoint import load_checkpoint_file; '
        f'ck = load_checkpoint_file({str(path)!r}); '
        "print(type(ck['message_hub']['log_scalars']['train/loss'])"
        '.__name__, any(m.startswith("mmselfsup") for m in sys.modules))',
        subprocess_env)
    assert out.split() == ['HistoryBuffer', 'False']
