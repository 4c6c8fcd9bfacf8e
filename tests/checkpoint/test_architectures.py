"""Old two-branch layouts (OpenSelfSup / mmselfsup 0.x, MoCo v3,
solo-learn) and the architecture checks of every conversion path, on
synthetic state dicts saved to files."""
import copy

import pytest
import torch
import torch.nn as nn
import torchvision
from tool_loader import load_tool
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet

from airl_mm.checkpoint import (CheckpointError, load_checkpoint_file,
                                save_checkpoint_file)
from airl_mm.checkpoint.convert import (extract_file, normrescale_file,
                                        read_backbone)
from airl_mm.checkpoint.formats import (from_torchvision, resnet_arch,
                                        resnet_layout)
from airl_mm.checkpoint.normrescale import normrescale

BLOCKS = {
    18: (BasicBlock, [2, 2, 2, 2]),
    50: (Bottleneck, [3, 4, 6, 3]),
    101: (Bottleneck, [3, 4, 23, 3])
}


def narrow_resnet(depth: int, seed: int = 0) -> nn.Module:
    """A torchvision ResNet of ``depth`` with narrow bottlenecks (same
    names and block counts as the real one, a fraction of its size)."""
    torch.manual_seed(seed)
    block, layers = BLOCKS[depth]
    width = 64 if block is BasicBlock else 8  # basic blocks: 64 only
    return ResNet(block, layers, width_per_group=width)


def backbone(depth: int, seed: int = 0) -> dict:
    return from_torchvision(narrow_resnet(depth, seed).state_dict())


class Neck(nn.Sequential):

    def __init__(self, c: int = 512) -> None:
        super().__init__(nn.Linear(c, 16), nn.ReLU(), nn.Linear(16, 8))


def _without_fc(net: nn.Module) -> nn.Module:
    net.fc = nn.Identity()
    return net


class OpenSelfSupMoCo(nn.Module):
    """OpenSelfSup's MoCo (and mmselfsup 0.x's): encoder_q =
    Sequential(backbone, neck), encoder_k a copy; ``backbone`` and
    ``neck`` alias the query encoder's (their state dicts show both)."""

    def __init__(self) -> None:
        super().__init__()
        self.encoder_q = nn.Sequential(
            _without_fc(narrow_resnet(18, 0)), Neck())
        self.encoder_k = copy.deepcopy(self.encoder_q)
        self.backbone = self.encoder_q[0]
        self.register_buffer('queue', torch.randn(8, 16))
        self.register_buffer('queue_ptr', torch.zeros(1, dtype=torch.long))
        with torch.no_grad():
            for p in self.encoder_k.parameters():
                p.add_(1.0)  # a teacher that differs from the student


class OpenSelfSupBYOL(nn.Module):
    """OpenSelfSup's / mmselfsup 0.x's BYOL: online_net and target_net =
    Sequential(backbone, neck), ``backbone``/``neck`` aliases, a head."""

    def __init__(self) -> None:
        super().__init__()
        self.online_net = nn.Sequential(
            _without_fc(narrow_resnet(18, 0)), Neck())
        self.target_net = copy.deepcopy(self.online_net)
        self.backbone = self.online_net[0]
        self.neck = self.online_net[1]
        self.head = nn.Linear(8, 8)
        with torch.no_grad():
            for p in self.target_net.parameters():
                p.mul_(-1.0)


def _save(tmp_path, name, obj):
    path = tmp_path / name
    save_checkpoint_file(obj, path)
    return path


@pytest.mark.parametrize('model,student,teacher', [
    (OpenSelfSupMoCo, 'encoder_q.0', 'encoder_k.0'),
    (OpenSelfSupBYOL, 'online_net.0', 'target_net.0'),
])
def test_openselfsup_layouts_both_branches(model, student, teacher, tmp_path):
    net = model()
    sd = net.state_dict()
    assert any(k.startswith('backbone.') for k in sd)  # the alias
    path = _save(tmp_path, 'old.pth', {'state_dict': sd, 'meta': {}})
    s, t = read_backbone(path, 'student'), read_backbone(path, 'teacher')
    assert s.format == t.format and s.format.startswith('OpenSelfSup')
    assert t.source_prefix == teacher + '.'
    want_s = net.get_submodule(student).state_dict()
    want_t = net.get_submodule(teacher).state_dict()
    assert set(s.state_dict) == set(t.state_dict) == set(want_s)
    for k in want_s:
        assert torch.equal(s.state_dict[k], want_s[k]), k
        assert torch.equal(t.state_dict[k], want_t[k]), k
    assert not torch.equal(t.state_dict['conv1.weight'],
                           s.state_dict['conv1.weight'])
    # and through the conversion: the teacher, nothing of the neck
    out = tmp_path / 'teacher.pth'
    extract_file(path, out, branch='teacher', log=lambda *_: None)
    got = load_checkpoint_file(out)['state_dict']
    assert set(got) == {'backbone.' + k for k in want_t}
    assert torch.equal(got['backbone.layer4.1.conv2.weight'],
                       want_t['layer4.1.conv2.weight'])


def test_moco_v3_and_solo_learn_layouts(tmp_path):
    tv = narrow_resnet(18, 0)
    tv.fc = nn.Sequential(nn.Linear(512, 16), nn.ReLU(), nn.Linear(16, 8))
    sd = tv.state_dict()
    plus1 = {k: v + 1 if v.is_floating_point() else v for k, v in sd.items()}
    v3 = {f'module.base_encoder.{k}': v for k, v in sd.items()}
    v3.update({f'module.momentum_encoder.{k}': v for k, v in plus1.items()})
    v3['module.predictor.0.weight'] = torch.ones(8, 8)
    solo = {f'backbone.{k}': v for k, v in sd.items() if '.fc' not in k}
    solo.update({
        f'momentum_backbone.{k}': v
        for k, v in plus1.items() if not k.startswith('fc')
    })
    solo['projector.0.weight'] = torch.ones(8, 512)
    for name, state, fmt in (('v3.pth', {
            'state_dict': v3,
            'epoch': 100
    }, 'MoCo v3 (facebookresearch)'), ('solo.ckpt', {
            'state_dict': solo
    }, 'solo-learn')):
        path = _save(tmp_path, name, state)
        s, t = read_backbone(path), read_backbone(path, 'teacher')
        assert s.format == t.format == fmt, name
        assert not any(k.startswith('fc') for k in t.state_dict)
        assert torch.equal(s.state_dict['conv1.weight'], sd['conv1.weight'])
        assert torch.equal(t.state_dict['conv1.weight'],
                           sd['conv1.weight'] + 1)


def test_unrecognised_teacher_lists_the_prefixes_found(tmp_path):
    """A backbone plus an EMA copy under a name no format uses: the error
    says what is in the file (the student still converts)."""
    sd = backbone(18)
    state = {f'backbone.{k}': v for k, v in sd.items()}
    state.update({f'ema_model.backbone.{k}': v for k, v in sd.items()})
    state['queue'] = torch.zeros(4, 4)
    path = _save(tmp_path, 'ema.pth', {'state_dict': state})
    assert read_backbone(path).format == 'backbone-only (mmdet/mmcls)'
    with pytest.raises(CheckpointError) as e:
        read_backbone(path, 'teacher')
    msg = str(e.value)
    assert 'ema.pth' in msg and 'no teacher branch' in msg
    assert "'ema_model.backbone.'" in msg and "'backbone.'" in msg
    assert f'ema_model. ({len(sd)})' in msg and 'queue (1)' in msg
    assert 'encoder_k.0.' in msg  # what would have been recognised
    # a plain torchvision state dict: its (only) prefix is listed too
    plain = _save(tmp_path, 'plain.pth', sd)
    with pytest.raises(CheckpointError, match="under the prefixes ''"):
        read_backbone(plain, 'teacher')


def test_layout_inferred_from_blocks_and_widths():
    for depth, blocks in ((18, (2, 2, 2, 2)), (50, (3, 4, 6, 3)),
                          (101, (3, 4, 23, 3))):
        lay = resnet_layout(backbone(depth))
        assert lay.blocks == blocks and lay.standard_depth == depth
        assert lay.depth == depth
    wide = resnet_layout(
        from_torchvision(torchvision.models.wide_resnet50_2().state_dict()))
    assert wide.depth == 50 and wide.widths == (128, 256, 512, 1024)
    assert wide.out_channels == 2048
    r18 = resnet_layout(backbone(18))
    assert (r18.block, r18.out_channels) == ('BasicBlock', 512)
    extra = dict(backbone(50), **{'layer5.0.conv1.weight': torch.ones(4, 2)})
    with pytest.raises(
            CheckpointError,
            match=r'blocks \[3, 4, 6, 3, 1\].*not a standard'):
        resnet_arch(extra)
    gap = {
        k: v
        for k, v in backbone(50).items()
        if '.layer3.3.' not in k and not k.startswith('layer3.3.')
    }
    with pytest.raises(CheckpointError, match=r'layer3 blocks \[0, 1, 2, 4'):
        resnet_layout(gap)


def test_extract_refuses_another_depth_naming_it(tmp_path):
    path = _save(tmp_path, 'r101.pth', narrow_resnet(101).state_dict())
    logs = []
    with pytest.raises(CheckpointError) as e:
        extract_file(path, tmp_path / 'out.pth', depth=50, log=logs.append)
    msg = str(e.value)
    extra = [
        k for k in backbone(101) if k.startswith('layer3.')
        and int(k.split('.')[1]) >= 6 and not k.endswith('num_batches_tracked')
    ]
    assert 'r101.pth' in msg and 'depth 101' in msg
    assert 'not ResNet-50' in msg and 'layer3.6.' in msg
    assert f'{len(extra)} of its tensors' in msg
    assert not (tmp_path / 'out.pth').exists()
    # the right depth converts, and says and records what it holds
    extract_file(path, tmp_path / 'out.pth', depth=101, log=logs.append)
    assert 'depth 101 (Bottleneck blocks 3-4-23-3' in logs[-1]
    meta = load_checkpoint_file(tmp_path / 'out.pth')['meta']
    assert meta['arch'].startswith('depth 101')
    # a file that lost blocks in the middle is not a whole ResNet
    gap = {k: v for k, v in backbone(50).items() if 'layer2.1.' not in k}
    bad = _save(tmp_path, 'gap.pth', gap)
    with pytest.raises(CheckpointError, match=r'gap.pth.*layer2 blocks'):
        extract_file(bad, tmp_path / 'gap_out.pth', log=logs.append)


def test_extract_cli_depth_option(tmp_path, capsys):
    tool = load_tool('convert/extract_backbone.py')
    path = _save(tmp_path, 'r18.pth', backbone(18))
    rc = tool.main([str(path), '-o', str(tmp_path / 'o.pth'), '--depth', '50'])
    err = capsys.readouterr().err
    assert rc == 1 and 'depth 18' in err and 'not ResNet-50' in err
    assert tool.main(
        [str(path), '-o',
         str(tmp_path / 'o.pth'), '--depth', '18']) == 0


def test_normrescale_deeper_lars_than_anchor_is_named(tmp_path):
    lars = _save(tmp_path, 'lars101.pth', narrow_resnet(101, 1).state_dict())
    anchor = _save(tmp_path, 'sgd50.pth', narrow_resnet(50, 2).state_dict())
    with pytest.raises(CheckpointError) as e:
        normrescale_file(lars, tmp_path / 'nr.pth', anchor, log=print)
    msg = str(e.value)
    assert 'only in the LARS model' in msg and 'layer3.6.' in msg
    assert 'LARS model is a ResNet of depth 101' in msg
    assert 'anchor a ResNet of depth 50' in msg
    assert not (tmp_path / 'nr.pth').exists()
    # wider (same keys): the shapes and both widths are named
    wide = from_torchvision(
        ResNet(Bottleneck, [3, 4, 6, 3], width_per_group=16).state_dict())
    with pytest.raises(CheckpointError) as e:
        normrescale(wide, backbone(50))
    assert 'shape mismatch' in str(e.value)
    assert 'widths 16-32-64-128' in str(e.value)
    assert 'widths 8-16-32-64' in str(e.value)
    # the constant mode has no anchor: --depth is its check
    with pytest.raises(CheckpointError, match='depth 101.*not ResNet-50'):
        normrescale_file(
            lars, tmp_path / 'nr.pth', constant=0.5, depth=50, log=print)
