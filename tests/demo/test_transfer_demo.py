"""The transfer demo runs THE benchmark configs, shrunk by overrides that
fit the demo backbone (checked the way the launcher checks real runs)."""
import pytest

from airl_mm.benchmarks import benchmark_config, prepare_backbone
from common import config_path
from transfer_demo import (DET_CONFIG, SEG_CONFIG, det_options, format_table,
                           random_backbone, schedule_options, seg_options)


@pytest.fixture(scope='module')
def demo_backbone(tmp_path_factory):
    d = tmp_path_factory.mktemp('demo')
    return prepare_backbone(random_backbone(str(d / 'random.pth')), str(d))


@pytest.mark.parametrize('config,options', [(DET_CONFIG, det_options),
                                            (SEG_CONFIG, seg_options)])
def test_overrides_fit_the_demo_backbone(config, options, demo_backbone,
                                         tmp_path):
    opts = options('/data', 40)
    cfg = benchmark_config(
        config_path(config), demo_backbone, str(tmp_path),
        opts)  # raises on any mismatch
    assert cfg.train_cfg.max_iters == 40
    assert cfg.model.backbone.depth == 18
    assert cfg.randomness.seed == 0  # reruns are comparable
    # what is NOT overridden stays the benchmark's
    assert cfg.optim_wrapper.paramwise_cfg.norm_decay_mult == 0
    assert cfg.custom_hooks[0].type == 'mmselfsup.PreciseBNHook'
    assert cfg.model.backbone.norm_cfg.type == 'SyncBN'


def test_schedule_keeps_the_fractions():
    opts = schedule_options(900, (6750 / 9000, 8250 / 9000))
    assert opts['param_scheduler.1.milestones'] == [675, 825]
    assert opts['param_scheduler.0.end'] == 10
    assert schedule_options(18000)['param_scheduler.0.end'] == 200


def test_short_schedule_leaves_the_warm_up():
    """The lr the demo's 60 iterations really see (mmengine's schedulers on
    the VOC07 config with the demo's overrides)."""
    import torch
    from mmengine.config import Config
    from mmengine.optim import LinearLR, MultiStepLR
    cfg = Config.fromfile(config_path(DET_CONFIG))
    cfg.merge_from_dict(schedule_options(60, (0.75, 11 / 12)))
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.01)
    warm, steps = [dict(s) for s in cfg.param_scheduler]
    for s in (warm, steps):
        s.pop('type')
        s.pop('_scope_', None)
    scheds = [LinearLR(opt, **warm), MultiStepLR(opt, **steps)]
    lrs = []
    for _ in range(60):
        lrs.append(opt.param_groups[0]['lr'])
        opt.step()
        for s in scheds:
            s.step()
    assert lrs[0] == pytest.approx(1e-5)
    assert lrs[20] == pytest.approx(0.01)
    assert lrs[50] == pytest.approx(0.001)


def test_table_row():
    row = dict(
        label='x',
        note='n',
        metrics=dict(AP50=50.0, AP=25.04, AP75=20.0, mIoU=61.26))
    assert format_table([row]).splitlines()[-1] == \
        '| x | 50.0 | 25.0 | 20.0 | 61.3 | n |'


@pytest.mark.slow
def test_demo_end_to_end(tmp_path, monkeypatch, capsys):
    """The whole demo on tiny canvases with stand-in checkpoints: make
    demo's are reused, the missing BYOL-LARS run is pre-trained (stubbed
    here), the NormRescale row fine-tunes the LARS weights at the SGD
    anchor's norms, and the table, JSON and chart hold every row."""
    import json
    import os
    import os.path as osp

    import numpy as np
    import torch

    import transfer_demo as td
    from airl_mm.checkpoint import load_checkpoint_file, save_checkpoint_file

    def fake_ckpt(run_dir, seed, scale=1.0):
        os.makedirs(run_dir, exist_ok=True)
        path = td.random_backbone(osp.join(run_dir, 'epoch_30.pth'), seed)
        if scale != 1.0:  # LARS-like: far larger norms than the anchor's
            state = load_checkpoint_file(path)['state_dict']
            save_checkpoint_file(
                {'state_dict': {
                    k: v * scale
                    for k, v in state.items()
                }}, path)
        with open(osp.join(run_dir, 'last_checkpoint'), 'w') as f:
            f.write(path)
        return path

    pretrained = tuple((label, cfg, str(tmp_path / 'demo' / osp.basename(d)))
                       for label, cfg, d in td.PRETRAINED)
    monkeypatch.setattr(td, 'PRETRAINED', pretrained)
    made = {}
    for seed, (label, _, run_dir) in enumerate(pretrained[:2], 1):
        made[label] = fake_ckpt(run_dir, seed)
    trained = []

    def fake_training(config, run_dir, options):
        trained.append((config, run_dir, tuple(options)))
        return fake_ckpt(run_dir, 7, scale=5.0)

    monkeypatch.setattr(td, 'run_training', fake_training)
    work = tmp_path / 'work'
    # segmentation only (each benchmark config's own end-to-end test runs
    # detection): 5 short runs
    rows = td.run_transfer_demo(
        str(work), seg_iters=2, num_train=4, num_test=2, tasks=('seg', ))
    # only BYOL-LARS was missing; its config's own schedule (no options)
    assert trained == [(pretrained[2][1],
                        str(work / 'pretrain' / 'byol_r18-w32_mnist_lars'), ())
                       ]
    assert [r['label'] for r in rows] == [
        'random init', 'MoCo v2', 'MoCo v2+', 'BYOL LARS',
        'BYOL LARS + NormRescale'
    ]
    assert rows[1]['pretrain'] == made['MoCo v2']
    for r in rows:
        assert set(r['metrics']) == {'mIoU'}
        assert all(np.isfinite(v) for v in r['metrics'].values())
    # NormRescale: LARS directions at the SGD anchor's per-tensor norms
    res = load_checkpoint_file(
        str(work / 'byol-lars_normrescale' / 'seg' /
            'backbone_student_normrescale.pth'))['state_dict']
    lars = load_checkpoint_file(rows[3]['pretrain'])['state_dict']
    anchor = load_checkpoint_file(made['MoCo v2+'])['state_dict']
    key = 'backbone.layer3.0.conv1.weight'
    w, w_l, w_s = res[key], lars[key], anchor[key]
    assert torch.allclose(w.norm(), w_s.norm(), rtol=1e-5)
    assert torch.allclose(w / w.norm(), w_l / w_l.norm(), atol=1e-6)
    table = (work / 'results.md').read_text().splitlines()
    assert len(table) == 2 + 5 and table[-1].startswith(
        '| BYOL LARS + NormRescale |')
    assert json.loads((work / 'results.json').read_text()) == rows
    assert (work / 'transfer.png').read_bytes()[:4] == b'\x89PNG'
    assert '(5/5)' in capsys.readouterr().out
