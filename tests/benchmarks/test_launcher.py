"""The launcher: conversion, weights that really load, the batch rule,
metrics.json."""
import json

import pytest
import torch
from mmengine.config import Config
from mmengine.model import revert_sync_batchnorm
from mmengine.registry import DefaultScope, init_default_scope

from airl_mm.benchmarks import (BenchmarkError, benchmark_config,
                                per_gpu_batch_size, prepare_backbone,
                                run_benchmark, sync_bn_to_bn, world_size)
from airl_mm.checkpoint import CheckpointError, load_checkpoint_file

from .test_transfer_configs import CITYSCAPES, COCO_C4, VOC07


def _init_model(cfg):
    from mmengine.registry import MODELS
    init_default_scope(cfg.default_scope)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = revert_sync_batchnorm(MODELS.build(cfg.model))
        model.init_weights()
    return model


@pytest.fixture(scope='module')
def r50_file(r50_pretrain, tmp_path_factory):
    return prepare_backbone(
        str(r50_pretrain), str(tmp_path_factory.mktemp('bb')))


def test_prepare_backbone_branches(r50_pretrain, tmp_path):
    src = load_checkpoint_file(r50_pretrain)['state_dict']
    for branch, prefix in (('student', 'backbone.'), ('teacher',
                                                      'encoder_k.module.0.')):
        out = prepare_backbone(str(r50_pretrain), str(tmp_path), branch)
        assert out.endswith(f'backbone_{branch}.pth')
        sd = load_checkpoint_file(out)['state_dict']
        assert set(sd) == {
            'backbone.' + k[len(prefix):]
            for k in src if k.startswith(prefix)
        }
        for k, v in sd.items():
            assert torch.equal(v, src[prefix + k[len('backbone.'):]])


def test_prepare_backbone_normrescale_constant(r50_pretrain, tmp_path):
    out = prepare_backbone(str(r50_pretrain), str(tmp_path), normrescale='2.5')
    sd = load_checkpoint_file(out)['state_dict']
    src = load_checkpoint_file(r50_pretrain)['state_dict']
    for k in ('backbone.layer1.0.conv1.weight', 'backbone.bn1.running_var'):
        # the authors' constant NormRescale: w* = c * w_L
        assert torch.allclose(sd[k], 2.5 * src[k])
    assert (tmp_path / 'backbone_student_normrescale.csv').is_file()
    with pytest.raises(BenchmarkError, match='no-such-anchor'):
        prepare_backbone(
            str(r50_pretrain), str(tmp_path), normrescale='no-such-anchor.pth')


def test_prepare_backbone_bad_checkpoint(tmp_path):
    bad = tmp_path / 'notes.pth'
    torch.save({'state_dict': {'head.fc.weight': torch.ones(2)}}, bad)
    with pytest.raises(CheckpointError, match='notes.pth'):
        prepare_backbone(str(bad), str(tmp_path / 'out'))
    assert not list((tmp_path / 'out').glob('*.pth'))


@pytest.mark.parametrize(
    'config', [VOC07, COCO_C4, CITYSCAPES], ids=lambda p: p.stem)
def test_weights_really_load(config, r50_file, tmp_path):
    """After init, the backbone and a C4 detector's res5 head hold exactly
    the converted tensors (an independent comparison, key by key)."""
    cfg = benchmark_config(str(config), r50_file, str(tmp_path))
    for key in ('model.backbone', 'model.roi_head.shared_head'):
        node = cfg
        for part in key.split('.'):
            node = node.get(part) if node is not None else None
        if node is not None:
            assert node.init_cfg.checkpoint == r50_file
    src = load_checkpoint_file(r50_file)['state_dict']
    model = _init_model(cfg)
    own = model.backbone.state_dict()
    assert own, 'empty backbone'
    for k, v in own.items():
        if not k.endswith('num_batches_tracked'):
            assert torch.equal(v, src['backbone.' + k]), k
    if 'roi_head' in cfg.model:
        head = model.roi_head.shared_head.state_dict()
        layer4 = [
            k for k in head if k.startswith('layer4.')
            and not k.endswith('num_batches_tracked')
        ]
        assert len(layer4) == len([
            k for k in src if k.startswith('backbone.layer4.')
            and not k.endswith('num_batches_tracked')
        ])
        for k in layer4:
            assert torch.equal(head[k], src['backbone.' + k]), k


def test_file_without_prefix_fails_naming_it(r50_pretrain, tmp_path):
    """A file already in torchvision names (no 'backbone.') would load
    nothing: refused, naming the config key and the prefix."""
    sd = load_checkpoint_file(r50_pretrain)['state_dict']
    tv = tmp_path / 'tv.pth'
    torch.save(
        {
            k[len('backbone.'):]: v
            for k, v in sd.items() if k.startswith('backbone.')
        }, tv)
    with pytest.raises(
            BenchmarkError,
            match=r"model\.backbone\.init_cfg.*prefix='backbone"
            r"\.'.*nothing would load"):
        benchmark_config(str(VOC07), str(tv), str(tmp_path))


def test_wrong_architecture_fails(r18_pretrain, tmp_path):
    r18 = prepare_backbone(str(r18_pretrain), str(tmp_path))
    with pytest.raises(BenchmarkError, match=r'model\.backbone\.init_cfg'):
        benchmark_config(str(VOC07), r18, str(tmp_path))


def test_model_level_pretrained_refused(r50_file, tmp_path):
    with pytest.raises(BenchmarkError, match='model.pretrained'):
        benchmark_config(
            str(CITYSCAPES), r50_file, str(tmp_path),
            {'model.pretrained': 'open-mmlab://resnet50_v1c'})


def test_resnet_v1c_refused(r50_file, tmp_path):
    """The host's deep-stem backbone does not take our weights."""
    with pytest.raises(BenchmarkError, match='stem'):
        benchmark_config(
            str(CITYSCAPES), r50_file, str(tmp_path),
            {'model.backbone.type': 'ResNetV1c'})


@pytest.mark.parametrize('total,world,per',
                         [(16, 1, 16), (16, 2, 8), (16, 8, 2), (16, 16, 1),
                          (8, 4, 2), (8, 8, 1)])
def test_per_gpu_batch_keeps_the_total(total, world, per):
    assert per_gpu_batch_size(total, world) == per
    assert per * world == total


@pytest.mark.parametrize('total,world', [(16, 3), (8, 16), (16, 0)])
def test_per_gpu_batch_refuses_uneven(total, world):
    with pytest.raises(BenchmarkError, match=f'{total} images'):
        per_gpu_batch_size(total, world)


def test_world_size_from_launcher_env(monkeypatch):
    monkeypatch.setenv('WORLD_SIZE', '4')
    monkeypatch.setenv('SLURM_NTASKS', '8')
    assert world_size('none') == 1
    assert world_size('pytorch') == 4
    assert world_size('slurm') == 8


def test_sync_bn_to_bn_everywhere():
    cfg = Config.fromfile(COCO_C4)
    text = Config(dict(model=sync_bn_to_bn(cfg.model.to_dict()))).pretty_text
    assert 'SyncBN' in cfg.pretty_text and 'SyncBN' not in text


def test_failed_run_is_recorded(r50_pretrain, tmp_path):
    work = tmp_path / 'work'
    with pytest.raises(BenchmarkError):
        run_benchmark(
            str(VOC07),
            str(r50_pretrain),
            str(work),
            cfg_options={'model.backbone.depth': 101})
    rec = json.loads((work / 'metrics.json').read_text())
    assert rec['status'] == 'failed'
    assert 'model.backbone.init_cfg' in rec['error']
    assert rec['benchmark'] == VOC07.stem and rec['metrics'] == {}
    assert rec['pretrain'] == str(r50_pretrain)


def test_final_validation_not_repeated_by_the_test():
    from airl_mm.benchmarks.launcher import skip_final_validation
    cfg = Config.fromfile(VOC07)
    assert skip_final_validation(cfg)
    assert cfg.train_cfg.val_begin == 9001
    cfg = Config.fromfile(VOC07)
    cfg.test_dataloader = dict(cfg.test_dataloader, batch_size=4)
    assert not skip_final_validation(cfg)
    assert 'val_begin' not in cfg.train_cfg
