"""Another depth than the config's: refused, naming the tensors and the
depths (a ResNet-101 file used to load 6 of its 23 res4 blocks into the
ResNet-50 configs); and the Tab. 7 ResNet-18 / ResNet-101 benchmark
configs (linear, VOC07, VOC07+12), each loading every tensor of a file of
its depth and training on tiny data."""
import json
import math

import pytest
import torch
from benchmark_builders import WIDTH, classification_overrides
from mmengine.config import Config
from mmengine.model import revert_sync_batchnorm
from mmengine.registry import DefaultScope, init_default_scope
from tool_loader import ROOT

from airl_mm.benchmarks import (BenchmarkError, benchmark_config,
                                prepare_backbone, run_benchmark)
from airl_mm.checkpoint import load_checkpoint_file, save_checkpoint_file

from .test_transfer_configs import CITYSCAPES, DET, VOC07, VOC0712
from .tiny_data import tiny_options

CLS = ROOT / 'configs' / 'benchmarks' / 'classification'
LINEAR50 = CLS / 'linear_r50_sgd-steplr-100e_in1k.py'
R50_CONFIGS = [LINEAR50, VOC07, CITYSCAPES]


def linear(depth):
    return CLS / f'linear_r{depth}_sgd-steplr-100e_in1k.py'


def det(depth, voc0712=False):
    return DET / (f'faster-rcnn_r{depth}-c4_24k_voc0712.py'
                  if voc0712 else f'faster-rcnn_r{depth}-c4_9k_voc07.py')


# child -> (parent, {resolved key: value}): everything that differs
R18_DET = {
    'model.backbone.depth': 18,
    'model.rpn_head.in_channels': 256,
    'model.rpn_head.feat_channels': 256,
    'model.roi_head.shared_head.depth': 18,
    'model.roi_head.bbox_roi_extractor.out_channels': 256,
    'model.roi_head.bbox_head.in_channels': 512
}
R101_DET = {
    'model.backbone.depth': 101,
    'model.roi_head.shared_head.depth': 101
}
VARIANTS = {
    linear(18): (LINEAR50, {
        'model.backbone.depth': 18,
        'model.head.in_channels': 512
    }),
    linear(101): (LINEAR50, {
        'model.backbone.depth': 101
    }),
    det(18): (VOC07, R18_DET),
    det(18, True): (VOC0712, R18_DET),
    det(101): (VOC07, R101_DET),
    det(101, True): (VOC0712, R101_DET),
}


def _flat(obj, prefix=''):
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            out.update(_flat(v, f'{prefix}{k}.'))
        return out
    if isinstance(obj, (list, tuple)):
        out = {}
        for i, v in enumerate(obj):
            out.update(_flat(v, f'{prefix}{i}.'))
        return out
    return {prefix[:-1]: obj}


def _name(p):
    return p.stem


@pytest.fixture(scope='module')
def files(r18_pretrain, r50_pretrain, r101_pretrain, tmp_path_factory):
    """depth -> the launcher's backbone file of that depth."""
    out = tmp_path_factory.mktemp('backbones')
    pretrain = {18: r18_pretrain, 50: r50_pretrain, 101: r101_pretrain}
    return {
        d: prepare_backbone(str(p), str(out / str(d)))
        for d, p in pretrain.items()
    }


@pytest.mark.parametrize('child', sorted(VARIANTS), ids=_name)
def test_children_change_only_depth_fields(child):
    parent, changed = VARIANTS[child]
    text = child.read_text()
    assert f"_base_ = './{parent.name}'" in text
    a = _flat(Config.fromfile(parent).to_dict())
    b = _flat(Config.fromfile(child).to_dict())
    diff = {k for k in set(a) | set(b) if a.get(k) != b.get(k)}
    assert diff == set(changed)
    assert {k: b[k] for k in diff} == changed


@pytest.mark.parametrize('config', R50_CONFIGS, ids=_name)
def test_deeper_file_refused_naming_the_extra_blocks(config, files,
                                                     r101_pretrain, tmp_path):
    """ResNet-101 into ResNet-50: every tensor the model expects is there;
    the 17 extra res4 blocks are what must stop the run."""
    src = torch.load(r101_pretrain, weights_only=True)
    extra = [
        k for k in src if k.startswith('layer3.') and int(k.split('.')[1]) >= 6
        and not k.endswith('num_batches_tracked')
    ]
    with pytest.raises(BenchmarkError) as e:
        benchmark_config(str(config), files[101], str(tmp_path))
    msg = str(e.value)
    assert f'{len(extra)} backbone tensors of the file are taken by none' \
        in msg
    assert 'backbone.layer3.6.' in msg and 'depth 101' in msg
    assert 'Bottleneck blocks 3-4-23-3' in msg
    assert 'the model is a ResNet of depth 50' in msg
    assert files[101] in msg


def test_deeper_file_refused_by_the_launcher(r101_pretrain, tmp_path):
    work = tmp_path / 'work'
    with pytest.raises(BenchmarkError, match='depth 101'):
        run_benchmark(str(VOC07), str(r101_pretrain), str(work))
    rec = json.loads((work / 'metrics.json').read_text())
    assert rec['status'] == 'failed'
    assert 'layer3.6.' in rec['error'] and 'depth 101' in rec['error']


@pytest.mark.parametrize('config', R50_CONFIGS, ids=_name)
def test_shallower_file_still_refused(config, files, tmp_path):
    with pytest.raises(BenchmarkError) as e:
        benchmark_config(str(config), files[18], str(tmp_path))
    assert 'model.backbone.init_cfg' in str(e.value)
    assert 'depth 18 (BasicBlock blocks 2-2-2-2' in str(e.value)


def test_extra_stage_refused(files, tmp_path):
    sd = load_checkpoint_file(files[50])['state_dict']
    sd.update({
        'backbone.layer5.0.conv1.weight': torch.ones(8, 2048, 1, 1),
        'backbone.layer5.0.bn1.weight': torch.ones(8)
    })
    path = tmp_path / 'five_stages.pth'
    save_checkpoint_file({'state_dict': sd}, path)
    with pytest.raises(BenchmarkError) as e:
        benchmark_config(str(VOC07), str(path), str(tmp_path))
    msg = str(e.value)
    assert msg.startswith(f'{path}: 2 backbone tensors')
    assert 'backbone.layer5.0.bn1.weight, backbone.layer5.0.conv1.weight' \
        in msg
    assert 'Bottleneck blocks 3-4-6-3-1' in msg


def test_wider_file_refused(files, tmp_path):
    """A full-width ResNet-50 into a quarter-width one: shapes differ, and
    the file's widths are named."""
    with pytest.raises(BenchmarkError) as e:
        benchmark_config(str(LINEAR50), files[50], str(tmp_path), WIDTH)
    assert 'shape mismatch' in str(e.value)
    assert 'widths 64-128-256-512' in str(e.value)


def _model(cfg):
    from mmengine.registry import MODELS
    init_default_scope(cfg.default_scope)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = revert_sync_batchnorm(MODELS.build(cfg.model))
        model.init_weights()
    return model


@pytest.mark.parametrize(
    'config',
    [linear(18), det(18), det(18, True), LINEAR50], ids=_name)
def test_variant_loads_every_tensor(config, files, tmp_path):
    """After init the backbone (and the C4 head's res5) hold exactly the
    file's tensors, and every tensor of the file is held somewhere."""
    depth = int(config.stem.split('_r')[1].split('-')[0].split('_')[0])
    cfg = benchmark_config(str(config), files[depth], str(tmp_path))
    src = load_checkpoint_file(files[depth])['state_dict']
    model = _model(cfg)
    held = {'backbone.' + k: v for k, v in model.backbone.state_dict().items()}
    if 'roi_head' in cfg.model:
        head = model.roi_head.shared_head.state_dict()
        held.update({
            'backbone.' + k: v
            for k, v in head.items() if k.startswith('layer4.')
        })
    assert set(src) == set(held)
    for k, v in src.items():
        assert torch.equal(held[k], v), k


@pytest.mark.slow
@pytest.mark.parametrize(
    'config', [linear(101), det(101), det(101, True)], ids=_name)
def test_r101_variant_loads_every_tensor(config, files, tmp_path):
    test_variant_loads_every_tensor(config, files, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize('depth', [18, 101])
def test_voc07_variant_trains_and_tests(depth, r18_pretrain, r101_pretrain,
                                        tiny_voc, tmp_path):
    config = det(depth)
    pretrain = r18_pretrain if depth == 18 else r101_pretrain
    opts = tiny_options(str(config), str(tiny_voc), iters=1)
    run_benchmark(str(config), str(pretrain), str(tmp_path), cfg_options=opts)
    rec = json.loads((tmp_path / 'metrics.json').read_text())
    assert rec['status'] == 'finished', rec['error']
    assert math.isfinite(rec['metrics']['pascal_voc/AP50'])


@pytest.mark.slow
@pytest.mark.parametrize('depth', [18, 101])
def test_linear_variant_trains_and_evaluates(depth, files, tiny_imagenet,
                                             tmp_path):
    from mmengine.runner import Runner
    opts = {
        k: v
        for k, v in classification_overrides('imagenet', tiny_imagenet,
                                             4).items() if k not in WIDTH
    }
    cfg = benchmark_config(
        str(linear(depth)), files[depth], str(tmp_path), opts)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        runner = Runner.from_cfg(cfg)
        runner.train()
        top1 = runner.val()['accuracy/top1']
    assert runner.model.head.fc.in_features == (512 if depth == 18 else 2048)
    assert math.isfinite(top1)
