"""--auto-scale-lr (issue 8): every lr scaled by real total batch / base,
on 1 process (in this process) and 2 CPU processes (tools/dist_train.sh)."""
import random
import subprocess

import pytest
import torch
from tool_loader import ROOT

from airl_mm.engine.runner import AirlRunner
from airl_mm.engine.runner.train import build_train_cfg

TINY = str(ROOT / 'tests/data/configs/tiny_mocov2plus_mnist.py')


def group_lrs(tmp_path, auto_scale_lr, name):
    cfg = build_train_cfg(
        TINY, work_dir=str(tmp_path / name), auto_scale_lr=auto_scale_lr)
    # param groups with their own lr: every one must be scaled
    cfg.optim_wrapper.paramwise_cfg = dict(custom_keys={
        'neck': dict(lr_mult=0.1),
        'predictor': dict(lr_mult=2.0)
    })
    cfg.log_level = 'WARNING'
    runner = AirlRunner.from_cfg(cfg)
    wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    runner.scale_lr(wrapper, runner.auto_scale_lr)
    return [g['lr'] for g in wrapper.optimizer.param_groups]


def test_auto_scale_lr_scales_every_param_group_on_one_process(tmp_path):
    plain = group_lrs(tmp_path, False, 'plain')
    scaled = group_lrs(tmp_path, True, 'scaled')
    assert sorted(set(plain)) == pytest.approx([0.005, 0.05, 0.1])
    ratio = 1 * 8 / 1024  # processes x batch / auto_scale_lr.base
    assert scaled == pytest.approx([lr * ratio for lr in plain], rel=1e-12)


def test_auto_scale_lr_needs_a_base_batch(tmp_path):
    with pytest.raises(ValueError, match='auto_scale_lr.base_batch_size'):
        build_train_cfg(
            TINY,
            work_dir=str(tmp_path),
            auto_scale_lr=True,
            cfg_options=dict(auto_scale_lr=None))


@pytest.mark.slow
def test_auto_scale_lr_on_two_cpu_processes(subprocess_env, tmp_path):
    env = dict(
        subprocess_env,
        PORT=str(random.randint(20000, 40000)),
        OMP_NUM_THREADS='1')
    wd = tmp_path / 'dist'
    out = subprocess.run([
        'bash', 'tools/dist_train.sh', TINY, '2', '--work-dir',
        str(wd), '--auto-scale-lr', '--cfg-options', 'train_cfg.max_iters=1',
        'param_scheduler=[]', 'default_hooks.checkpoint.interval=1'
    ],
                         cwd=ROOT,
                         env=env,
                         capture_output=True,
                         text=True)
    log = out.stdout + out.stderr
    assert out.returncode == 0, log[-4000:]
    want = 0.05 * (2 * 8) / 1024
    for rank in (0, 1):
        start = torch.load(wd / f'start_rank{rank}.pth', weights_only=False)
        lrs = [g['lr'] for g in start['optimizer']['param_groups']]
        assert lrs and lrs == pytest.approx([want] * len(lrs), rel=1e-12)
    assert ('auto_scale_lr: total batch 16 (2 process(es) x 8), base batch '
            '1024: lr 0.05 -> 0.00078125') in log
    assert 'differs from auto_scale_lr' not in log
