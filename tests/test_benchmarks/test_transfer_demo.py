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
    cfg = benchmark_config(config_path(config), demo_backbone,
                           str(tmp_path), opts)  # raises on any mismatch
    assert cfg.train_cfg.max_iters == 40
    assert cfg.model.backbone.depth == 18
    # what is NOT overridden stays the benchmark's
    assert cfg.optim_wrapper.paramwise_cfg.norm_decay_mult == 0
    assert cfg.custom_hooks[0].type == 'mmselfsup.PreciseBNHook'
    assert cfg.model.backbone.norm_cfg.type == 'SyncBN'


def test_schedule_keeps_the_fractions():
    opts = schedule_options(900, (6750 / 9000, 8250 / 9000), 100)
    assert opts['param_scheduler.1.milestones'] == [675, 825]
    assert opts['param_scheduler.0.end'] == 10


def test_table_row():
    row = dict(label='x', note='n', metrics=dict(AP50=50.0, AP=25.04,
                                                 AP75=20.0, mIoU=61.26))
    assert format_table([row]).splitlines()[-1] == \
        '| x | 50.0 | 25.0 | 20.0 | 61.3 | n |'
