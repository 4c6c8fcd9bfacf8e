"""The non-finite guard and finite-only checkpoints on real runs (issue 8):
the tiny MoCo v2+ config with NaN inputs at iteration 3."""
import subprocess
import sys

import pytest
import torch
from tool_loader import ROOT

from airl_mm.checkpoint import load_checkpoint_file
from airl_mm.engine import NonFiniteLossError
from airl_mm.engine.runner import AirlRunner
from airl_mm.engine.runner.train import build_train_cfg

pytestmark = pytest.mark.slow
TINY = 'tests/data/configs/tiny_mocov2plus_mnist.py'
# NaN inputs at iteration 3 of 4; a checkpoint every iteration, keep one
POISON = [
    'custom_hooks.2.type=PoisonInputsHook', 'custom_hooks.2.iters=[3]',
    'default_hooks.checkpoint.interval=1',
    'default_hooks.checkpoint.max_keep_ckpts=1'
]


def finite(path):
    sd = load_checkpoint_file(path)['state_dict']
    return all(
        bool(torch.isfinite(v).all()) for v in sd.values()
        if v.is_floating_point())


def last_checkpoint(work_dir):
    return (work_dir / 'last_checkpoint').read_text().strip()


def test_nan_loss_stops_the_run_naming_iteration_epoch_and_terms(
        subprocess_env, tmp_path):
    out = subprocess.run([
        sys.executable, 'tools/train.py', TINY, '--work-dir',
        str(tmp_path), '--cfg-options', *POISON
    ],
                         cwd=ROOT,
                         env=subprocess_env,
                         capture_output=True,
                         text=True)
    log = out.stdout + out.stderr
    assert out.returncode != 0, log[-3000:]
    assert 'NonFiniteLossError: non-finite loss at iteration 3 (epoch 1' \
        in log, log[-3000:]
    for term in ('loss=nan', 'infonce_q1k2=nan', 'infonce_q2k1=nan'):
        assert term in log
    assert 'last checkpoint: ' + str(tmp_path / 'iter_2.pth') in log
    # nothing of iteration 3 was saved; the kept checkpoint is finite
    assert last_checkpoint(tmp_path).endswith('iter_2.pth')
    assert sorted(p.name for p in tmp_path.glob('iter_*.pth')) == \
        ['iter_2.pth']
    assert finite(tmp_path / 'iter_2.pth')
    # a run on 1 process at batch 8 with the lr of batch 1024 says so
    assert ('total batch 8 (1 process(es) x 8) differs from '
            'auto_scale_lr.base_batch_size=1024') in log
    assert 'unscaled lr 0.05' in log


def runner_for(tmp_path, guard, poisoned=(3, )):
    """The tiny run in this process, POISON's settings, ``guard`` as the
    non-finite guard's config."""
    cfg = build_train_cfg(str(ROOT / TINY), work_dir=str(tmp_path))
    cfg.custom_hooks[2] = dict(type='PoisonInputsHook', iters=poisoned)
    cfg.default_hooks.checkpoint.update(interval=1, max_keep_ckpts=1)
    cfg.default_hooks.nonfinite_guard = guard
    cfg.log_level = 'WARNING'
    return AirlRunner.from_cfg(cfg)


def test_without_the_guard_rotation_keeps_the_last_finite_checkpoint(tmp_path):
    runner = runner_for(tmp_path,
                        dict(type='NonFiniteGuardHook', enable=False))
    runner.train()  # NaN from iteration 3 on, to the end
    model_sd = runner.model.state_dict()
    assert not all(
        bool(torch.isfinite(v).all())
        for v in model_sd.values() if v.is_floating_point())
    # max_keep_ckpts=1, yet iteration 2's checkpoint was never rotated out
    assert last_checkpoint(tmp_path).endswith('iter_2.pth')
    assert sorted(p.name for p in tmp_path.glob('iter_*.pth')) == \
        ['iter_2.pth']
    assert finite(tmp_path / 'iter_2.pth')


def test_max_skips_skips_a_bad_step_without_a_trace(tmp_path):
    runner = runner_for(tmp_path, dict(type='NonFiniteGuardHook', max_skips=1))
    runner.train()
    assert runner.iter == 4
    guard = [
        h for h in runner.hooks if type(h).__name__ == 'NonFiniteGuardHook'
    ][0]
    assert guard.skipped == 1 and guard.bad_in_a_row == 0
    # the skipped step left no NaN behind (queue, BN statistics, teacher)
    assert last_checkpoint(tmp_path).endswith('iter_4.pth')
    assert finite(tmp_path / 'iter_4.pth')
    loss = runner.message_hub.get_scalar('train/loss').current()
    assert torch.isfinite(torch.tensor(loss))


def test_two_bad_steps_in_a_row_exceed_max_skips_1(tmp_path):
    runner = runner_for(
        tmp_path,
        dict(type='NonFiniteGuardHook', max_skips=1),
        poisoned=(3, 4))
    with pytest.raises(
            NonFiniteLossError,
            match=r'iteration 4 \(epoch 1.*2 bad steps in a row'):
        runner.train()
