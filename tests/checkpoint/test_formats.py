"""Format detection and key mapping, on real model classes' state dicts."""
import pytest
import torch
import torchvision
from mmselfsup.registry import MODELS
from model_builders import TINY_BACKBONE, tiny_mocov2plus

from airl_mm.checkpoint import CheckpointError
from airl_mm.checkpoint.formats import (detectron2_name, extract_backbone,
                                        from_torchvision, resnet_arch,
                                        to_detectron2, to_mmdet,
                                        to_torchvision)


@pytest.fixture(scope='module')
def tv_resnet18():
    torch.manual_seed(0)
    return torchvision.models.resnet18()


def test_torchvision_round_trip_is_identity(tv_resnet18):
    sd = tv_resnet18.state_dict()
    bb = extract_backbone(sd)
    assert bb.format == 'torchvision ResNet state dict'
    back = to_torchvision(from_torchvision(bb.state_dict))
    expected = {k: v for k, v in sd.items() if not k.startswith('fc.')}
    assert back.keys() == expected.keys()
    for k in expected:
        assert torch.equal(back[k], expected[k]), k
    model = torchvision.models.resnet18()
    missing, unexpected = model.load_state_dict(back, strict=False)
    assert missing == ['fc.weight', 'fc.bias'] and not unexpected


def test_torchvision_names_load_into_mmdet_resnet(tv_resnet18):
    """Our canonical names are mmcv/mmdet ResNet names."""
    from mmdet.registry import MODELS as DET_MODELS
    ckpt = to_mmdet(from_torchvision(tv_resnet18.state_dict()))
    det = DET_MODELS.build(dict(type='ResNet', depth=18))
    inner = {k[len('backbone.'):]: v for k, v in ckpt['state_dict'].items()}
    res = det.load_state_dict(inner, strict=True)
    assert not res.missing_keys and not res.unexpected_keys
    assert torch.equal(det.layer3[1].conv2.weight,
                       tv_resnet18.layer3[1].conv2.weight)


def test_mocov2plus_student_and_teacher():
    model = tiny_mocov2plus()
    with torch.no_grad():
        model.teacher.module[0].conv1.weight.add_(1.0)
    ckpt = {'meta': {}, 'state_dict': model.state_dict()}
    s = extract_backbone(ckpt, 'student')
    t = extract_backbone(ckpt, 'teacher')
    assert s.format == t.format == 'airl_mm MoCoV2Plus'
    assert torch.equal(s.state_dict['conv1.weight'],
                       model.backbone.conv1.weight)
    assert torch.equal(t.state_dict['conv1.weight'],
                       model.teacher.module[0].conv1.weight)
    assert s.state_dict.keys() == t.state_dict.keys()
    assert not any(k.startswith(('neck', 'queue')) for k in s.state_dict)


@pytest.mark.parametrize('algo,teacher', [('MoCo', 'encoder_k'),
                                          ('BYOL', 'target_net')])
def test_mmselfsup_formats(algo, teacher):
    neck = dict(
        type='NonLinearNeck',
        in_channels=32,
        hid_channels=16,
        out_channels=8,
        norm_cfg=dict(type='BN1d'))
    if algo == 'MoCo':
        cfg = dict(
            type='MoCo',
            queue_len=16,
            feat_dim=8,
            neck=neck,
            head=dict(
                type='ContrastiveHead',
                loss=dict(type='mmcls.CrossEntropyLoss')))
    else:
        cfg = dict(
            type='BYOL',
            neck=neck,
            head=dict(
                type='LatentPredictHead',
                predictor=dict(neck, in_channels=8, with_avg_pool=False),
                loss=dict(type='CosineSimilarityLoss')))
    model = MODELS.build(dict(cfg, backbone=dict(TINY_BACKBONE)))
    ckpt = {'state_dict': model.state_dict()}
    assert extract_backbone(ckpt).format == f'mmselfsup {algo}'
    t = extract_backbone(ckpt, 'teacher')
    assert t.source_prefix == f'{teacher}.module.0.'


def test_moco_format(tv_resnet18):
    sd = tv_resnet18.state_dict()
    ckpt = {
        'arch': 'resnet18',
        'state_dict': {
            **{
                f'module.encoder_q.{k}': v
                for k, v in sd.items()
            },
            **{
                f'module.encoder_k.{k}': v + 1
                for k, v in sd.items() if v.is_floating_point()
            }, 'module.queue': torch.zeros(8, 4)
        }
    }
    q = extract_backbone(ckpt)
    k = extract_backbone(ckpt, 'teacher')
    assert q.format == 'MoCo (facebookresearch)'
    assert torch.equal(q.state_dict['conv1.weight'], sd['conv1.weight'])
    assert torch.equal(k.state_dict['conv1.weight'], sd['conv1.weight'] + 1)
    assert 'fc.weight' not in q.state_dict


def test_no_backbone_and_no_teacher_are_named(tv_resnet18):
    with pytest.raises(CheckpointError, match='x.pth: no ResNet backbone'):
        extract_backbone({'state_dict': {
            'a.weight': torch.ones(1)
        }},
                         path='x.pth')
    with pytest.raises(CheckpointError, match='no teacher'):
        extract_backbone(tv_resnet18.state_dict(), 'teacher')
    with pytest.raises(CheckpointError, match='no teacher'):
        extract_backbone(
            to_mmdet(from_torchvision(tv_resnet18.state_dict())), 'teacher')
    with pytest.raises(CheckpointError, match='holds no tensors'):
        extract_backbone({'meta': {}})


def test_detectron2_names(tv_resnet18):
    d2 = to_detectron2(from_torchvision(tv_resnet18.state_dict()))
    assert d2['matching_heuristics'] is True
    model = d2['model']
    assert 'stem.conv1.weight' in model
    assert 'stem.conv1.norm.running_var' in model
    assert 'res5.1.conv2.norm.bias' in model
    assert 'res3.0.shortcut.weight' in model
    assert 'res3.0.shortcut.norm.running_mean' in model
    assert not any('num_batches' in k for k in model)
    assert detectron2_name('layer4.0.downsample.1.weight') == \
        'res5.0.shortcut.norm.weight'
    assert (model['res4.1.conv1.weight'] ==
            tv_resnet18.layer3[1].conv1.weight.detach().numpy()).all()


@pytest.mark.parametrize('depth', [18, 50, 101])
def test_resnet_arch_recovers_depth(depth):
    model = torchvision.models.__dict__[f'resnet{depth}']()
    d, kwargs = resnet_arch(from_torchvision(model.state_dict()))
    assert d == depth and kwargs['base_channels'] == 64
