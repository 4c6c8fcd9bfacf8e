"""demo/common.py and the demo entry points: training through the
checkout's tools/train.py, argument checks, the make targets."""
import re
import subprocess
import sys

import pytest

import collapse_demo
import common
import normrescale_demo
import pretrain_demo
import transfer_demo

DEMOS = {
    'demo': pretrain_demo,
    'normrescale-demo': normrescale_demo,
    'collapse-demo': collapse_demo,
    'transfer-demo': transfer_demo,
}


def test_run_training_runs_the_checkouts_train_tool(tmp_path, monkeypatch,
                                                    repo_root):
    """The demos train with ``tools/train.py`` of this checkout (the
    library keeps no command line), overrides and all; the checkpoint is
    the one the run names."""
    calls = []

    def fake_run(cmd, check):
        calls.append((cmd, check))
        (tmp_path / 'last_checkpoint').write_text('/x/epoch_2.pth\n')

    monkeypatch.setattr(common.subprocess, 'run', fake_run)
    config = 'configs/demo/mocov2plus_r18-w32_mnist.py'
    ckpt = common.run_training(config, str(tmp_path), ['a.b=1', 'c=2'])
    assert ckpt == '/x/epoch_2.pth'
    (cmd, check), = calls
    assert check is True
    assert cmd[:2] == [sys.executable, str(repo_root / 'tools' / 'train.py')]
    assert cmd[2].endswith(config)
    assert cmd[3:] == [
        '--work-dir',
        str(tmp_path), '--cfg-options', 'a.b=1', 'c=2'
    ]
    calls.clear()
    assert common.run_training(config, str(tmp_path), checkpoint=False) is None
    assert calls[0][0][3:] == ['--work-dir', str(tmp_path)]


def test_epochs_arguments_are_checked_up_front(capsys):
    assert pretrain_demo.parse_args(['--epochs', '3']).epochs == 3
    bad_values = (
        (pretrain_demo.parse_args, '1', 'at least 2'),
        (normrescale_demo.parse_args, '1', 'at least 2'),
        (collapse_demo.parse_args, '0', 'must be >= 1'),
    )
    for parse, bad, why in bad_values:
        with pytest.raises(SystemExit) as e:
            parse(['--epochs', bad])
        assert e.value.code == 2
        assert why in capsys.readouterr().err
    assert normrescale_demo.parse_args([]).epochs == 15
    assert transfer_demo.parse_args(['--only',
                                     'MoCo v2+']).only == ['MoCo v2+']


def test_make_targets_run_the_demo_scripts(repo_root):
    makefile = (repo_root / 'Makefile').read_text()
    for target, module in DEMOS.items():
        recipe = re.search(rf'^{target}:.*\n\t(.+)$', makefile, re.M)
        assert recipe, f'no make target {target}'
        script = f'demo/{module.__name__}.py'
        assert recipe.group(1) == f'$(PY) {script}', target
        assert (repo_root / script).is_file()
        assert callable(module.main)


def test_the_library_holds_no_demo(repo_root):
    assert not (repo_root / 'airl_mm' / 'demos').exists()
    assert not (repo_root / 'demo' / '__init__.py').exists()  # no package


@pytest.mark.slow
@pytest.mark.parametrize('name', sorted(m.__name__ for m in DEMOS.values()))
def test_scripts_run_from_anywhere(name, repo_root, tmp_path):
    """``python demo/<name>.py`` finds its shared module without the
    tests' pythonpath (a fresh interpreter, another working dir)."""
    out = subprocess.run(
        [sys.executable,
         str(repo_root / 'demo' / f'{name}.py'), '--help'],
        cwd=tmp_path,
        capture_output=True,
        text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert '--work-dir' in out.stdout
