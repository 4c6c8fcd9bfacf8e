"""Resume at another total batch and gradient accumulation (issue 16,
cases 1 and 2): schedules continue from the same point of the run, the
teacher moves once per optimizer step."""
import copy
import math
from pathlib import Path

import pytest
import torch
from mmengine.hooks import Hook
from tool_loader import ROOT

from airl_mm.engine.hooks import ascending_momentum
from airl_mm.engine.runner import AirlRunner
from airl_mm.engine.runner.train import build_train_cfg

EPOCHS = str(ROOT / 'tests/data/configs/tiny_mocov2plus_mnist_epochs.py')


class Record(Hook):
    """Teacher momentum, lr and iteration of every training iteration."""

    priority = 'LOWEST'

    def __init__(self):
        self.rows = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        model = runner.model
        self.rows.append(
            dict(
                iter=runner.iter,
                m=1.0 - float(model.teacher.momentum),
                lr=runner.optim_wrapper.optimizer.param_groups[0]['lr']))


def run(tmp_path,
        name,
        batch,
        resume=None,
        accumulate=1,
        scale_lr=False,
        epochs=2,
        ckpt=None):
    """The tiny MoCo v2+ run over 32 digits for ``epochs`` epochs: warm-up
    over the first epoch, then cosine, both converted to iterations."""
    options = {
        'train_dataloader.batch_size':
        batch,
        'train_dataloader.num_workers':
        0,
        'train_dataloader.persistent_workers':
        False,
        'train_cfg.max_epochs':
        epochs,
        'param_scheduler': [
            dict(
                type='LinearLR',
                start_factor=0.1,
                by_epoch=True,
                begin=0,
                end=1,
                convert_to_iter_based=True),
            dict(
                type='CosineAnnealingLR',
                T_max=epochs - 1,
                by_epoch=True,
                begin=1,
                end=epochs,
                convert_to_iter_based=True)
        ],
        'optim_wrapper.accumulative_counts':
        accumulate,
        'auto_scale_lr.base_batch_size':
        8,
        'log_level':
        'WARNING',
    }
    if ckpt:
        options['default_hooks.checkpoint'] = ckpt
    cfg = build_train_cfg(
        EPOCHS,
        work_dir=str(tmp_path / name),
        resume=resume,
        auto_scale_lr=scale_lr,
        cfg_options=options)
    cfg.custom_hooks = cfg.custom_hooks[:1]  # MomentumAscendingHook only
    runner = AirlRunner.from_cfg(cfg)
    record = Record()
    runner.register_hook(record)
    runner.train()
    return runner, record.rows


@pytest.mark.slow
def test_resume_at_half_the_batch_continues_every_schedule(tmp_path):
    # 32 digits: batch 8 -> 4 iterations per epoch; batch 4 -> 8
    first, before = run(tmp_path, 'a', 8)
    ckpt = str(tmp_path / 'a' / 'epoch_1.pth')
    resumed, after = run(tmp_path, 'a', 4, resume=ckpt)
    straight_runner, straight = run(tmp_path, 'straight', 4)

    # progress carried over in epochs: epoch 1 of 2 done = iteration 8 of 16
    assert [r['iter'] for r in after] == list(range(8, 16))
    assert resumed.iter == resumed.max_iters == 16
    # every schedule where an uninterrupted batch-4 run has it
    for got, want in zip(after, straight[8:]):
        assert got['m'] == pytest.approx(want['m'], abs=1e-12)
        assert got['lr'] == pytest.approx(want['lr'], rel=1e-9)
    # no jump back: the momentum keeps rising across the resume
    assert after[0]['m'] > before[3]['m']
    assert after[-1]['m'] == pytest.approx(ascending_momentum(15, 16))
    # and the lr leaves the run where the uninterrupted one does
    assert resumed.optim_wrapper.optimizer.param_groups[0]['lr'] == \
        pytest.approx(straight_runner.optim_wrapper.optimizer.param_groups[0]
                      ['lr'], rel=1e-9)


@pytest.mark.slow
def test_resume_inside_an_epoch_at_another_batch_does_not_overrun(tmp_path):
    every_2 = dict(
        type='FiniteCheckpointHook',
        by_epoch=False,
        interval=2,
        max_keep_ckpts=5)
    run(tmp_path, 'b', 8, ckpt=every_2)  # iter_6 = half of epoch 2
    resumed, after = run(
        tmp_path,
        'b',
        4,
        resume=str(tmp_path / 'b' / 'iter_6.pth'),
        ckpt=every_2)
    _, straight = run(tmp_path, 'straight', 4)
    # half of epoch 2 at 8 iterations per epoch: 8 + 4 done, 4 to go
    assert [r['iter'] for r in after] == [12, 13, 14, 15]
    assert resumed.iter == resumed.max_iters
    for got, want in zip(after, straight[12:]):
        assert got['m'] == pytest.approx(want['m'], abs=1e-12)
        assert got['lr'] == pytest.approx(want['lr'], rel=1e-9)


@pytest.mark.slow
def test_auto_scale_lr_follows_the_new_batch_after_a_resume(tmp_path):
    run(tmp_path, 'c', 8, scale_lr=True)
    _, after = run(
        tmp_path,
        'c',
        4,
        resume=str(tmp_path / 'c' / 'epoch_1.pth'),
        scale_lr=True)
    _, straight = run(tmp_path, 'straight', 4, scale_lr=True)
    for got, want in zip(after, straight[8:]):
        assert got['lr'] == pytest.approx(want['lr'], rel=1e-9)
    # base lr 0.05 for batch 8: the cosine's start at batch 4 is 0.025
    assert straight[8]['lr'] == pytest.approx(0.025, rel=1e-9)


@pytest.mark.slow
def test_resume_log_says_what_changed(tmp_path):
    run(tmp_path, 'd', 8)
    runner, _ = run(
        tmp_path, 'd', 4, resume=str(tmp_path / 'd' / 'epoch_1.pth'))
    log = (Path(runner.log_dir) / f'{runner.timestamp}.log').read_text()
    assert log.count('at another batch') == 1
    assert 'total batch 8 (1 process(es) x 8), 4 iterations/epoch -> ' \
        '4 (1 process(es) x 4), 8 iterations/epoch' in log
    assert 'iteration 4 of 8 -> iteration 8 of 16' in log


# -- gradient accumulation -------------------------------------------------
class Snapshots(Hook):
    """The student after every optimizer step and the teacher at the end."""

    priority = 'LOWEST'

    def __init__(self):
        self.students, self.steps = [], 0

    def before_train(self, runner):
        self.students.append(self._student(runner))

    def after_train_iter(self, runner, batch_idx, data_batch=None, **kw):
        if runner.optim_wrapper.should_update():
            self.students.append(self._student(runner))

    @staticmethod
    def _student(runner):
        seq = runner.model.student_sequence()
        return copy.deepcopy(dict(seq.named_parameters()))


@pytest.mark.slow
@pytest.mark.parametrize('k', [1, 2, 3])
def test_teacher_is_the_ema_of_the_student_after_each_optimizer_step(
        tmp_path, k):
    """With accumulation k, the teacher updates once per optimizer step
    (at the first micro-batch of each window, with the student after the
    previous step) at the momentum of the optimizer-step schedule."""
    cfg = build_train_cfg(
        EPOCHS,
        work_dir=str(tmp_path / f'k{k}'),
        cfg_options={
            'train_dataloader.num_workers': 0,
            'train_dataloader.persistent_workers': False,
            'train_cfg.max_epochs': 3,  # 12 iterations of batch 8
            'optim_wrapper.accumulative_counts': k,
            'log_level': 'WARNING'
        })
    cfg.custom_hooks = cfg.custom_hooks[:1]
    runner = AirlRunner.from_cfg(cfg)
    snaps = Snapshots()
    runner.register_hook(snaps)
    runner.train()

    steps = math.ceil(12 / k)
    assert len(snaps.students) == steps + 1  # initial + after each step
    teacher = runner.model.teacher
    assert int(teacher.steps) == steps  # one update per optimizer step
    # reference: copy at step 0, then t <- m_j t + (1 - m_j) s_j
    ref = {n: p.clone() for n, p in snaps.students[0].items()}
    for j in range(1, steps):
        m = ascending_momentum(j, steps)
        for n in ref:
            ref[n] = m * ref[n] + (1 - m) * snaps.students[j][n]
    got = dict(teacher.module.named_parameters())
    for n in ref:
        torch.testing.assert_close(got[n], ref[n], rtol=1e-5, atol=1e-6)


@pytest.mark.slow
def test_mmselfsup_moco_teacher_is_gated_without_the_hook(tmp_path):
    """A model trained without MomentumAscendingHook (constant momentum)
    still moves its teacher once per optimizer step."""
    cfg = build_train_cfg(
        EPOCHS,
        work_dir=str(tmp_path / 'nohook'),
        cfg_options={
            'train_dataloader.num_workers': 0,
            'train_dataloader.persistent_workers': False,
            'train_cfg.max_epochs': 2,
            'optim_wrapper.accumulative_counts': 2,
            'log_level': 'WARNING'
        })
    cfg.custom_hooks = []
    runner = AirlRunner.from_cfg(cfg)
    runner.train()
    assert int(runner.model.teacher.steps) == 4  # 8 iterations / 2


def test_a_schedule_frozen_from_max_epochs_is_reported(tmp_path):
    """The issue's kind: a config that writes its cosine's end from
    max_epochs when the file is read (here end=3, T_max=3); overriding
    train_cfg.max_epochs leaves the schedule behind: said at start-up."""
    cfg = build_train_cfg(
        EPOCHS,
        work_dir=str(tmp_path / 'frozen'),
        cfg_options={
            'train_cfg.max_epochs': 2,
            'train_dataloader.num_workers': 0,
            'train_dataloader.persistent_workers': False
        })
    runner = AirlRunner.from_cfg(cfg)
    runner._train_loop = runner.build_train_loop(runner._train_loop)
    runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    seen = []
    runner.logger.warning = seen.append
    runner.build_param_scheduler(runner.param_schedulers)
    text = ' '.join(seen)
    # 32 digits / 8 = 4 iterations per epoch; the cosine ends at epoch 3
    assert 'param_scheduler[0] (CosineAnnealingLR) ends at ' \
        'iteration 12, after the run (8 iterations)' in text
    assert 'override its end (and T_max) too' in text


def test_a_run_shorter_than_the_warm_up_says_so(tmp_path):
    demo = str(ROOT / 'configs/demo/mocov2plus_r18-w32_mnist.py')
    cfg = build_train_cfg(
        demo,
        work_dir=str(tmp_path / 'short'),
        cfg_options={
            'train_cfg.max_epochs': 1,  # the demo warms up for 1 epoch
            'train_dataloader.num_workers': 0,
            'train_dataloader.dataset.indices': 128
        })
    runner = AirlRunner.from_cfg(cfg)
    runner._train_loop = runner.build_train_loop(runner._train_loop)
    runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    with pytest.raises(
            ValueError,
            match=r'train_cfg.max_epochs=1.*shorter '
            r'than the warm-up'):
        runner.build_param_scheduler(runner.param_schedulers)


def test_auto_scale_lr_counts_accumulation(tmp_path):
    """lr x (processes x batch x k) / base, logged as such."""
    _, rows = run(tmp_path, 'acc', 4, accumulate=2, scale_lr=True)
    # base lr 0.05 for batch 8; 4 x 2 accumulated = 8: unchanged
    assert rows[8]['lr'] == pytest.approx(0.05, rel=1e-9)  # cosine start
    # (mmengine alone scales by processes x batch only: 0.025)
    from airl_mm.engine.runner.airl_runner import check_lr_scaling
    seen = []
    import airl_mm.engine.runner.airl_runner as ar
    orig, ar.print_log = ar.print_log, lambda msg, **kw: seen.append(msg)
    try:
        check_lr_scaling(
            dict(base_batch_size=8, enable=True), 1, 4, [0.05], [0.05], 2)
    finally:
        ar.print_log = orig
    assert seen == [
        'auto_scale_lr: total batch 8 (1 process(es) x 4 x 2 '
        'accumulated), base batch 8: lr 0.05 -> 0.05'
    ]
