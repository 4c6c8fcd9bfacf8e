"""MLPNeck: NonLinearNeck exactly with BN; no norm, GN or LN otherwise."""
import pytest
import torch
from mmselfsup.registry import MODELS

BASE = dict(
    in_channels=8,
    hid_channels=16,
    out_channels=6,
    with_bias=True,
    with_last_bias=False)


@pytest.mark.parametrize('kwargs', [
    dict(
        num_layers=2,
        with_last_bn=False,
        with_last_bias=True,
        norm_cfg=dict(type='BN1d')),
    dict(num_layers=3, with_last_bn=True, norm_cfg=dict(type='BN1d')),
    dict(
        num_layers=2,
        with_last_bn=True,
        with_last_bn_affine=False,
        with_avg_pool=False,
        norm_cfg=dict(type='BN1d')),
])
def test_bn_equals_nonlinear_neck(kwargs):
    cfg = dict(BASE, **kwargs)
    torch.manual_seed(0)
    ref = MODELS.build(dict(type='NonLinearNeck', **cfg))
    ref.init_weights()
    # Non-trivial norm parameters and running statistics.
    for p in ref.parameters():
        p.data.normal_()
    ref.train()
    ref([
        torch.randn(6, 8, 2, 2)
        if cfg.get('with_avg_pool', True) else torch.randn(6, 8)
    ])
    neck = MODELS.build(dict(type='MLPNeck', **cfg))
    assert list(neck.state_dict()) == list(ref.state_dict())
    neck.load_state_dict(ref.state_dict())
    shape = (5, 8, 3, 3) if cfg.get('with_avg_pool', True) else (5, 8)
    for train in (True, False):
        ref.train(train)
        neck.train(train)
        x = torch.randn(*shape)
        x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
        out_ref, out = ref([x1])[0], neck([x2])[0]
        assert torch.equal(out, out_ref)
        (out_ref**2).sum().backward()
        (out**2).sum().backward()
        assert torch.equal(x1.grad, x2.grad)
    for (n, a), b in zip(ref.state_dict().items(), neck.state_dict().values()):
        assert torch.equal(a, b), n  # running statistics moved alike


def test_init_matches_nonlinear_neck():
    cfg = dict(BASE, num_layers=2, norm_cfg=dict(type='BN1d'))
    torch.manual_seed(3)
    ref = MODELS.build(dict(type='NonLinearNeck', **cfg))
    ref.init_weights()
    torch.manual_seed(3)
    neck = MODELS.build(dict(type='MLPNeck', **cfg))
    neck.init_weights()
    for (n, a), b in zip(ref.state_dict().items(), neck.state_dict().values()):
        assert torch.equal(a, b), n


def test_without_norm_is_a_plain_mlp():
    cfg = dict(
        BASE,
        num_layers=3,
        with_last_bn=True,
        norm_cfg=None,
        with_avg_pool=False)
    neck = MODELS.build(dict(type='MLPNeck', **cfg))
    assert not any(
        isinstance(m, torch.nn.modules.batchnorm._NormBase)
        for m in neck.modules())
    assert all(k.startswith('fc') for k in neck.state_dict())
    x = torch.randn(4, 8)
    relu = torch.relu
    expected = neck.fc2(relu(neck.fc1(relu(neck.fc0(x)))))
    assert torch.allclose(neck([x])[0], expected)
    # no batch statistics: each sample's output is its own
    assert torch.allclose(neck([x[:1]])[0], expected[:1], atol=1e-6)


@pytest.mark.parametrize('norm, cls', [
    (dict(type='GN', num_groups=4), torch.nn.GroupNorm),
    (dict(type='LN'), torch.nn.LayerNorm),
])
@pytest.mark.parametrize('last_affine', [True, False])
def test_group_and_layer_norm(norm, cls, last_affine):
    cfg = dict(
        BASE,
        num_layers=3,
        with_last_bn=True,
        norm_cfg=norm,
        with_last_bn_affine=last_affine,
        with_avg_pool=False,
        out_channels=8)
    neck = MODELS.build(dict(type='MLPNeck', **cfg))
    assert [type(getattr(neck, f'bn{i}')) for i in range(3)] == [cls] * 3
    assert (neck.bn2.weight is not None) == last_affine
    x = torch.randn(4, 8)
    out = neck([x])[0]
    assert out.shape == (4, 8)
    # per-sample normalisation: a sample's output ignores the others
    assert torch.allclose(neck([x[:1]])[0], out[:1], atol=1e-5)


def test_bad_norm_cfg():
    with pytest.raises(ValueError, match='norm_cfg needs a type'):
        MODELS.build(dict(type='MLPNeck', **BASE, norm_cfg=dict()))
