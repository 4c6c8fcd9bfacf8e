"""TeacherUpdateHook: mmselfsup's MoCo and BYOL teachers move once per
optimizer step under gradient accumulation (issue 16, case 2)."""
import math
from types import SimpleNamespace

import pytest
import torch
from mmengine.logging import MessageHub
from model_builders import tiny_byol, tiny_moco

from airl_mm.engine.hooks import TeacherUpdateHook, accumulative_counts


def runner(model, it, max_iters, k):
    return SimpleNamespace(
        model=model,
        iter=it,
        max_iters=max_iters,
        optim_wrapper=SimpleNamespace(_accumulative_counts=k),
        message_hub=MessageHub.get_current_instance())


def train(model, teacher, k, iters=6):
    """``iters`` iterations of the model's own loss under the hook."""
    MessageHub.get_current_instance().update_info('max_iters', iters)
    hook = TeacherUpdateHook()
    hook.before_train(runner(model, 0, iters, k))
    x = [torch.randn(4, 3, 32, 32) for _ in range(2)]
    momenta = []
    for it in range(iters):
        r = runner(model, it, iters, k)
        hook.before_train_iter(r, it)
        momenta.append(float(teacher.momentum))
        model.loss(x, None)
        hook.after_train_iter(r, it)
    return int(teacher.steps), momenta


@pytest.mark.parametrize('k', [1, 2, 3])
def test_mmselfsup_moco_teacher_updates_once_per_optimizer_step(k):
    model = tiny_moco(momentum=0.999)
    steps, _ = train(model, model.encoder_k, k)
    assert steps == math.ceil(6 / k)
    # outside the loop the model is as built: updates again
    model.loss([torch.randn(4, 3, 32, 32) for _ in range(2)], None)
    assert int(model.encoder_k.steps) == steps + 1


def test_byol_cosine_ema_follows_optimizer_steps():
    model = tiny_byol(base_momentum=0.99)
    steps, momenta = train(model, model.target_net, 2)
    assert steps == 3
    # its own 0.99 -> 1 cosine over K = 3 optimizer steps
    want = [
        1 - 0.01 * (math.cos(math.pi * (it // 2) / 3) + 1) / 2
        for it in range(6)
    ]
    assert momenta == pytest.approx(want, abs=1e-12)


def test_accumulative_counts_of_optimizer_wrapper_dicts():
    from mmengine.optim import OptimWrapper, OptimWrapperDict
    p = torch.nn.Parameter(torch.zeros(1))
    a = OptimWrapper(torch.optim.SGD([p], lr=1), accumulative_counts=2)
    b = OptimWrapper(torch.optim.SGD([p], lr=1), accumulative_counts=3)
    assert accumulative_counts(a) == 2
    with pytest.raises(ValueError, match=r'accumulative_counts \[2, 3\]'):
        accumulative_counts(OptimWrapperDict(a=a, b=b))
