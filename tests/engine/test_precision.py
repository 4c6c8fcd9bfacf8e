"""bf16 autocast / fp16 switch, fp32 loss head, channels_last (CPU)."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.optim import OptimWrapper
from model_builders import tiny_byol, tiny_moco, tiny_mocov2plus
from tool_loader import ROOT

from airl_mm.engine.precision import (AutocastOptimWrapper, amp_dtype,
                                      amp_optim_wrapper, keep_fp32,
                                      to_channels_last)
from airl_mm.engine.runner.train import apply_precision, build_train_cfg


def batch(n=4, size=32):
    from mmselfsup.structures import SelfSupDataSample
    g = torch.Generator().manual_seed(0)
    views = [
        torch.randint(
            0, 256, (n, 3, size, size), generator=g, dtype=torch.uint8)
        for _ in range(2)
    ]
    return dict(
        inputs=views, data_samples=[SelfSupDataSample() for _ in range(n)])


def spy(module, seen, key, what=lambda out: out.dtype):
    """Record ``what(output)`` of the module's first call in ``seen``."""

    def hook(mod, args, out):
        seen.setdefault(key, what(out))  # returns None: output unchanged

    module.register_forward_hook(hook)


@pytest.fixture(autouse=True)
def max_iters():
    # BYOL's cosine EMA reads max_iters from the message hub.
    from mmengine.logging import MessageHub
    MessageHub.get_current_instance().update_info('max_iters', 100)


@pytest.mark.parametrize('build', [
    tiny_mocov2plus,
    pytest.param(tiny_byol, marks=pytest.mark.slow),
    pytest.param(tiny_moco, marks=pytest.mark.slow)
])
def test_bf16_step_on_cpu_backbone_bf16_loss_fp32(build):
    model = build()
    seen = {}
    spy(model.backbone.conv1, seen, 'conv')
    before = model.backbone.conv1.weight.detach().clone()
    wrapper = AutocastOptimWrapper(
        optimizer=torch.optim.SGD(model.parameters(), lr=0.1))
    log = model.train_step(batch(), wrapper)
    assert seen['conv'] == torch.bfloat16  # the backbone ran in bf16
    assert log['loss'].dtype == torch.float32 and torch.isfinite(log['loss'])
    assert model.backbone.conv1.weight.dtype == torch.float32  # fp32 master
    assert not torch.equal(model.backbone.conv1.weight, before)


def test_the_loss_head_sees_fp32_logits_only_when_kept_fp32():

    def logits_dtype(keep):
        model = tiny_mocov2plus()
        if keep:
            keep_fp32(model)
        dtypes = []
        logits = model.head.logits
        model.head.logits = lambda *a: dtypes.append(logits(*a).dtype
                                                     ) or logits(*a)
        with torch.autocast('cpu', dtype=torch.bfloat16):
            model.train_step(
                batch(),
                OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1)))
        return set(dtypes)

    assert logits_dtype(False) == {torch.bfloat16}  # autocast alone
    assert logits_dtype(True) == {torch.float32}


def test_keep_fp32_is_idempotent_and_keeps_state_dict():
    model = tiny_byol()
    keys = list(model.state_dict())
    keep_fp32(model)
    forward = model.head.forward
    keep_fp32(model)
    assert model.head.forward is forward
    assert list(model.state_dict()) == keys


def test_channels_last_step_on_cpu():
    model = to_channels_last(tiny_mocov2plus())
    w = model.backbone.conv1.weight
    assert w.is_contiguous(memory_format=torch.channels_last)
    assert model.teacher.module[0].conv1.weight.is_contiguous(
        memory_format=torch.channels_last)
    seen = {}
    spy(model.backbone.layer1, seen, 'nhwc',
        lambda out: out.is_contiguous(memory_format=torch.channels_last))
    log = model.train_step(
        batch(),
        AutocastOptimWrapper(
            optimizer=torch.optim.SGD(model.parameters(), lr=0.1)))
    assert seen['nhwc'] and torch.isfinite(log['loss'])
    assert log['loss'].dtype == torch.float32


def test_amp_switch_rules():
    sgd = dict(type='SGD', lr=0.1)
    out = amp_optim_wrapper(dict(type='OptimWrapper', optimizer=sgd))
    if not torch.cuda.is_available():
        assert out == dict(
            type='AutocastOptimWrapper', dtype='bfloat16', optimizer=sgd)
        with pytest.raises(RuntimeError, match='float16 needs a CUDA'):
            amp_optim_wrapper(dict(optimizer=sgd), 'float16')
        assert amp_dtype() == 'bfloat16'
    with pytest.raises(ValueError, match="optim_wrapper.type is 'Mine'"):
        amp_optim_wrapper(dict(type='Mine', optimizer=sgd))
    with pytest.raises(ValueError, match='--amp-dtype must be'):
        amp_dtype('int8')
    keep = dict(type='AmpOptimWrapper', optimizer=sgd)
    assert amp_optim_wrapper(keep) == keep


PRETRAIN = sorted(
    p for p in glob.glob(osp.join(ROOT, 'configs', '*.py')) +
    glob.glob(osp.join(ROOT, 'configs', '*', '*.py'))
    if '_base_' not in p and '/benchmarks/' not in p and '/analysis/' not in p
    and 'finetune' not in p)


@pytest.mark.slow
def test_every_pretraining_config_switches(tmp_path):
    assert len(PRETRAIN) > 20
    for path in PRETRAIN:
        cfg = build_train_cfg(
            path, str(tmp_path), amp=True, channels_last=True)
        assert cfg.channels_last is True, path
        wrapper = cfg.optim_wrapper
        assert wrapper.type == 'AutocastOptimWrapper', path
        assert wrapper.dtype == amp_dtype() and 'type' in wrapper.optimizer


@pytest.mark.slow
def test_runner_trains_a_config_in_bf16_channels_last(repo_root, tmp_path):
    """The real (shrunk) MoCo v2+ config, two iterations, with the CLI's
    precision switches: AirlRunner applies channels_last before wrapping."""
    from airl_mm.engine.runner.train import train
    cfg = build_train_cfg(
        str(repo_root / 'tests/data/configs/tiny_mocov2plus_mnist.py'),
        str(tmp_path),
        cfg_options={
            'train_cfg.max_iters': 2,
            'custom_hooks': [],
            'default_hooks.checkpoint': None
        })
    apply_precision(cfg, amp=True, channels_last=True)
    runner = train(cfg)
    assert type(runner.optim_wrapper).__name__ == 'AutocastOptimWrapper'
    model = runner.model
    assert model.backbone.conv1.weight.is_contiguous(
        memory_format=torch.channels_last)
    assert model.head._airl_fp32
    loss = runner.message_hub.get_scalar('train/loss').current()
    assert torch.isfinite(torch.tensor(loss))
