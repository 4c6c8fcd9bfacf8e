"""tools/convert/{normrescale,extract_backbone}.py on real files."""
import csv
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch
import torchvision
from marker import Payload
from tool_loader import ROOT, load_tool

from airl_mm.checkpoint import load_checkpoint_file, save_checkpoint_file
from airl_mm.checkpoint.formats import extract_backbone

pytestmark = pytest.mark.slow
normrescale_tool = load_tool('convert/normrescale.py')
extract_tool = load_tool('convert/extract_backbone.py')


def norm(t):
    return float(np.linalg.norm(t.double().numpy().ravel()))


def test_normrescale_on_plugin_checkpoints(trained_pair, tmp_path, capsys):
    out = tmp_path / 'lars_nr.pth'
    rc = normrescale_tool.main([
        str(trained_pair['lars']), '--anchor',
        str(trained_pair['sgd']), '-o',
        str(out)
    ])
    printed = capsys.readouterr().out
    assert rc == 0
    assert 'airl_mm MoCoV2Plus' in printed and 'rescaled' in printed
    lars = extract_backbone(load_checkpoint_file(trained_pair['lars']))
    sgd = extract_backbone(load_checkpoint_file(trained_pair['sgd']))
    got = load_checkpoint_file(out)['state_dict']
    assert set(got) == {'backbone.' + k for k in lars.state_dict}
    for k, w_l in lars.state_dict.items():
        w = got['backbone.' + k]
        if w_l.is_floating_point():
            assert norm(w) == pytest.approx(
                norm(sgd.state_dict[k]), rel=1e-6, abs=1e-12), k
            cos = float(
                torch.nn.functional.cosine_similarity(
                    w.double().flatten(), w_l.double().flatten(), dim=0))
            assert cos == pytest.approx(1.0, abs=1e-6), k
        else:
            assert torch.equal(w, w_l), k
    rows = list(csv.DictReader(open(out.with_suffix('.csv'))))
    assert len(rows) == len(lars.state_dict)
    row = next(r for r in rows if r['name'] == 'layer2.0.conv1.weight')
    assert float(row['factor']) == pytest.approx(
        norm(sgd.state_dict['layer2.0.conv1.weight']) /
        norm(lars.state_dict['layer2.0.conv1.weight']),
        rel=1e-6)

    teacher = tmp_path / 'teacher_c.pth'
    assert normrescale_tool.main([
        str(trained_pair['lars']), '--constant', '0.1', '--branch', 'teacher',
        '--scope', 'weights', '-o',
        str(teacher)
    ]) == 0
    t = extract_backbone(
        load_checkpoint_file(trained_pair['lars']), 'teacher').state_dict
    got = load_checkpoint_file(teacher)['state_dict']
    assert torch.allclose(got['backbone.conv1.weight'],
                          0.1 * t['conv1.weight'])
    assert torch.equal(got['backbone.bn1.running_var'],
                       t['bn1.running_var'])  # weights scope


def test_output_loads_into_mmdet_resnet50(tmp_path):
    from mmdet.registry import MODELS
    torch.manual_seed(0)
    anchor = torchvision.models.resnet50()  # supervised anchor (Tab. 8)
    lars = {
        'state_dict': {
            'backbone.' + k: v * 10 if v.is_floating_point() else v
            for k, v in anchor.state_dict().items() if not k.startswith('fc.')
        }
    }
    lars['state_dict']['backbone.bn1.running_var'] += 1  # not a pure copy
    save_checkpoint_file(lars, tmp_path / 'lars.pth')
    torch.save(anchor.state_dict(), tmp_path / 'tv.pth')
    out = tmp_path / 'r50_nr.pth'
    assert normrescale_tool.main([
        str(tmp_path / 'lars.pth'), '--anchor',
        str(tmp_path / 'tv.pth'), '-o',
        str(out)
    ]) == 0
    det = MODELS.build(
        dict(
            type='ResNet',
            depth=50,
            init_cfg=dict(
                type='Pretrained', checkpoint=str(out), prefix='backbone.')))
    from mmengine.runner.checkpoint import _load_checkpoint_with_prefix
    sd = _load_checkpoint_with_prefix('backbone.', str(out))
    res = det.load_state_dict(sd, strict=True)
    assert not res.missing_keys and not res.unexpected_keys
    det.init_weights()  # the way mmdet/mmseg load it
    assert torch.allclose(
        det.layer3[2].conv2.weight, anchor.layer3[2].conv2.weight, atol=1e-6)


def run_bad(tool, args, capsys):
    rc = tool.main(args)
    return rc, capsys.readouterr().err


def test_every_bad_input_fails_cleanly(trained_pair, tmp_path, capsys):
    lars, sgd = str(trained_pair['lars']), str(trained_pair['sgd'])
    out = tmp_path / 'out.pth'
    junk = tmp_path / 'junk.pth'
    junk.write_bytes(b'not a checkpoint at all')
    nobb = tmp_path / 'nobb.pth'
    torch.save({'state_dict': {'head.fc.weight': torch.ones(2, 2)}}, nobb)
    r18 = tmp_path / 'r18.pth'
    torch.save(torchvision.models.resnet18().state_dict(), r18)
    r50 = tmp_path / 'r50.pth'  # other keys (Bottleneck blocks)
    torch.save(torchvision.models.resnet50().state_dict(), r50)
    sd = load_checkpoint_file(trained_pair['lars'])
    wide = tmp_path / 'wide.pth'  # same keys, other shape
    w = dict(sd['state_dict'])
    w['backbone.conv1.weight'] = torch.ones(5, 3, 7, 7)
    save_checkpoint_file({'state_dict': w}, wide)
    zero = tmp_path / 'zero.pth'
    z = dict(sd['state_dict'])
    z['backbone.layer1.0.conv1.weight'] = torch.zeros_like(
        z['backbone.layer1.0.conv1.weight'])
    save_checkpoint_file({'state_dict': z}, zero)
    nan = tmp_path / 'nan.pth'
    n = dict(sd['state_dict'])
    n['backbone.layer2.1.bn1.weight'] = torch.full_like(
        n['backbone.layer2.1.bn1.weight'], float('inf'))
    save_checkpoint_file({'state_dict': n}, nan)
    marker = tmp_path / 'marker.txt'
    evil = tmp_path / 'evil.pth'
    torch.save({
        'state_dict': sd['state_dict'],
        'x': Payload(str(marker))
    }, evil)
    cases = [
        ([str(tmp_path / 'missing.pth'), '--anchor', sgd], 'no such file'),
        ([str(junk), '--anchor', sgd], 'not a PyTorch checkpoint'),
        ([str(nobb), '--anchor', sgd], 'no ResNet backbone'),
        ([lars, '--anchor', str(r50)], 'only in the anchor: '),
        ([str(wide), '--anchor', sgd], 'shape mismatch (LARS vs anchor): '
         'conv1.weight'),
        ([str(zero), '--anchor', sgd], 'layer1.0.conv1.weight has zero norm'),
        ([str(nan), '--anchor', sgd], 'layer2.1.bn1.weight has non-finite'),
        ([str(evil), '--anchor', sgd], 'refused'),
        ([str(r18), '--constant', '0.1', '--branch', 'teacher'], 'no teacher'),
        ([lars, '--constant', '-2'], 'constant must be'),
    ]
    for args, msg in cases:
        rc, err = run_bad(normrescale_tool, args + ['-o', str(out)], capsys)
        assert rc != 0, args
        assert msg in err, (args, err)
        assert not out.exists() and not out.with_suffix('.csv').exists()
    assert not marker.exists()
    # OUT exists: refused without --force, replaced with it
    out.write_bytes(b'precious')
    rc, err = run_bad(
        normrescale_tool,
        [lars, '--anchor', sgd, '-o', str(out)], capsys)
    assert rc != 0 and 'already exists' in err
    assert out.read_bytes() == b'precious'
    assert normrescale_tool.main(
        [lars, '--anchor', sgd, '-o',
         str(out), '--force']) == 0
    assert 'state_dict' in load_checkpoint_file(out)
    # extract_backbone: same rules
    for args, msg in [([str(junk)], 'not a PyTorch'), ([str(evil)], 'refused'),
                      ([str(nobb)], 'no ResNet backbone')]:
        dst = tmp_path / 'x.pth'
        rc, err = run_bad(extract_tool, args + ['-o', str(dst)], capsys)
        assert rc != 0 and msg in err and not dst.exists()


def test_extract_backbone_targets(trained_pair, tmp_path):
    torch.manual_seed(0)
    tv = torchvision.models.resnet50()
    src = tmp_path / 'moco.pth'  # MoCo format, as facebookresearch saves
    torch.save(
        {
            'epoch': 200,
            'state_dict': {
                **{
                    f'module.encoder_q.{k}': v
                    for k, v in tv.state_dict().items()
                },
                **{
                    f'module.encoder_k.{k}': v.clone()
                    for k, v in tv.state_dict().items()
                }
            }
        }, src)
    out_tv = tmp_path / 'tv.pth'
    assert extract_tool.main(
        [str(src), '--to', 'torchvision', '-o',
         str(out_tv)]) == 0
    model = torchvision.models.resnet50()
    res = model.load_state_dict(
        torch.load(out_tv, weights_only=True), strict=False)
    assert res.missing_keys == ['fc.weight', 'fc.bias']
    assert not res.unexpected_keys
    out_d2 = tmp_path / 'd2.pkl'
    assert extract_tool.main([
        str(trained_pair['sgd']), '--to', 'detectron2', '--branch', 'teacher',
        '-o',
        str(out_d2)
    ]) == 0
    with open(out_d2, 'rb') as f:
        d2 = pickle.load(f)  # our own file
    assert d2['matching_heuristics'] and 'res2.0.conv1.weight' in d2['model']
    assert 'res4.1.conv2.norm.running_var' in d2['model']


def test_cli_entry_point_runs(trained_pair, tmp_path):
    out = tmp_path / 'cli.pth'
    res = subprocess.run([
        sys.executable, 'tools/convert/extract_backbone.py',
        str(trained_pair['sgd']), '--to', 'mmdet', '-o',
        str(out)
    ],
                         cwd=ROOT,
                         capture_output=True,
                         text=True)
    assert res.returncode == 0, res.stderr[-2000:]
    assert 'airl_mm MoCoV2Plus' in res.stdout
    res = subprocess.run([
        sys.executable, 'tools/convert/extract_backbone.py',
        str(trained_pair['sgd']), '-o',
        str(out)
    ],
                         cwd=ROOT,
                         capture_output=True,
                         text=True)
    assert res.returncode == 1 and 'already exists' in res.stderr
