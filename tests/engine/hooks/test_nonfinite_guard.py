"""NonFiniteGuardHook on a real OptimWrapper (no Runner needed)."""
from types import SimpleNamespace

import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper

from airl_mm.engine import NonFiniteGuardHook, NonFiniteLossError
from airl_mm.engine.hooks import non_finite_terms, state_is_finite


def setup(clip=True, **guard_args):
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    wrapper = OptimWrapper(
        torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
        clip_grad=dict(max_norm=10.0) if clip else None)
    hub = MessageHub.get_instance('guard_test')
    wrapper.message_hub = hub
    runner = SimpleNamespace(
        model=model, optim_wrapper=wrapper, iter=6, epoch=1, message_hub=hub)
    guard = NonFiniteGuardHook(**guard_args)
    guard.before_train(runner)
    return model, wrapper, runner, guard


def step(model, wrapper, runner, guard, loss_fn):
    guard.before_train_iter(runner, 0)
    loss = loss_fn(model(torch.ones(4, 3)))
    wrapper.update_params(loss)
    guard.after_train_iter(runner, 2, outputs=dict(loss=loss.detach()))


def test_infinite_grad_norm_is_not_applied_and_stops_the_run():
    model, wrapper, runner, guard = setup()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    model.weight.register_hook(lambda g: g * float('inf'))
    with pytest.raises(
            NonFiniteLossError,
            match=r'iteration 7 \(epoch 2, batch 3\): '
            r'grad_norm=(inf|nan)'):
        step(model, wrapper, runner, guard, lambda y: y.sum())
    for k, v in model.state_dict().items():  # the update was not applied
        assert torch.equal(v, before[k]), k
    assert state_is_finite(model)


def test_nan_loss_skipped_within_max_skips_then_training_goes_on():
    model, wrapper, runner, guard = setup(max_skips=1)
    before = model.weight.detach().clone()
    step(model, wrapper, runner, guard, lambda y: y.sum() * float('nan'))
    assert guard.skipped == 1 and torch.equal(model.weight, before)
    assert all(p.grad is None or not p.grad.any() for p in model.parameters())
    step(model, wrapper, runner, guard, lambda y: y.sum())  # a good step
    assert guard.bad_in_a_row == 0 and not torch.equal(model.weight, before)


def test_non_finite_terms_names_only_the_bad_entries():
    terms = non_finite_terms(
        dict(
            loss=torch.tensor(float('nan')),
            infonce_q1k2=torch.tensor(1.0),
            infonce_q2k1=float('inf'),
            note='x'))
    assert set(terms) == {'loss', 'infonce_q2k1'}


def test_guard_rejects_a_negative_budget():
    with pytest.raises(ValueError, match='max_skips'):
        NonFiniteGuardHook(max_skips=-1)
