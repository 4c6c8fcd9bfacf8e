"""The appendix's pre-training lengths (Tab. 6, Fig. 6, Fig. 7).

Each config is its parent with the length changed, and nothing else; its
built schedules (lr warm-up and cosine, teacher momentum) span the whole
run, read from the Runner's own objects on a tiny dataset (the resolved
config no longer carries the cosine's end: the Runner sets it from
``train_cfg.max_epochs``). One-step training of every config is
``test_pretrain_configs.py::test_config_trains_one_step``.
"""
import math
import os.path as osp

import pytest
from mmengine.config import Config
from tool_loader import ROOT

from airl_mm.engine.hooks import MomentumAscendingHook
from airl_mm.engine.runner import AirlRunner
from airl_mm.engine.runner.train import build_train_cfg

WARMUP = 10  # epochs, whatever the length
# config -> (parent, epochs)
SELF_SUPERVISED = {
    'mocov2plus_r50_100e.py': ('mocov2plus_r50_200e.py', 100),
    'mocov2plus_r50_300e.py': ('mocov2plus_r50_200e.py', 300),
    'mocov2plus_r50_500e.py': ('mocov2plus_r50_200e.py', 500),
    'smocov2plus_r50_100e.py': ('smocov2plus_r50_200e.py', 100),
    'byol_r50_100e_sgd.py': ('byol_r50_200e_sgd.py', 100),
    'byol_r50_300e_sgd.py': ('byol_r50_200e_sgd.py', 300),
    'byol_r50_500e_sgd.py': ('byol_r50_200e_sgd.py', 500),
}
SUPERVISED = {
    f'supervised/supervised_r50_{n}e_in1k.py':
    ('supervised/supervised_r50_100e_in1k.py', n)
    for n in (200, 300, 500)
}
FIG7 = ('mocov2plus_r50_300e.py', 'byol_r50_300e_sgd.py')


def load(name: str) -> Config:
    return Config.fromfile(osp.join(ROOT, 'configs', name))


def without(cfg: Config, *paths: str) -> dict:
    """``cfg`` as a dict, less the dotted ``paths``."""
    d = cfg.to_dict()
    for path in paths:
        *parents, last = path.split('.')
        node = d
        for p in parents:
            node = node[int(p) if isinstance(node, list) else p]
        node.pop(last, None)
    return d


def test_fig6_grid_is_complete():
    """Fig. 6: supervised, MoCo v2+ and BYOL (SGD) at 100/200/300/500."""
    for n in (100, 200, 300, 500):
        for name in (f'mocov2plus_r50_{n}e.py', f'byol_r50_{n}e_sgd.py',
                     f'supervised/supervised_r50_{n}e_in1k.py'):
            assert load(name).train_cfg.max_epochs == n, name


@pytest.mark.parametrize('config', sorted(SELF_SUPERVISED))
def test_self_supervised_child_changes_only_the_length(config):
    parent, epochs = SELF_SUPERVISED[config]
    cfg, base = load(config), load(parent)
    assert cfg.train_cfg.max_epochs == epochs
    assert base.train_cfg.max_epochs == 200
    # everything else is the parent's (the 300-epoch ones also keep their
    # checkpoints for Fig. 7)
    ignore = ['train_cfg.max_epochs']
    if config in FIG7:
        ignore += [
            'default_hooks.checkpoint.interval',
            'default_hooks.checkpoint.max_keep_ckpts'
        ]
    assert without(cfg, *ignore) == without(base, *ignore)
    # the warm-up is fixed in epochs; the cosine's length is the run's
    warm, cos = cfg.param_scheduler
    assert (warm.type, warm.begin, warm.end) == ('LinearLR', 0, WARMUP)
    assert (cos.type, cos.begin) == ('CosineAnnealingLR', WARMUP)
    assert 'end' not in cos and 'T_max' not in cos
    assert cfg.custom_hooks == [
        dict(type='MomentumAscendingHook', base_momentum=0.99)
    ]


@pytest.mark.parametrize('config', sorted(SUPERVISED))
def test_supervised_child_scales_its_steps_with_the_length(config):
    parent, epochs = SUPERVISED[config]
    cfg, base = load(config), load(parent)
    assert cfg.train_cfg.max_epochs == epochs
    # the x0.1 steps at 30/60/90 % of training, as the 100-epoch run's
    assert base.param_scheduler.milestones == [30, 60, 90]
    assert cfg.param_scheduler.milestones == [
        round(f * epochs) for f in (0.3, 0.6, 0.9)
    ]
    # 100 validations and 10 checkpoints, as the 100-epoch run
    assert epochs // cfg.train_cfg.val_interval == 100
    assert epochs // cfg.default_hooks.checkpoint.interval == 10
    ignore = ('train_cfg.max_epochs', 'train_cfg.val_interval',
              'param_scheduler.milestones',
              'default_hooks.checkpoint.interval')
    assert without(cfg, *ignore) == without(base, *ignore)


def built_runner(config: str,
                 data_root: str,
                 work_dir: str,
                 cfg_options=None) -> AirlRunner:
    """The config's Runner on a tiny ImageNet (4-channel backbone), with its
    train loop, optimizer and parameter schedulers built the way
    ``Runner.train`` builds them."""
    cfg = build_train_cfg(
        osp.join(ROOT, 'configs', config),
        work_dir=work_dir,
        cfg_options=cfg_options)
    cfg.model.backbone.update(depth=18, stem_channels=4, base_channels=4)
    cfg.model.neck.in_channels = 32
    cfg.train_dataloader.update(
        batch_size=4, num_workers=0, persistent_workers=False)
    cfg.train_dataloader.dataset.data_root = data_root
    cfg.log_level = 'WARNING'
    runner = AirlRunner.from_cfg(cfg)
    runner._train_loop = runner.build_train_loop(runner._train_loop)
    runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    runner.param_schedulers = runner.build_param_scheduler(
        runner.param_schedulers)
    return runner


def lr_curve(runner) -> list:
    """The lr of every iteration of the run, stepping the built schedulers
    as mmengine's ParamSchedulerHook does (after each iteration)."""
    lrs = []
    for _ in range(runner.max_iters):
        lrs.append(runner.optim_wrapper.get_lr()['lr'][0])
        for s in runner.param_schedulers:
            s.step()
    return lrs


def momentum_at(runner, hook, it: int) -> float:
    """The teacher momentum ``hook`` sets before iteration ``it``."""
    runner.train_loop._iter = it
    hook.before_train_iter(runner, 0)
    m = runner.message_hub.get_scalar('train/teacher_momentum').current()
    hook.after_train_iter(runner, 0)
    return m


@pytest.mark.parametrize('config', sorted(SELF_SUPERVISED))
def test_schedules_span_the_whole_run(config, tiny_imagenet, tmp_path):
    epochs = SELF_SUPERVISED[config][1]
    runner = built_runner(config, str(tiny_imagenet), str(tmp_path))
    ipe = len(runner.train_dataloader)
    total = epochs * ipe
    assert runner.max_epochs == epochs and runner.max_iters == total
    warm, cos = runner.param_schedulers
    assert (warm.begin, warm.end) == (0, WARMUP * ipe)
    assert (cos.begin, cos.end, cos.T_max) == (WARMUP * ipe, total,
                                               total - WARMUP * ipe)
    lrs = lr_curve(runner)
    peak = 0.12  # lr for batch 1024 (auto_scale_lr is off here)
    assert lrs[WARMUP * ipe] == pytest.approx(peak)
    assert max(lrs) == pytest.approx(peak)
    # half-way through the cosine: half the peak; its last step: ~0
    mid = WARMUP * ipe + (total - WARMUP * ipe) // 2
    assert lrs[mid] == pytest.approx(peak / 2, rel=1e-3)
    assert lrs[-1] == pytest.approx(
        peak * (1 + math.cos(math.pi * (total - WARMUP * ipe - 1) /
                             (total - WARMUP * ipe))) / 2)
    assert lrs[-1] < 1e-4 * peak
    # the teacher momentum rises over the whole run: 0.99 at the start,
    # the mid-point at half the run, 1 at its end
    hooks = [h for h in runner.hooks if isinstance(h, MomentumAscendingHook)]
    assert len(hooks) == 1 and hooks[0].total_iters is None
    hook = hooks[0]
    hook.before_train(runner)
    assert momentum_at(runner, hook, 0) == pytest.approx(0.99)
    assert momentum_at(runner, hook, total // 2) == pytest.approx(0.995)
    assert momentum_at(runner, hook, total) == pytest.approx(1.0)
    assert momentum_at(runner, hook, total - 1) < 1.0


def test_a_length_override_moves_the_cosine_too(tiny_imagenet, tmp_path):
    """``--cfg-options train_cfg.max_epochs=N`` on a 200-epoch config: the
    cosine ends at N (with a literal ``end=200`` it stopped at 200 and the
    lr stayed at its value there, or the run ended mid-cosine)."""
    runner = built_runner(
        'mocov2plus_r50_200e.py',
        str(tiny_imagenet),
        str(tmp_path),
        cfg_options={'train_cfg.max_epochs': 30})
    ipe = len(runner.train_dataloader)
    _, cos = runner.param_schedulers
    assert (cos.end, cos.T_max) == (30 * ipe, 20 * ipe)
    t = 20 * ipe  # the cosine's iterations: its last lr is its last step's
    assert lr_curve(runner)[-1] == pytest.approx(
        0.12 * (1 + math.cos(math.pi * (t - 1) / t)) / 2)


@pytest.mark.parametrize('config', FIG7)
def test_fig7_runs_keep_every_50th_epoch(config):
    from mmengine.hooks import CheckpointHook
    from mmengine.registry import HOOKS
    cfg = load(config)
    ckpt = cfg.default_hooks.checkpoint
    assert ckpt.type == 'FiniteCheckpointHook'
    assert ckpt.interval == 50 and ckpt.get('by_epoch', True)
    hook = HOOKS.build(ckpt.to_dict())
    assert isinstance(hook, CheckpointHook)
    # mmengine deletes old checkpoints only when max_keep_ckpts > 0
    assert hook.max_keep_ckpts <= 0
    assert cfg.train_cfg.max_epochs % hook.interval == 0
    saved = [
        e for e in range(1, cfg.train_cfg.max_epochs + 1)
        if e % hook.interval == 0
    ]
    assert saved == [50, 100, 150, 200, 250, 300]
    # the other lengths rotate as the default runtime does
    for other in ('mocov2plus_r50_500e.py', 'byol_r50_100e_sgd.py'):
        assert load(other).default_hooks.checkpoint.max_keep_ckpts == 3
