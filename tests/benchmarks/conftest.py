from pathlib import Path

import pytest
import torch
import torchvision

from .tiny_data import make_cityscapes, make_coco, make_voc


def _perturbed_resnet(depth: int, seed: int) -> dict:
    """A torchvision ResNet state dict with non-trivial BN statistics (so
    that a tensor left at its default init cannot pass for a loaded one)."""
    torch.manual_seed(seed)
    net = getattr(torchvision.models, f'resnet{depth}')(weights=None)
    sd = net.state_dict()
    for k, v in sd.items():
        if v.is_floating_point():
            v.add_(torch.rand_like(v) * 0.1 + 0.01)
    return {k: v for k, v in sd.items() if not k.startswith('fc.')}


@pytest.fixture(scope='session')
def r50_pretrain(tmp_path_factory) -> Path:
    """An mmselfsup-MoCo-format ResNet-50 checkpoint: student under
    ``backbone.``, a different teacher under ``encoder_k.module.0.``."""
    student = _perturbed_resnet(50, 0)
    state = {f'backbone.{k}': v for k, v in student.items()}
    state.update({
        f'encoder_k.module.0.{k}':
        v + 1 if v.is_floating_point() else v
        for k, v in student.items()
    })
    path = tmp_path_factory.mktemp('pretrain') / 'moco_r50.pth'
    torch.save({'state_dict': state, 'meta': {}}, path)
    return path


@pytest.fixture(scope='session')
def r18_pretrain(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp('pretrain18') / 'tv_r18.pth'
    torch.save(_perturbed_resnet(18, 1), path)
    return path


@pytest.fixture(scope='session')
def r101_pretrain(tmp_path_factory) -> Path:
    """A torchvision ResNet-101 state dict (full width, 170 MB)."""
    path = tmp_path_factory.mktemp('pretrain101') / 'tv_r101.pth'
    torch.save(_perturbed_resnet(101, 2), path)
    return path


@pytest.fixture(scope='session')
def tiny_voc(tmp_path_factory) -> Path:
    return make_voc(tmp_path_factory.mktemp('voc'))


@pytest.fixture(scope='session')
def tiny_coco(tmp_path_factory) -> Path:
    return make_coco(tmp_path_factory.mktemp('coco'))


@pytest.fixture(scope='session')
def tiny_cityscapes(tmp_path_factory) -> Path:
    return make_cityscapes(tmp_path_factory.mktemp('cityscapes'))
