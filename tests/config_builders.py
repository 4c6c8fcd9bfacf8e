"""Released configs cut to CPU size, and one training step through them."""
import torch
from mmengine.config import Config

from airl_mm.engine.runner import AirlRunner


def shrink(cfg: Config) -> None:
    """A 4-channel backbone; the necks' input follows it."""
    cfg.model.backbone.update(depth=18, stem_channels=4, base_channels=4)
    if 'in_channels' in cfg.model.neck:
        cfg.model.neck.in_channels = 32
    else:  # a classifier: global pooling, then the head
        cfg.model.head.in_channels = 32


def train_one_step(cfg: Config, **loop) -> AirlRunner:
    """Train ``cfg`` for one iteration (no schedule, no checkpoint); the
    runner, after checking that the step's loss is finite."""
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=1, **loop)
    cfg.param_scheduler = None
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=100)
    cfg.log_level = 'WARNING'
    runner = AirlRunner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 1
    loss = runner.message_hub.get_scalar('train/loss').current()
    assert torch.isfinite(torch.tensor(loss))
    return runner
