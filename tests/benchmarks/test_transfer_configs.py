"""What the transfer benchmark configs resolve to (the issue's recipe and
the traps of the host configs they inherit)."""
import re

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope, init_default_scope
from tool_loader import ROOT

DET = ROOT / 'configs' / 'benchmarks' / 'mmdet'
SEG = ROOT / 'configs' / 'benchmarks' / 'mmseg'
VOC07 = DET / 'faster-rcnn_r50-c4_9k_voc07.py'
VOC0712 = DET / 'faster-rcnn_r50-c4_24k_voc0712.py'
COCO_C4 = DET / 'mask-rcnn_r50-c4_1x_coco.py'
COCO_FPN = DET / 'mask-rcnn_r50-fpn_1x_coco.py'
CITYSCAPES = SEG / 'deeplabv3_r50-d8_40k_cityscapes-512x1024.py'
ALL = [VOC07, VOC0712, COCO_C4, COCO_FPN, CITYSCAPES]
# Tab. 7: children of the VOC configs changing the depth only
# (tests/benchmarks/test_depth_variants.py)
DEPTH_VARIANTS = [
    DET / f'faster-rcnn_r{d}-c4_{s}.py' for d in (18, 101)
    for s in ('9k_voc07', '24k_voc0712')
]
# (max iters, milestones or None for poly, warm-up iters, lr, total batch)
SCHEDULES = {
    VOC07: (9000, [6750, 8250], 100, 0.02, 16),
    VOC0712: (24000, [18000, 22000], 100, 0.02, 16),
    COCO_C4: (90000, [60000, 80000], 1000, 0.02, 16),
    COCO_FPN: (90000, [60000, 80000], 1000, 0.02, 16),
    CITYSCAPES: (40000, None, 0, 0.01, 8),
}
TORCHVISION_MEAN = [123.675, 116.28, 103.53]
TORCHVISION_STD = [58.395, 57.12, 57.375]


def test_benchmark_files_are_exactly_the_issue_list():
    found = sorted(p.name for d in (DET, SEG) for p in d.glob('*.py'))
    assert found == sorted(p.name for p in ALL + DEPTH_VARIANTS)


@pytest.mark.parametrize('config', ALL, ids=lambda p: p.stem)
def test_inherits_the_host_config(config):
    text = config.read_text()
    base = re.search(r"^_base_ = '(.+)'", text, re.M).group(1)
    assert base.startswith(('mmdet::', 'mmseg::', './'))
    cfg = Config.fromfile(config)
    assert cfg.default_scope == ('mmseg' if config == CITYSCAPES else 'mmdet')


@pytest.mark.parametrize('config', ALL, ids=lambda p: p.stem)
def test_schedule_optimizer_and_batch(config):
    cfg = Config.fromfile(config)
    iters, steps, warmup, lr, batch = SCHEDULES[config]
    assert cfg.train_cfg.type == 'IterBasedTrainLoop'
    assert cfg.train_cfg.max_iters == iters
    sched = {s.type: s for s in cfg.param_scheduler}
    if steps is None:
        assert sched['PolyLR'].end == iters and not sched['PolyLR'].by_epoch
    else:
        assert sched['MultiStepLR'].milestones == steps
        assert sched['MultiStepLR'].end == iters
        assert not sched['MultiStepLR'].by_epoch
        assert sched['LinearLR'].end == warmup
        assert sched['LinearLR'].start_factor == pytest.approx(0.001)
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.lr, opt.momentum) == ('SGD', lr, 0.9)
    assert cfg.optim_wrapper.paramwise_cfg.norm_decay_mult == 0.
    # the total batch the launcher holds, and what 8 / 4 GPUs x 2 make
    assert cfg.auto_scale_lr.base_batch_size == batch
    assert not cfg.auto_scale_lr.enable
    assert cfg.train_dataloader.batch_size * batch // 2 == batch
    hooks = [h.type for h in cfg.custom_hooks]
    assert hooks == ['mmselfsup.PreciseBNHook']
    assert cfg.custom_hooks[0].num_samples == 200 * batch


@pytest.mark.parametrize('config', ALL, ids=lambda p: p.stem)
def test_no_url_anywhere(config):
    cfg = Config.fromfile(config)
    assert '://' not in cfg.pretty_text
    assert cfg.model.get('pretrained') is None
    assert cfg.model.backbone.init_cfg == dict(
        type='Pretrained', checkpoint=None, prefix='backbone.')


def _build_model(cfg):
    from mmengine.model import revert_sync_batchnorm
    from mmengine.registry import MODELS
    init_default_scope(cfg.default_scope)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        return revert_sync_batchnorm(MODELS.build(cfg.model))


@pytest.mark.parametrize('config', ALL, ids=lambda p: p.stem)
def test_built_model_backbone_and_normalisation(config):
    """The model that runs: torchvision normalisation (even where the host
    base model carries a caffe preprocessor), plain pytorch-style ResNet-50
    with SyncBN and nothing frozen, C4 res5 head initialised from us."""
    cfg = Config.fromfile(config)
    bb = cfg.model.backbone
    assert (bb.type, bb.depth, bb.style) == ('ResNet', 50, 'pytorch')
    assert bb.norm_cfg.type == 'SyncBN' and not bb.norm_eval
    assert bb.frozen_stages == -1
    model = _build_model(cfg)
    pre = model.data_preprocessor
    assert pre.mean.flatten().tolist() == pytest.approx(TORCHVISION_MEAN)
    assert pre.std.flatten().tolist() == pytest.approx(TORCHVISION_STD)
    # RGB: the BGR images the loaders read are flipped
    assert (pre._channel_conversion
            if hasattr(pre, '_channel_conversion') else pre.channel_conversion)
    assert model.backbone.conv1.kernel_size == (7, 7)  # not V1c's stem
    assert all(p.requires_grad for p in model.backbone.parameters())
    shared = cfg.model.get('roi_head', {}).get('shared_head')
    if shared is not None:
        assert shared.type == 'C4SharedHead'
        assert shared.init_cfg == bb.init_cfg
        assert shared.norm_cfg.type == 'SyncBN' and not shared.norm_eval
        assert cfg.model.train_cfg.rpn.allowed_border == -1
        assert hasattr(model.roi_head.shared_head, 'norm')  # MoCo's extra


def test_fpn_norms_and_heads():
    cfg = Config.fromfile(COCO_FPN)
    assert cfg.model.neck.norm_cfg.type == 'SyncBN'
    box = cfg.model.roi_head.bbox_head
    assert box.type == 'Shared4Conv1FCBBoxHead'
    assert box.norm_cfg.type == 'SyncBN'
    assert cfg.model.roi_head.mask_head.norm_cfg.type == 'SyncBN'


def _scales(pipeline, kind):
    return [t for t in pipeline if t.type == kind][0]


def test_detection_scales_and_voc_metric():
    voc = Config.fromfile(VOC07)
    train = voc.train_dataloader.dataset.pipeline
    shorts = [s[1] for s in _scales(train, 'RandomChoiceResize').scales]
    assert shorts == list(range(480, 801, 32))
    assert {s[0]
            for s in _scales(train, 'RandomChoiceResize').scales} == {1333}
    assert _scales(train, 'RandomFlip').prob == 0.5
    test = voc.test_dataloader.dataset.pipeline
    assert _scales(test, 'Resize').scale == (1333, 800)
    assert voc.train_dataloader.dataset.ann_file.startswith('VOC2007/')
    assert voc.test_dataloader.dataset.ann_file == \
        'VOC2007/ImageSets/Main/test.txt'
    thrs = voc.test_evaluator.iou_thrs
    assert thrs == pytest.approx([0.5 + 0.05 * i for i in range(10)])
    assert voc.test_evaluator.eval_mode == '11points'
    for config in (COCO_C4, COCO_FPN):
        cfg = Config.fromfile(config)
        train = cfg.train_dataloader.dataset.pipeline
        shorts = [s[1] for s in _scales(train, 'RandomChoiceResize').scales]
        assert shorts == list(range(640, 801, 32))
        assert _scales(cfg.test_dataloader.dataset.pipeline,
                       'Resize').scale == (1333, 800)
        assert cfg.train_dataloader.dataset.ann_file.endswith(
            'instances_train2017.json')
        assert cfg.train_dataloader.sampler.type == 'InfiniteSampler'


def test_segmentation_geometry():
    cfg = Config.fromfile(CITYSCAPES)
    bb = cfg.model.backbone
    assert bb.strides == (1, 2, 1, 1) and bb.dilations == (1, 1, 2, 4)
    assert cfg.crop_size == (512, 1024)
    assert cfg.model.data_preprocessor.size == (512, 1024)
    test = cfg.test_dataloader.dataset.pipeline
    assert _scales(test, 'Resize').scale == (2048, 1024)
    assert cfg.model.test_cfg.mode == 'whole'
    assert cfg.train_dataloader.dataset.data_prefix.img_path == \
        'leftImg8bit/train'
    assert cfg.test_dataloader.dataset.data_prefix.img_path == \
        'leftImg8bit/val'
    # output stride 8: a 64x64 input gives 8x8 features at the last stage
    model = _build_model(cfg)
    model.eval()
    with torch.no_grad():
        feats = model.backbone(torch.zeros(1, 3, 64, 64))
    assert feats[-1].shape[-2:] == (8, 8)


def test_no_weight_decay_on_norm_layers():
    """The optimizer the Runner would build: 0 decay on every BN weight and
    bias, 1e-4 on the conv weights."""
    from mmengine.optim import build_optim_wrapper
    cfg = Config.fromfile(VOC07)
    model = _build_model(cfg)
    with DefaultScope.overwrite_default_scope('mmdet'):
        wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    decay = {}
    for group in wrapper.optimizer.param_groups:
        for p in group['params']:
            decay[id(p)] = group['weight_decay']
    norms = [
        m for m in model.modules()
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
    ]
    assert norms
    for m in norms:
        assert decay[id(m.weight)] == 0 and decay[id(m.bias)] == 0
    assert decay[id(model.backbone.conv1.weight)] == pytest.approx(1e-4)
    assert decay[id(model.roi_head.shared_head.layer4[0].conv1.weight)] == \
        pytest.approx(1e-4)
