"""NormRescale (eq. 3) on real ResNet state dicts, checked independently."""
import numpy as np
import pytest
import torch
import torchvision

from airl_mm.checkpoint import CheckpointError
from airl_mm.checkpoint.formats import from_torchvision
from airl_mm.checkpoint.normrescale import in_scope, normrescale


def trained_like(seed, scale=1.0):
    """A ResNet-18 with non-trivial values in every float tensor."""
    torch.manual_seed(seed)
    sd = from_torchvision(torchvision.models.resnet18().state_dict())
    out = {}
    for k, v in sd.items():
        if v.is_floating_point():
            v = (v + 0.1 * torch.randn_like(v)) * scale
            if 'running_var' in k:
                v = v.abs() + 0.1
        else:
            v = torch.full_like(v, 7)
        out[k] = v
    return out


def np_norm(t):
    return float(np.linalg.norm(t.double().numpy().ravel()))


def np_cos(a, b):
    a, b = a.double().numpy().ravel(), b.double().numpy().ravel()
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def test_anchor_mode_matches_norms_and_keeps_direction():
    lars, sgd = trained_like(0, scale=10.0), trained_like(1)
    out, rows = normrescale(lars, sgd)
    assert out.keys() == lars.keys()
    for k, w in out.items():
        if lars[k].is_floating_point():
            assert abs(np_norm(w) -
                       np_norm(sgd[k])) <= 1e-6 * np_norm(sgd[k]) + 1e-12, k
            assert abs(np_cos(w, lars[k]) - 1) < 1e-6, k
            assert w.dtype == lars[k].dtype
        else:
            assert torch.equal(w, lars[k]), k  # int buffers untouched
    by_name = {r.name: r for r in rows}
    r = by_name['layer2.0.conv1.weight']
    assert r.rescaled and r.factor == pytest.approx(
        np_norm(sgd[r.name]) / np_norm(lars[r.name]))
    assert not by_name['bn1.num_batches_tracked'].rescaled


def test_constant_mode_is_c_times_w():
    lars = trained_like(0, scale=10.0)
    out, _ = normrescale(lars, constant=0.1)
    for k, w in out.items():
        want = lars[k] * 0.1 if lars[k].is_floating_point() else lars[k]
        assert torch.allclose(w, want, rtol=1e-6, atol=0), k


def test_weights_scope_leaves_running_stats():
    lars, sgd = trained_like(0, scale=10.0), trained_like(1)
    out, _ = normrescale(lars, sgd, scope='weights')
    assert torch.equal(out['bn1.running_mean'], lars['bn1.running_mean'])
    assert torch.equal(out['bn1.running_var'], lars['bn1.running_var'])
    for k in ('conv1.weight', 'bn1.weight', 'bn1.bias',
              'layer1.0.downsample.1.weight' if 'layer1.0.downsample.1.weight'
              in lars else 'layer2.0.downsample.1.weight'):
        assert in_scope(k, lars[k], lars, 'weights')
        assert np_norm(out[k]) == pytest.approx(np_norm(sgd[k]), rel=1e-6)


def test_mismatched_inputs_are_named():
    lars, sgd = trained_like(0), trained_like(1)
    extra = dict(sgd, **{'layer5.0.conv1.weight': torch.ones(1)})
    del extra['layer4.1.bn2.bias']
    with pytest.raises(CheckpointError) as e:
        normrescale(lars, extra)
    assert 'layer4.1.bn2.bias' in str(e.value)
    assert 'layer5.0.conv1.weight' in str(e.value)
    bad = dict(sgd, **{'conv1.weight': torch.ones(3, 3)})
    with pytest.raises(CheckpointError, match=r'shape mismatch.*conv1'):
        normrescale(lars, bad)
    zero = dict(lars, **{'layer1.0.bn1.bias': torch.zeros(64)})
    with pytest.raises(CheckpointError, match='layer1.0.bn1.bias has zero'):
        normrescale(zero, sgd)
    nan = dict(lars)
    nan['layer3.1.conv2.weight'] = nan['layer3.1.conv2.weight'].clone()
    nan['layer3.1.conv2.weight'][0, 0, 0, 0] = float('nan')
    with pytest.raises(
            CheckpointError, match='layer3.1.conv2.weight has '
            'non-finite'):
        normrescale(nan, sgd)
    with pytest.raises(ValueError):
        normrescale(lars, sgd, constant=0.1)
    with pytest.raises(ValueError):
        normrescale(lars, constant=-1.0)


def test_write_all_is_all_or_nothing_when_overwriting(tmp_path, monkeypatch):
    import os

    from airl_mm.fileio import write_all
    a, b = tmp_path / 'a.pth', tmp_path / 'a.csv'
    a.write_bytes(b'old checkpoint')
    b.write_bytes(b'old report')
    real = os.replace
    calls = []

    def flaky(src, dst):
        calls.append(dst)
        if str(dst) == str(b) and str(src).endswith('.staged'):
            raise OSError('disk gone')
        return real(src, dst)

    monkeypatch.setattr(os, 'replace', flaky)
    with pytest.raises(OSError):
        write_all([(a, b'new checkpoint'), (b, b'new report')])
    monkeypatch.undo()
    assert a.read_bytes() == b'old checkpoint'
    assert b.read_bytes() == b'old report'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['a.csv', 'a.pth']
    write_all([(a, b'new checkpoint'), (b, b'new report')])
    assert a.read_bytes() == b'new checkpoint'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['a.csv', 'a.pth']
