"""The transfer demo runs THE benchmark configs, shrunk by overrides that
fit the demo backbone (checked the way the launcher checks real runs)."""
import pytest

from airl_mm.benchmarks import benchmark_config, prepare_backbone
from airl_mm.demos.common import config_path
from airl_mm.demos.transfer_demo import (DET_CONFIG, SEG_CONFIG, det_options,
                                         format_table, random_backbone,
                                         schedule_options, seg_options)


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
