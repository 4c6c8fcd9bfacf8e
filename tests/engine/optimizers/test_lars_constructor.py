"""LARSOptimWrapperConstructor: exclusions by type/shape, LARS on subsets."""
import os.path as osp

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.model import revert_sync_batchnorm
from mmengine.optim import build_optim_wrapper
from mmselfsup.registry import MODELS
from tool_loader import ROOT

COLLAPSE = osp.join(ROOT, 'configs', 'byol_collapse')


def groups_by_name(model, wrapper):
    names = {id(p): n for n, p in model.named_parameters()}
    return {
        names[id(g['params'][0])]: g
        for g in wrapper.optimizer.param_groups if g['params'][0].requires_grad
    }


def norm_or_1d(model):
    """Names of every norm-layer parameter and every 1-D parameter."""
    out = set()
    for mname, module in model.named_modules():
        for pname, p in module.named_parameters(recurse=False):
            if isinstance(module, (nn.modules.batchnorm._NormBase,
                                   nn.GroupNorm, nn.LayerNorm)) \
                    or p.ndim == 1:
                out.add(f'{mname}.{pname}' if mname else pname)
    return out


@pytest.mark.parametrize(
    'config, linears',
    [
        ('byol_r50_200e_lars.py', (4, 2)),  # student / teacher linear layers
        ('mocov2plus_r50_200e_lars.py', (4, 2)),
    ])
def test_real_resnet50_lars_groups(config, linears):
    """The released LARS configs on a real ResNet-50 + MLPs: every BN
    parameter and bias excluded (no decay), every conv/linear weight
    adapted (decay 1e-6); the same groups as the former name-based rules."""
    cfg = Config.fromfile(osp.join(ROOT, 'configs', config))
    model = revert_sync_batchnorm(MODELS.build(cfg.model))
    groups = groups_by_name(model, build_optim_wrapper(model,
                                                       cfg.optim_wrapper))
    special = norm_or_1d(model)
    weights = {
        n
        for n, m in model.named_modules()
        if isinstance(m, (nn.Conv2d, nn.Linear))
    }
    assert len(groups) == sum(p.requires_grad for p in model.parameters())
    # the student's 53 convs and linear layers, nothing else
    assert {n
            for n, g in groups.items() if not g['lars_exclude']} == {
                f'{m}.weight'
                for m in weights if not m.startswith(('target_net', 'teacher'))
            }
    assert len(weights) == (53 + linears[0]) + (53 + linears[1])
    for name, g in groups.items():
        if name in special:
            assert g['lars_exclude'] is True and g['weight_decay'] == 0, name
        else:
            assert name.rsplit('.', 1)[0] in weights, name
            assert g['lars_exclude'] is False, name
            assert g['weight_decay'] == pytest.approx(1e-6), name
    # the former config's name fragments ('bn', 'bias', 'downsample.1')
    old = dict(cfg.optim_wrapper)
    old.pop('constructor')
    old['paramwise_cfg'] = dict(
        custom_keys={
            k: dict(decay_mult=0, lars_exclude=True)
            for k in ('bn', 'bias', 'downsample.1')
        })
    old_groups = groups_by_name(model, build_optim_wrapper(model, old))
    for name, g in groups.items():
        assert bool(old_groups[name].get('lars_exclude')) == \
            g['lars_exclude'], name
        assert old_groups[name]['weight_decay'] == g['weight_decay'], name


def test_group_norm_named_gn_is_excluded_by_type():
    model = MODELS.build(
        dict(
            type='ResNet',
            depth=18,
            stem_channels=8,
            base_channels=8,
            norm_cfg=dict(type='GN', num_groups=4),
            conv_cfg=dict(type='ConvWS'),
            out_indices=[4]))
    head = nn.Sequential(nn.Linear(64, 4), nn.LayerNorm(4))
    both = nn.ModuleDict(dict(backbone=model, head=head))
    wrapper = build_optim_wrapper(
        both,
        dict(
            optimizer=dict(type='LARS', lr=0.1, weight_decay=1e-4),
            constructor='LARSOptimWrapperConstructor'))
    groups = groups_by_name(both, wrapper)
    assert 'backbone.gn1.weight' in groups  # named gn1, not bn1
    for name, g in groups.items():
        excluded = ('.gn' in name or 'downsample.1' in name
                    or name.startswith('head.1') or name.endswith('bias'))
        assert g['lars_exclude'] is excluded, name
        assert g['weight_decay'] == (0 if excluded else 1e-4), name


def adapted(config):
    cfg = Config.fromfile(config)
    # narrower, same module names
    cfg.model.backbone.update(stem_channels=32, base_channels=32)
    cfg.model.neck.update(in_channels=256, hid_channels=32, out_channels=16)
    cfg.model.head.predictor.update(
        in_channels=16, hid_channels=32, out_channels=16)
    model = MODELS.build(cfg.model)
    groups = groups_by_name(model, build_optim_wrapper(model,
                                                       cfg.optim_wrapper))
    return cfg, {n for n, g in groups.items() if not g['lars_exclude']}


def test_lars_on_layer1_and_layer2_only():
    cfg, names = adapted(
        osp.join(COLLAPSE,
                 'byol_r18-gn_mlp-none_lars-layer1-2-lr0.2-wd0_stl10.py'))
    assert cfg.optim_wrapper.optimizer.type == 'LARS'
    assert names == {
        f'backbone.layer{s}.{b}.conv{c}.weight'
        for s in (1, 2)
        for b in (0, 1)
        for c in (1, 2)
    } | {'backbone.layer2.0.downsample.0.weight'}


def test_lars_on_the_mlps_only():
    _, names = adapted(
        osp.join(COLLAPSE,
                 'byol_r18-gn_mlp-none_lars-mlps-lr0.2-wd0_stl10.py'))
    assert names == {
        'neck.fc0.weight', 'neck.fc1.weight', 'head.predictor.fc0.weight',
        'head.predictor.fc1.weight'
    }


def test_lars_everywhere_but_norms_and_biases():
    _, names = adapted(
        osp.join(COLLAPSE, 'byol_r18-gn_mlp-none_lars-lr0.2-wd0_stl10.py'))
    assert len(names) == 20 + 4  # ResNet-18 convs + 4 MLP weights
    assert all(n.endswith('weight') and '.gn' not in n for n in names)


def test_bad_module_paths_fail_clearly():
    model = nn.ModuleDict(dict(backbone=nn.Linear(2, 2)))
    with pytest.raises(
            ValueError,
            match=r"lars_modules: no module named "
            r"\['backbone.layer9'\]"):
        build_optim_wrapper(
            model,
            dict(
                optimizer=dict(type='LARS', lr=0.1),
                constructor='LARSOptimWrapperConstructor',
                paramwise_cfg=dict(lars_modules=['backbone.layer9'])))
    with pytest.raises(TypeError, match='list of module paths'):
        build_optim_wrapper(
            model,
            dict(
                optimizer=dict(type='LARS', lr=0.1),
                constructor='LARSOptimWrapperConstructor',
                paramwise_cfg=dict(lars_modules='backbone')))


def test_excluded_groups_step_as_sgd_with_momentum():
    """Outside lars_modules the update is SGD with momentum."""
    torch.manual_seed(0)
    model = nn.ModuleDict(dict(a=nn.Linear(3, 3), b=nn.Linear(3, 3)))
    ref = {n: p.detach().clone() for n, p in model.named_parameters()}
    wrapper = build_optim_wrapper(
        model,
        dict(
            optimizer=dict(type='LARS', lr=0.1, momentum=0.9, weight_decay=0.),
            constructor='LARSOptimWrapperConstructor',
            paramwise_cfg=dict(lars_modules=['a'])))
    sgd = torch.optim.SGD([p for p in ref.values()], lr=0.1, momentum=0.9)
    for p in ref.values():
        p.requires_grad_()
    for _ in range(2):
        x = torch.randn(4, 3)
        for params, opt in ((dict(model.named_parameters()), wrapper), (ref,
                                                                        sgd)):
            opt.zero_grad()
            # a and b apart: b's path does not depend on a's update
            loss = sum(
                torch.nn.functional.linear(x, params[f'{m}.weight'],
                                           params[f'{m}.bias']).square().sum()
                for m in 'ab')
            loss.backward()
            opt.step()
    for n in ('b.weight', 'b.bias'):
        assert torch.allclose(
            dict(model.named_parameters())[n], ref[n], atol=1e-6), n
    assert not torch.allclose(model['a'].weight, ref['a.weight'], atol=1e-4)
