"""Every BYOL-collapse config builds and trains one step on CPU, with its
own hooks (collapse monitor, layer-wise rate, online kNN), on a tiny STL-10
written in the binary layout (the MNIST demo configs on embedded digits).

Only widths shrink (a 32-channel ResNet-18 keeps GroupNorm's 32 groups
valid); the norms, MLPs, optimisers and augmentations are the configs' own.
"""
import glob
import math
import os.path as osp

import pytest
from data_builders import make_stl10
from mmengine.config import Config
from tool_loader import ROOT

from airl_mm.engine.runner import AirlRunner
from airl_mm.engine.runner.train import build_train_cfg

CONFIGS = sorted(
    osp.relpath(p, ROOT) for p in glob.glob(
        osp.join(ROOT, 'configs', 'byol_collapse', '**', '*.py'),
        recursive=True))
VARIANTS = {
    # (encoder norm, weight standardisation, MLP norm, optimiser, lr, wd,
    #  LARS-adapted modules)
    'byol_r18-bn_mlp-bn_sgd-lr0.2-wd0_stl10.py':
    ('SyncBN', False, 'SyncBN', 'SGD', 0.2, 0, None),
    'byol_r18-bn_mlp-none_sgd-lr0.2-wd0_stl10.py':
    ('SyncBN', False, None, 'SGD', 0.2, 0, None),
    'byol_r18-gn_mlp-bn_sgd-lr0.2-wd0_stl10.py':
    ('GN', False, 'SyncBN', 'SGD', 0.2, 0, None),
    'byol_r18-gn_mlp-none_sgd-lr0.2-wd0_stl10.py': ('GN', False, None, 'SGD',
                                                    0.2, 0, None),
    'byol_r18-gn-ws_mlp-none_sgd-lr0.2-wd0_stl10.py': ('GN', True, None, 'SGD',
                                                       0.2, 0, None),
    'byol_r18-gn_mlp-none_sgd-lr0.2-wd1e-5_stl10.py': ('GN', False, None,
                                                       'SGD', 0.2, 1e-5, None),
    'byol_r18-gn_mlp-none_sgd-lr0.2-wd1e-4_stl10.py': ('GN', False, None,
                                                       'SGD', 0.2, 1e-4, None),
    'byol_r18-gn_mlp-none_lars-lr0.2-wd0_stl10.py': ('GN', False, None, 'LARS',
                                                     0.2, 0, None),
    'byol_r18-gn_mlp-none_lars-lr0.1-wd0_stl10.py': ('GN', False, None, 'LARS',
                                                     0.1, 0, None),
    'byol_r18-gn_mlp-none_lars-layer1-2-lr0.2-wd0_stl10.py':
    ('GN', False, None, 'LARS', 0.2, 0, ['backbone.layer1',
                                         'backbone.layer2']),
    'byol_r18-gn_mlp-none_lars-mlps-lr0.2-wd0_stl10.py':
    ('GN', False, None, 'LARS', 0.2, 0, ['neck', 'head.predictor']),
}


def test_the_appendix_variants_are_all_here_and_say_what_they_are():
    names = {osp.basename(c) for c in CONFIGS if 'mnist_demo' not in c}
    assert names == set(VARIANTS)
    for name, (enc, ws, mlp, opt, lr, wd, lars) in VARIANTS.items():
        cfg = Config.fromfile(osp.join(ROOT, 'configs', 'byol_collapse', name))
        m = cfg.model
        assert m.backbone.depth == 18 and m.backbone.norm_cfg.type == enc
        assert (m.backbone.get('conv_cfg')
                or {}).get('type') == ('ConvWS' if ws else None)
        for neck in (m.neck, m.head.predictor):
            assert neck.type == 'MLPNeck'
            assert (neck.norm_cfg or {}).get('type') == mlp
        opt_cfg = cfg.optim_wrapper.optimizer
        assert (opt_cfg.type, opt_cfg.lr, opt_cfg.weight_decay,
                opt_cfg.momentum) == (opt, lr, wd, 0.9)
        assert cfg.optim_wrapper.get('paramwise_cfg',
                                     {}).get('lars_modules') == lars
        # the appendix's data: STL-10 96-px crops of scale (0.2, 1)
        crop = cfg.train_dataloader.dataset.pipeline[0].transforms[0][0]
        assert (crop.size, crop.scale) == (96, (0.2, 1.))
        assert cfg.train_dataloader.dataset.split == ('unlabeled', 'train')
        jitter = cfg.train_dataloader.dataset.pipeline[0].transforms[0][2]
        assert jitter.prob == 0.8 and jitter.transforms[0].saturation == 0.4


def shrink(cfg: Config, stl10_root: str) -> None:
    cfg.model.backbone.update(stem_channels=32, base_channels=32)
    cfg.model.neck.update(in_channels=256, hid_channels=32, out_channels=16)
    cfg.model.head.predictor.update(
        in_channels=16, hid_channels=32, out_channels=16)
    loader = cfg.train_dataloader
    loader.update(batch_size=4, num_workers=0, persistent_workers=False)
    if loader.dataset.type == 'MNISTDigits':
        loader.dataset.indices = 8
    else:
        loader.dataset.data_root = stl10_root
    for hook in cfg.custom_hooks:
        if hook.type == 'OnlineKNNHook':
            for split in (hook.memory, hook.query):
                split.indices = 8
                if split.type == 'STL10':
                    split.data_root = stl10_root
            hook.before_training = True  # the kNN runs in this one step
            hook.k = 4


@pytest.fixture
def fast_config_dump(monkeypatch):
    """The Runner logs and dumps its config through yapf (seconds per
    Runner on 2 cores); these tests read neither."""
    monkeypatch.setattr(Config, 'pretty_text',
                        property(lambda self: repr(self._cfg_dict)))


@pytest.mark.slow
@pytest.mark.parametrize('config', CONFIGS)
def test_config_trains_one_step(config, tmp_path, fast_config_dump):
    make_stl10(tmp_path / 'stl10', n_train=8, n_test=8, n_unlabeled=4)
    cfg = build_train_cfg(
        osp.join(ROOT, config), work_dir=str(tmp_path / 'work'))
    shrink(cfg, str(tmp_path / 'stl10'))
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=1)
    cfg.param_scheduler = None
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=100)
    cfg.log_level = 'WARNING'
    runner = AirlRunner.from_cfg(cfg)
    runner.train()
    hub = runner.message_hub
    assert runner.iter == 1
    for key in ('loss', 'z_std', 'neg_cos', 'rank', 'pos_cos', 'teacher_z_std',
                'lr/layer1', 'lr/neck'):
        assert math.isfinite(hub.get_scalar(f'train/{key}').current()), key
    lr = cfg.optim_wrapper.optimizer.lr
    lars = cfg.optim_wrapper.get('paramwise_cfg', {}).get('lars_modules')
    for layer, path in (('layer1', 'backbone.layer1'), ('neck', 'neck')):
        rate = hub.get_scalar(f'train/lr/{layer}').current()
        is_lars = cfg.optim_wrapper.optimizer.type == 'LARS' and (
            lars is None or path in lars)
        assert (rate != pytest.approx(lr)) == is_lars, layer
