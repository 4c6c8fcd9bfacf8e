import math
from types import SimpleNamespace

import pytest
import torch
from mmengine.logging import MessageHub
from model_builders import tiny_byol, tiny_moco, tiny_mocov2plus

from airl_mm.engine import (MomentumAscendingHook, ascending_momentum,
                            set_teacher_momentum)


def paper_m(k, total, m0=0.99):
    """The paper's formula, written independently."""
    return 1 - (1 - m0) * (math.cos(math.pi * k / total) + 1) / 2


def test_schedule_endpoints_and_midpoint():
    assert ascending_momentum(0, 1000) == pytest.approx(0.99, abs=1e-12)
    assert ascending_momentum(500, 1000) == pytest.approx(0.995, abs=1e-12)
    assert ascending_momentum(1000, 1000) == pytest.approx(1.0, abs=1e-12)
    for k in (1, 123, 999):
        assert ascending_momentum(k, 1000) == pytest.approx(paper_m(k, 1000))
    # monotone non-decreasing
    ms = [ascending_momentum(k, 50) for k in range(51)]
    assert all(b >= a for a, b in zip(ms, ms[1:]))


def fake_runner(model, it, max_iters):
    return SimpleNamespace(
        model=model,
        iter=it,
        max_iters=max_iters,
        message_hub=MessageHub.get_instance('test_hook'))


def test_hook_sets_teacher_from_runner_iteration_so_resume_continues():
    model = tiny_mocov2plus()
    hook = MomentumAscendingHook(base_momentum=0.99)
    uninterrupted = []
    for k in range(10):
        hook.before_train_iter(fake_runner(model, k, 10), k)
        uninterrupted.append(model.teacher_momentum)
    resumed_model = tiny_mocov2plus()
    resumed = []
    for k in range(4, 10):  # a run resumed at iteration 4
        hook.before_train_iter(fake_runner(resumed_model, k, 10), k)
        resumed.append(resumed_model.teacher_momentum)
    assert resumed == pytest.approx(uninterrupted[4:], abs=1e-12)
    assert uninterrupted == pytest.approx([paper_m(k, 10) for k in range(10)])
    hub = MessageHub.get_instance('test_hook')
    assert hub.get_scalar('train/teacher_momentum').current() == \
        pytest.approx(paper_m(9, 10))


def test_hook_refuses_models_without_teacher():
    hook = MomentumAscendingHook()
    runner = fake_runner(torch.nn.Linear(2, 2), 0, 10)
    with pytest.raises(RuntimeError, match='no EMA teacher'):
        hook.before_train(runner)
    with pytest.raises(ValueError):
        MomentumAscendingHook(base_momentum=1.5)


def one_update_matches_formula(model, student, teacher_module, m):
    """Update once through the model's own loss and compare by hand."""
    x = [torch.randn(4, 3, 32, 32) for _ in range(2)]
    model.loss(x, None)  # first EMA step copies the student
    with torch.no_grad():
        for p in student.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    set_teacher_momentum(model, m)
    t0 = [p.detach().clone() for p in teacher_module.parameters()]
    s = [p.detach().clone() for p in student.parameters()]
    model.loss(x, None)
    t1 = list(teacher_module.parameters())
    assert len(t0) == len(s) == len(t1) > 0
    for a, b, c in zip(t0, s, t1):
        assert torch.allclose(c, m * a + (1 - m) * b, atol=1e-6)


def test_hook_drives_mmselfsup_moco_teacher():
    model = tiny_moco(momentum=0.999)
    assert set_teacher_momentum(model, 0.9) == 1
    assert model.encoder_k.momentum == pytest.approx(0.1)  # 1 - m
    one_update_matches_formula(model,
                               torch.nn.Sequential(model.backbone, model.neck),
                               model.encoder_k.module, 0.9)


def test_hook_drives_mmselfsup_byol_teacher():
    model = tiny_byol(base_momentum=0.99)
    # CosineEMA anneals by its own steps: needs max_iters in the hub.
    MessageHub.get_current_instance().update_info('max_iters', 100)
    one_update_matches_formula(model,
                               torch.nn.Sequential(model.backbone, model.neck),
                               model.target_net.module, 0.8)
