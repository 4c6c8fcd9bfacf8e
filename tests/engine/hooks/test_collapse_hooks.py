"""CollapseMonitorHook and LayerwiseLRHook on real models, one step each;
all three diagnostics hooks under 2-process CPU training."""
import copy
import json
import logging
import math
import random
import subprocess
from types import SimpleNamespace

import pytest
import torch
import torch.nn as nn
from mmengine.logging import MessageHub
from mmengine.optim import build_optim_wrapper
from mmselfsup.registry import HOOKS
from model_builders import mlp, tiny_byol, tiny_moco, tiny_mocov2plus

from airl_mm.analysis.collapse import collapse_metrics


def fake_runner(model, optim_wrapper=None, name='collapse'):
    hub = MessageHub.get_instance(f'test_{name}_{id(model)}')
    # BYOL's CosineEMA reads the schedule length from the current hub
    MessageHub.get_current_instance().update_info('max_iters', 100)
    return SimpleNamespace(
        model=model,
        optim_wrapper=optim_wrapper,
        hooks=[],
        message_hub=hub,
        iter=0)


class Counter:
    """Counts forward calls of a module."""

    def __init__(self, module):
        self.n = 0
        module.register_forward_hook(self)

    def __call__(self, *args):
        self.n += 1


def one_step(model, hook, views):
    runner = fake_runner(model)
    hook.before_train(runner)
    hook.before_train_iter(runner, 0)
    calls = Counter(model.backbone)
    model.loss(views, [])
    hook.after_train_iter(runner, 0)
    hook.after_train(runner)
    logged = {
        k[len('train/'):]: v.current()
        for k, v in runner.message_hub.log_scalars.items()
    }
    return logged, calls.n


@pytest.mark.parametrize('build, student_views, teacher_views', [
    (tiny_byol, 2, 2),
    (tiny_moco, 1, 1),
    (lambda: tiny_mocov2plus(predictor=True), 2, 2),
])
def test_collapse_monitor_reuses_the_step(build, student_views, teacher_views):
    torch.manual_seed(0)
    model = build()
    views = [torch.randn(8, 3, 32, 32) for _ in range(2)]
    hook = HOOKS.build(dict(type='CollapseMonitorHook', interval=1))
    # Independent computation: the student projector on each view the
    # model feeds it (train mode: batch statistics, as in the step).
    with torch.no_grad():
        twin = copy.deepcopy(model)
        expected = collapse_metrics(
            [twin.neck(twin.backbone(v))[0] for v in views[:student_views]])
    torch.manual_seed(1)  # MoCo's batch shuffle and random enqueue view
    logged, backbone_calls = one_step(model, hook, views)
    assert backbone_calls == student_views  # no extra forward pass
    for key, value in expected.items():
        assert logged[key] == pytest.approx(value, rel=1e-5), key
    assert ('pos_cos' in logged) == (student_views == 2)
    assert ('teacher_pos_cos' in logged) == (teacher_views == 2)
    for key in ('teacher_z_std', 'teacher_rank', 'teacher_neg_cos',
                'z_std_ratio'):
        assert key in logged
    assert logged['z_std_ratio'] == pytest.approx(logged['z_std'] * 8**0.5)


def test_collapse_monitor_records_only_due_iterations():
    model = tiny_byol(neck=dict(mlp(32), type='MLPNeck', norm_cfg=None))
    hook = HOOKS.build(dict(type='CollapseMonitorHook', interval=2))
    runner = fake_runner(model)
    hook.before_train(runner)
    hook.before_train_iter(runner, 0)  # iteration 1 of every 2: not due
    model.loss([torch.randn(4, 3, 32, 32)] * 2, [])
    assert hook._outputs == {}
    hook.after_train_iter(runner, 0)
    assert 'train/z_std' not in runner.message_hub.log_scalars
    with pytest.raises(ValueError, match="student='nope'"):
        HOOKS.build(dict(type='CollapseMonitorHook',
                         student='nope')).before_train(fake_runner(model))


def test_collapse_warning(monkeypatch):
    from airl_mm.engine.hooks import collapse_monitor
    messages = []
    monkeypatch.setattr(collapse_monitor, 'print_log',
                        lambda msg, **kw: messages.append((msg, kw)))
    model = tiny_byol(neck=dict(mlp(32), type='MLPNeck', norm_cfg=None))
    hook = HOOKS.build(
        dict(type='CollapseMonitorHook', interval=1, warn_std_ratio=0.5))
    # every image the same: collapsed projections
    img = torch.randn(1, 3, 32, 32).expand(8, -1, -1, -1)
    one_step(model, hook, [img, img])
    assert len(messages) == 1
    assert 'collapsing' in messages[0][0]
    assert messages[0][1]['level'] == logging.WARNING
    messages.clear()
    one_step(model, hook, [torch.randn(8, 3, 32, 32)] * 2)
    assert messages == []


def test_layerwise_lr_equals_hand_computation():
    """One LARS step on a tiny model: the logged rates are
    lr * eta * |w| / (|g| + wd |w| + eps) for the LARS layer, lr for the
    others, and the update LARS applied is that rate times g + wd w."""
    torch.manual_seed(0)
    model = nn.ModuleDict(
        dict(
            a=nn.Sequential(nn.Linear(4, 6), nn.LayerNorm(6)),
            b=nn.Linear(6, 2)))
    lr, eta, wd = 0.5, 0.02, 1e-3
    wrapper = build_optim_wrapper(
        model,
        dict(
            optimizer=dict(
                type='LARS', lr=lr, momentum=0.9, weight_decay=wd, eta=eta),
            constructor='LARSOptimWrapperConstructor',
            paramwise_cfg=dict(lars_modules=['a'])))
    runner = fake_runner(model, wrapper, 'lr')
    hook = HOOKS.build(
        dict(type='LayerwiseLRHook', layers=['a', 'b'], interval=1))
    hook.before_train(runner)
    hook.before_train_iter(runner, 0)
    x = torch.randn(5, 4)
    wrapper.backward(model['b'](model['a'](x)).square().sum())
    w = model['a'][0].weight.detach().clone()
    g = model['a'][0].weight.grad.clone()
    rate = lr * eta * w.norm() / (g.norm() + wd * w.norm() + 1e-8)
    wrapper.step()
    hub = runner.message_hub
    assert hub.get_scalar('train/lr/a').current() == pytest.approx(
        float(rate), rel=1e-6)
    assert hub.get_scalar('train/lr/b').current() == pytest.approx(lr)
    assert torch.allclose(
        model['a'][0].weight, w - rate * (g + wd * w), atol=1e-7)
    hook.after_train(runner)


def test_layer_names_must_exist():
    model = nn.ModuleDict(dict(a=nn.Linear(2, 2)))
    wrapper = build_optim_wrapper(model,
                                  dict(optimizer=dict(type='SGD', lr=0.1)))
    hook = HOOKS.build(dict(type='LayerwiseLRHook', layers=['a.b']))
    with pytest.raises(ValueError, match="LayerwiseLRHook.layers='a.b'"):
        hook.before_train(fake_runner(model, wrapper, 'names'))
    with pytest.raises(ValueError, match='same name'):
        HOOKS.build(dict(type='LayerwiseLRHook', layers=['x.a', 'y.a']))


@pytest.mark.slow
def test_hooks_under_two_cpu_processes(repo_root, subprocess_env, tmp_path):
    """tools/dist_train.sh CONFIG 2 (gloo on CPU): the three hooks run in
    both processes without a deadlock; rank 0 logs their scalars."""
    env = dict(
        subprocess_env,
        PORT=str(random.randint(20000, 40000)),
        OMP_NUM_THREADS='1')
    wd = tmp_path / 'dist'
    out = subprocess.run([
        'bash', 'tools/dist_train.sh',
        'tests/data/configs/tiny_byol_collapse_mnist.py', '2', '--work-dir',
        str(wd)
    ],
                         cwd=repo_root,
                         env=env,
                         capture_output=True,
                         text=True,
                         timeout=300)
    log = out.stdout + out.stderr
    assert out.returncode == 0, log[-4000:]
    runs = list(wd.glob('*/vis_data/scalars.json'))
    assert len(runs) == 1
    records = [json.loads(line) for line in runs[0].read_text().splitlines()]
    train = [r for r in records if 'loss' in r]
    knn = [r for r in records if 'knn_top1' in r]
    assert [r['iter'] for r in train] == [1, 2]  # 32 images / (8 x 2)
    assert [r['iter'] for r in knn] == [0, 2]  # before and after the epoch
    assert all(0 <= r['knn_top1'] <= 100 for r in knn)
    for r in train:
        for key in ('z_std', 'rank', 'neg_cos', 'pos_cos', 'teacher_z_std',
                    'lr/layer1', 'lr/layer3', 'lr/neck'):
            assert math.isfinite(r[key]), key
        # LARS on layer1 only: its rate differs from lr, layer3's does not
        assert r['lr/layer3'] == pytest.approx(r['lr'])
        assert r['lr/layer1'] != pytest.approx(r['lr'])
    assert log.count('OnlineKNNHook: after epoch') == 2


@pytest.mark.parametrize('ignore_last, due', [
    (True, [9, 19, 29, 39, 49, 59]),
    (False, [9, 19, 29, 39, 49, 59, 62]),
])
def test_hooks_compute_on_the_logged_iterations(ignore_last, due):
    """Within-epoch counting as LoggerHook's (epoch-based loops)."""
    from mmengine.hooks import LoggerHook

    from airl_mm.engine.hooks.collapse_monitor import logged_after
    runner = SimpleNamespace(
        hooks=[LoggerHook(interval=10, ignore_last=ignore_last)],
        train_dataloader=list(range(63)))
    assert [i for i in range(63) if logged_after(runner, i, 10)] == due
