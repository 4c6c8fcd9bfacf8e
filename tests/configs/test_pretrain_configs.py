"""Every pre-training config builds and trains one step on CPU.

The configs are loaded as users load them; only the backbone is shrunk (a
4-channel ResNet-18 keeps the step fast) and the data root points at a tiny
ImageNet made by the test. Everything else (pipelines, necks, heads,
optimizers, hooks, SyncBN) is the config's own.
"""
import glob
import os.path as osp

import pytest
import torch
from config_builders import shrink, train_one_step
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope
from mmselfsup.registry import MODELS
from tool_loader import ROOT

from airl_mm.engine.runner import AirlRunner
from airl_mm.engine.runner.train import build_train_cfg

CONFIGS = sorted(
    osp.relpath(p, ROOT) for p in glob.glob(
        osp.join(ROOT, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in p and 'benchmarks' not in p
    # byol_collapse: its own test (GN widths, STL-10, LARS lr 0.2)
    and 'byol_collapse' not in p
    # Tab. 6 taxonomies: their own test (they need real ImageNet wnids)
    and '_taxonomy-' not in p
    # demo linear evaluations are benchmarks (they need a checkpoint)
    and not osp.basename(p).startswith('linear_'))
FINETUNE = [c for c in CONFIGS if 'finetune' in c]
DATA_ONLY = [c for c in CONFIGS if '/analysis/' in c]
PRETRAIN = [c for c in CONFIGS if c not in FINETUNE + DATA_ONLY]
LARS = [c for c in CONFIGS if 'lars' in c]


def test_the_paper_configs_are_all_here():
    names = {osp.basename(c) for c in CONFIGS}
    for n in [
            'mocov2_r50_200e.py', 'mocov2plus_r50_200e.py',
            'smocov2plus_r50_200e.py', 'byol_r50_200e_sgd.py',
            'byol_r50_200e_lars.py', 'mocov2plus_r50_200e_lars.py',
            'mocov2_r50_200e_1-syncbn.py', 'mocov2_r50_200e_2-predictor.py',
            'mocov2_r50_200e_3-momentum-ascending.py',
            'mocov2_r50_200e_4-symmetric-loss.py'
    ] + [
            f'{a}_r{d}_100e{s}.py'
            for a, s in [('mocov2', ''), ('mocov2plus', ''), ('byol', '_sgd')]
            for d in (18, 101)
    ] + [
            f'{a}_r50_200e_{s}.py'
            for a in ('mocov2plus', 'smocov2plus', 'byol_sgd')
            for s in ('1-no-solarize', '2-no-blur', '3-no-gray', '4-no-jitter')
    ]:
        assert n in names, n


@pytest.mark.slow
@pytest.mark.parametrize('config', PRETRAIN)
def test_config_trains_one_step(config, tiny_imagenet, tmp_path):
    cfg = build_train_cfg(osp.join(ROOT, config), work_dir=str(tmp_path))
    shrink(cfg)
    loader = cfg.train_dataloader
    loader.update(batch_size=4, num_workers=0, persistent_workers=False)
    if loader.dataset.type == 'MNISTDigits':
        loader.dataset.indices = 8
    elif loader.dataset.type.endswith('ClassSubset'):  # data variation
        loader.dataset.dataset.data_root = str(tiny_imagenet)
    else:
        loader.dataset.data_root = str(tiny_imagenet)
    if cfg.get('val_dataloader'):  # the supervised baseline's val set
        cfg.val_dataloader.dataset.data_root = str(tiny_imagenet)
    runner = train_one_step(cfg)
    if any(h.type == 'MomentumAscendingHook'
           for h in cfg.get('custom_hooks', [])):
        m = runner.message_hub.get_scalar('train/teacher_momentum').current()
        assert m == pytest.approx(0.99)


def bn_or_bias(model):
    """Names of every BN parameter and every bias, found by module type."""
    names = set()
    for mname, module in model.named_modules():
        for pname, _ in module.named_parameters(recurse=False):
            full = f'{mname}.{pname}' if mname else pname
            if isinstance(module, torch.nn.modules.batchnorm._NormBase) \
                    or pname == 'bias':
                names.add(full)
    return names


@pytest.mark.parametrize('config', LARS)
def test_lars_excludes_every_bn_and_bias(config):
    cfg = Config.fromfile(osp.join(ROOT, config))
    assert cfg.optim_wrapper.optimizer.type == 'LARS'
    assert cfg.optim_wrapper.optimizer.lr == pytest.approx(4.8)
    assert cfg.optim_wrapper.optimizer.weight_decay == pytest.approx(1e-6)
    if '/demo/' not in config:
        assert cfg.train_dataloader.batch_size * 16 == 4096
    else:  # the demo keeps the recipe's lr (see its comment)
        assert not cfg.auto_scale_lr.enable
    shrink(cfg)
    with DefaultScope.overwrite_default_scope('mmselfsup'):
        model = MODELS.build(cfg.model)
        wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    special = bn_or_bias(model)
    by_param = {id(p): n for n, p in model.named_parameters()}
    seen = set()
    for group in wrapper.optimizer.param_groups:
        for p in group['params']:
            name = by_param[id(p)]
            seen.add(name)
            if name in special:
                assert group['weight_decay'] == 0, name
                assert group.get('lars_exclude') is True, name
            else:
                assert group['weight_decay'] == pytest.approx(1e-6), name
                assert not group.get('lars_exclude', False), name
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable <= seen
    assert any('downsample.1' in n for n in special & trainable)


@pytest.mark.slow
@pytest.mark.parametrize('config', FINETUNE)
def test_finetune_config_loads_a_converted_backbone(config, tmp_path):
    """Fine-tune configs start from a backbone file in the mmdet layout."""
    from mmcls.registry import MODELS as CLS_MODELS

    from airl_mm.checkpoint import save_checkpoint_file
    from airl_mm.checkpoint.formats import to_mmdet
    cfg = build_train_cfg(osp.join(ROOT, config), work_dir=str(tmp_path))
    shrink(cfg)
    with DefaultScope.overwrite_default_scope('mmcls'):
        donor = CLS_MODELS.build(dict(cfg.model.backbone, init_cfg=None))
    donor.init_weights()
    ckpt = tmp_path / 'backbone.pth'
    save_checkpoint_file(to_mmdet(donor.state_dict()), ckpt)
    cfg.model.backbone.init_cfg.checkpoint = str(ckpt)
    cfg.train_dataloader.dataset.per_class = 1
    cfg.train_dataloader.update(batch_size=4, num_workers=0)
    cfg.val_dataloader.update(num_workers=0)
    cfg.val_dataloader.dataset.indices = 8
    cfg.train_cfg = dict(by_epoch=True, max_epochs=1, val_interval=1)
    cfg.log_level = 'WARNING'
    runner = AirlRunner.from_cfg(cfg)
    runner.model.init_weights()  # what runner.train() starts with
    for k, v in donor.state_dict().items():
        assert torch.equal(runner.model.backbone.state_dict()[k], v), k
    runner.train()
    assert runner.epoch == 1
    metrics = runner.val()
    assert 0 <= metrics['accuracy/top1'] <= 100


@pytest.mark.parametrize('config', DATA_ONLY)
def test_analysis_data_configs_build(config, tiny_imagenet, tmp_path):
    from mmengine.registry import DATASETS
    cfg = Config.fromfile(osp.join(ROOT, config))
    ds_cfg = cfg.test_dataloader.dataset
    if 'data_root' in ds_cfg:
        ds_cfg.data_root = str(tiny_imagenet)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        ds = DATASETS.build(ds_cfg)
    sample = ds[0]['inputs']
    sample = sample[0] if isinstance(sample, list) else sample
    assert len(ds) > 0 and sample.dim() == 3 and sample.shape[0] == 3


def load(name):
    return Config.fromfile(osp.join(ROOT, 'configs', name))


def test_recipes_match_the_paper():
    """The values docs/config_audit.md states, read from the configs."""
    v2 = load('mocov2_r50_200e.py')
    plus = load('mocov2plus_r50_200e.py')
    for cfg in (v2, plus):
        opt = cfg.optim_wrapper.optimizer
        assert (opt.type, opt.lr, opt.weight_decay, opt.momentum) == \
            ('SGD', 0.12, 1e-4, 0.9)
        assert cfg.train_dataloader.batch_size * 8 == 1024
        warm, cos = cfg.param_scheduler
        assert (warm.type, warm.end, cos.type, cos.begin) == \
            ('LinearLR', 10, 'CosineAnnealingLR', 10)
        # the cosine ends with the run (the Runner sets its end from
        # max_epochs: test_length_configs.py checks the built one)
        assert 'end' not in cos and 'T_max' not in cos
        assert cfg.train_cfg.max_epochs == 200
        assert cfg.model.head.temperature == 0.2
        assert cfg.model.queue_len == 65536
    m = v2.model
    assert (m.shuffle_bn, m.symmetric_loss, m.base_momentum, m.feat_dim,
            m.backbone.norm_cfg.type, m.neck.type, m.neck.hid_channels,
            m.neck.out_channels) == (True, False, 0.999, 128, 'BN',
                                     'MoCoV2Neck', 2048, 128)
    assert 'predictor' not in m and not v2.get('custom_hooks')
    m = plus.model
    assert (m.shuffle_bn, m.symmetric_loss, m.base_momentum, m.feat_dim,
            m.backbone.norm_cfg.type, m.neck.norm_cfg.type,
            m.neck.hid_channels, m.neck.out_channels, m.predictor.in_channels,
            m.predictor.hid_channels,
            m.predictor.out_channels) == (False, True, 0.99, 256, 'SyncBN',
                                          'SyncBN', 4096, 256, 256, 4096, 256)
    assert plus.custom_hooks == [
        dict(type='MomentumAscendingHook', base_momentum=0.99)
    ]
    view = plus.train_dataloader.dataset.pipeline[1]
    assert view.num_views == 2 and len(view.transforms) == 1  # symmetric
    # the fast transforms (airl_mm.datasets.transforms) carry the
    # reference's arguments under 'Fast' + its name
    steps = {t['type'].removeprefix('Fast'): t for t in view.transforms[0]}
    assert steps['RandomResizedCrop']['scale'] == (0.08, 1.)
    assert steps['RandomFlip']['prob'] == 0.5
    jitter = steps['RandomApply']
    cj = jitter['transforms'][0]
    assert jitter['prob'] == 0.8
    assert (cj.brightness, cj.contrast, cj.saturation, cj.hue) == (0.4, 0.4,
                                                                   0.2, 0.1)
    assert steps['RandomGrayscale']['prob'] == 0.2
    blur = steps['RandomGaussianBlur']
    assert (blur['prob'], blur['sigma_min'], blur['sigma_max']) == (0.5, 0.1,
                                                                    2.0)
    assert (steps['RandomSolarize']['prob'],
            steps['RandomSolarize']['threshold']) == (0.2, 128)
    s = load('smocov2plus_r50_200e.py').model
    assert s.teacher_predictor and not m.get('teacher_predictor', False)
    byol = load('byol_r50_200e_sgd.py')
    assert byol.model.type == 'BYOL'
    assert byol.optim_wrapper == plus.optim_wrapper
    assert byol.model.neck == plus.model.neck
    assert byol.model.head.predictor == plus.model.predictor


# Table 5 of the paper (BYOL's symmetric set with solarization), written out
# here independently of the configs: step -> the values that define it.
TABLE5 = [
    ('RandomResizedCrop', dict(size=224, scale=(0.08, 1.))),
    ('RandomFlip', dict(prob=0.5)),
    ('RandomApply',
     dict(
         prob=0.8,
         transforms=[
             dict(
                 type='ColorJitter',
                 brightness=0.4,
                 contrast=0.4,
                 saturation=0.2,
                 hue=0.1)
         ])),
    ('RandomGrayscale', dict(prob=0.2)),
    ('RandomGaussianBlur', dict(prob=0.5, sigma_min=0.1, sigma_max=2.0)),
    ('RandomSolarize', dict(prob=0.2, threshold=128)),
]
# Fig. 5 removes, cumulatively, solarization, blur, grey, jitter
ABLATION_DROPS = {
    '1-no-solarize': 1,
    '2-no-blur': 2,
    '3-no-gray': 3,
    '4-no-jitter': 4
}
BYOL = [
    c for c in PRETRAIN if osp.basename(c).startswith('byol')
    and 'asym' not in c and '/demo/' not in c  # digits: no flip, 32 px
]


def view_pipelines(cfg):
    """The two views' transform lists of a config's MultiView step."""
    step = [
        t for t in cfg.train_dataloader.dataset.pipeline
        if t['type'] == 'MultiView'
    ]
    assert len(step) == 1
    step = step[0]
    if step['num_views'] == 2:
        assert len(step['transforms']) == 1
        return [step['transforms'][0]] * 2
    assert list(step['num_views']) == [1, 1]
    return list(step['transforms'])


def step_type(t) -> str:
    """The reference transform a step implements (the fast transforms
    take the reference's arguments under 'Fast' + its name)."""
    return t['type'].removeprefix('Fast')


def assert_steps(view, expected, where):
    assert [step_type(t) for t in view] == [t for t, _ in expected], where
    for t, (name, values) in zip(view, expected):
        for k, v in values.items():
            got = t[k]
            if k == 'transforms':
                got = [{
                    kk: (step_type(d) if kk == 'type' else vv)
                    for kk, vv in d.items() if kk != '_scope_'
                } for d in got]
            assert got == v, f'{where}: {name}.{k}'


@pytest.mark.parametrize('config', BYOL)
def test_byol_configs_use_table5_on_both_views(config):
    cfg = Config.fromfile(osp.join(ROOT, config))
    assert cfg.model.type == 'BYOL'
    drops = [n for k, n in ABLATION_DROPS.items() if k in config]
    # cumulative removal: the last len(TABLE5) - drop steps are removed
    # in the order solarize, blur, grey, jitter
    order = [
        'RandomSolarize', 'RandomGaussianBlur', 'RandomGrayscale',
        'RandomApply'
    ]
    removed = set(order[:drops[0]]) if drops else set()
    expected = [s for s in TABLE5 if s[0] not in removed]
    v1, v2 = view_pipelines(cfg)
    assert_steps(v1, expected, f'{config} view 1')
    assert_steps(v2, expected, f'{config} view 2')


def test_byol_asymmetric_variant_is_byols_own_pair():
    cfg = load('byol_r50_200e_sgd_asym-aug.py')
    v1, v2 = view_pipelines(cfg)
    for view, blur, sol in ((v1, 1.0, 0.0), (v2, 0.1, 0.2)):
        expected = [(n, dict(v)) for n, v in TABLE5]
        expected[4][1]['prob'], expected[5][1]['prob'] = blur, sol
        assert_steps(view, expected, 'asym')
    # otherwise the SGD config
    sym = load('byol_r50_200e_sgd.py')
    assert cfg.model == sym.model and cfg.optim_wrapper == sym.optim_wrapper


def test_byol_lars_demo_differs_from_the_mocov2plus_lars_demo_by_method():
    """The transfer demo's BYOL-LARS: the MoCo v2+ LARS demo's data,
    augmentations, optimiser, schedule and hooks; BYOL with the same
    backbone and MLPs."""
    byol = load('demo/byol_r18-w32_mnist_lars.py')
    moco = load('demo/mocov2plus_r18-w32_mnist_lars.py')
    for key in ('train_dataloader', 'optim_wrapper', 'param_scheduler',
                'train_cfg', 'custom_hooks', 'randomness'):
        assert byol[key] == moco[key], key
    assert byol.model.type == 'BYOL' and moco.model.type == 'MoCoV2Plus'
    assert byol.model.backbone == moco.model.backbone
    assert byol.model.neck == moco.model.neck
    assert byol.model.head.predictor == moco.model.predictor
    assert byol.optim_wrapper.optimizer.type == 'LARS'
