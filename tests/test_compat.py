"""Host glue (airl_mm.compat): each upstream trap, shown fixed."""
import io
import os
import pickle
import subprocess
import sys
from pathlib import Path

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
    'import airl_mm.register, importlib; '
    'importlib.reload(airl_mm.register); import airl_mm.register',
    'hosts first':
    'import mmdet.models, mmseg.models, mmpretrain.models; '
    'import airl_mm.register',
    'hosts after':
    'import airl_mm.register; import mmselfsup.models, '
    'mmpretrain.models, mmdet.models, mmseg.models',
    'mmpretrain first':
    'import mmpretrain.models; import airl_mm.register; '
    'import mmselfsup.models',
    'models directly':
    'import mmpretrain.models; import airl_mm.models; '
    'import mmselfsup.models; import airl_mm.register',
}
CHECK = ('from mmselfsup.registry import MODELS, HOOKS, DATASETS; '
         'from mmdet.registry import MODELS as D; '
         "assert MODELS.get('MoCoV2Plus') and HOOKS.get("
         "'MomentumAscendingHook') and DATASETS.get('MNISTDigits'); "
         "assert D.get('ResLayerExtraNorm') and D.get('C4SharedHead'); "
         "print('ok')")


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


@pytest.mark.slow
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
    from airl_mm import compat
    compat.atomic_local_writes()  # what building an AirlRunner applies
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
# what ``import airl_mm.register`` (configs' custom_imports) applies
APPLIED = ('import sys; from mmengine.runner import Runner; '
           'from mmengine.runner.checkpoint import CheckpointLoader; '
           'from mmcv.transforms import LoadImageFromFile; '
           "assert 'mmselfsup.engine.runner' in sys.modules; "
           "assert CheckpointLoader._schemes[''].__name__ == "
           "'load_from_local'; "
           'assert LoadImageFromFile.transform._airl_names_image; '
           'assert Runner.from_cfg._airl_runner_type; '
           'from mmselfsup.registry import RUNNERS; '
           "assert RUNNERS.get('AirlRunner'); ")


def run_python(code: str, env: dict) -> str:
    out = subprocess.run([sys.executable, '-c', code],
                         env=env,
                         capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


@pytest.mark.slow
@pytest.mark.parametrize('module', [
    'airl_mm', 'airl_mm.checkpoint', 'airl_mm.checkpoint.convert',
    'airl_mm.fileio'
])
def test_root_and_checkpoint_code_import_none_of_the_hosts(
        module, subprocess_env):
    out = run_python(
        f'import sys, {module}; '
        f'print(sorted(m for m in sys.modules if m.split(".")[0] in '
        f'{HOSTS!r}))', subprocess_env)
    assert out.strip() == '[]'


# Each fix where it is needed (compat's docstring): a heavy subpackage
# imports the hosts clash-free (1, 2) and patches nothing else; the
# AirlRunner adds what a run needs (3, 4, 7); only the registration entry
# point that configs name adds the runner-type dispatch (6), and it leaves
# mmengine's writes alone.
WHERE_APPLIED = '''
import sys
import torch
from mmcv.transforms import LoadImageFromFile
from mmengine.fileio.backends import LocalBackend
from mmengine.model import BaseModel
from mmengine.runner import Runner
from mmengine.runner.checkpoint import CheckpointLoader

def applied():
    return dict(
        hosts='mmselfsup.engine.runner' in sys.modules,
        checkpoints=getattr(CheckpointLoader._schemes.get(''),
                            '_airl_loader', False),
        atomic=getattr(LocalBackend.put, '_airl_atomic', False),
        runner_type=getattr(Runner.from_cfg, '_airl_runner_type', False),
        images=getattr(LoadImageFromFile.transform, '_airl_names_image',
                       False))

print('models', sorted(k for k, v in applied().items() if v))
import airl_mm.models
print('models', sorted(k for k, v in applied().items() if v))

class Tiny(BaseModel):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Linear(1, 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        return self.w(inputs)

from airl_mm.engine.runner import AirlRunner
AirlRunner(model=Tiny(), work_dir=sys.argv[1])
print('runner', sorted(k for k, v in applied().items() if v))
import airl_mm.register
print('register', sorted(k for k, v in applied().items() if v))
'''


@pytest.mark.slow
def test_each_fix_is_applied_where_it_is_needed(subprocess_env, tmp_path):
    out = subprocess.run([sys.executable, '-c', WHERE_APPLIED,
                          str(tmp_path)],
                         env=subprocess_env,
                         capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = [
        ln for ln in out.stdout.splitlines()
        if ln.startswith(('models', 'runner', 'register'))
    ]
    assert lines == [
        'models []',
        "models ['hosts']",
        "runner ['atomic', 'checkpoints', 'hosts', 'images']",
        "register ['atomic', 'checkpoints', 'hosts', 'images', "
        "'runner_type']",
    ]


@pytest.mark.slow
def test_registration_without_a_runner_leaves_writes_alone(subprocess_env):
    run_python(
        'import airl_mm; airl_mm.register_all_modules(); ' + APPLIED + CHECK +
        '; '
        'from mmengine.fileio.backends import LocalBackend; '
        "assert not hasattr(LocalBackend.put, '_airl_atomic')", subprocess_env)


# Each subpackage that needs the hosts, imported first and alone in a fresh
# process (as a tool or a test would), then used: the glue it needs comes
# with it.
DIRECT = {
    'models':
    'import airl_mm.models; from mmselfsup.registry import MODELS; '
    "MODELS.build(dict(type='MLPNeck', in_channels=4, hid_channels=4, "
    'out_channels=2))',
    'engine':
    'import airl_mm.engine; from mmselfsup.registry import HOOKS, RUNNERS; '
    "assert RUNNERS.get('AirlRunner') and "
    "HOOKS.get('MomentumAscendingHook')",
    'datasets':
    'import airl_mm.datasets; from mmselfsup.registry import DATASETS; '
    "assert DATASETS.get('MNISTDigits')",
    'evaluation':
    'import torch; from airl_mm.evaluation.knn import knn_accuracy; '
    'f = torch.nn.functional.normalize(torch.eye(4), dim=1); '
    'assert knn_accuracy(f, [0, 1, 2, 3], f, [0, 1, 2, 3], k=1) == 100',
    'analysis':
    'import torchvision; from airl_mm.analysis.representations import '
    'build_resnet; sd = torchvision.models.resnet18().state_dict(); '
    "build_resnet({k: v for k, v in sd.items() if k[:3] != 'fc.'})",
    'benchmarks':
    'from airl_mm.benchmarks import voc_difficult; '
    'from mmdet.registry import DATASETS; '
    "assert DATASETS.get('VOCTrainDifficultDataset')",
}


@pytest.mark.slow
@pytest.mark.parametrize('subpackage', list(DIRECT))
def test_each_subpackage_works_imported_directly(subpackage, subprocess_env):
    run_python(DIRECT[subpackage] + "; print('ok')", subprocess_env)


@pytest.mark.slow
def test_custom_imports_register_everything(subprocess_env, repo_root):
    run_python('import airl_mm.register; ' + APPLIED + CHECK, subprocess_env)
    cfg = repo_root / 'configs' / 'mocov2plus_r50_200e.py'
    run_python(
        'from mmengine.config import Config; '
        f'Config.fromfile({str(cfg)!r}); ' + APPLIED + CHECK, subprocess_env)


@pytest.mark.slow
def test_mmselfsup_tools_train_runs_our_config(subprocess_env, repo_root,
                                               tmp_path):
    """mmselfsup's own ``tools/train.py`` (what ``mim train mmselfsup``
    runs) imports nothing of ours: the config's ``custom_imports`` loads
    the plugin, and fix 6 makes its ``Runner.from_cfg`` build AirlRunner
    (whose checkpoints hold every rank's random state)."""
    import mmselfsup
    train_py = Path(mmselfsup.__file__).parent / '.mim' / 'tools' / 'train.py'
    assert train_py.is_file(), train_py
    out = subprocess.run([
        sys.executable,
        str(train_py),
        str(repo_root / 'tests/data/configs/tiny_mocov2plus_mnist.py'),
        '--work-dir',
        str(tmp_path), '--cfg-options', 'train_cfg.max_iters=2'
    ],
                         cwd=tmp_path,
                         env=subprocess_env,
                         capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    ckpt = torch.load(tmp_path / 'iter_2.pth', weights_only=True)
    assert 'rng_state' in ckpt['meta']  # AirlRunner's, not mmengine's


@pytest.mark.slow
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
