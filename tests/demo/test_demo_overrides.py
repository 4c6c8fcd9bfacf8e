"""Every override a demo passes names a real config path (checked the way
tools/train.py checks ``--cfg-options``)."""
import functools

from mmengine.config import Config

import collapse_demo
import common
import normrescale_demo
import transfer_demo as td
from airl_mm.engine.runner.cfg_options import check_cfg_options
from pretrain_demo import DEMO_CONFIGS


@functools.lru_cache(maxsize=None)
def _load(path: str) -> Config:
    return Config.fromfile(common.config_path(path))


def test_demo_overrides_use_full_paths():

    def as_dict(opts):
        return dict(o.split('=', 1) for o in opts)

    check_cfg_options(_load(td.DET_CONFIG), td.det_options('/data', 100))
    check_cfg_options(_load(td.SEG_CONFIG), td.seg_options('/data', 100))
    pretrain = set(DEMO_CONFIGS) | {
        c
        for _, c, _ in td.PRETRAINED
    } | {normrescale_demo.SGD_CFG, normrescale_demo.LARS_CFG}
    for config in sorted(pretrain):
        check_cfg_options(_load(config), as_dict(common.epoch_options(3)))
    for config in collapse_demo.DEMO_CONFIGS.values():
        check_cfg_options(
            _load(config), as_dict(collapse_demo.schedule_options(3)))
    check_cfg_options(
        _load(normrescale_demo.FINETUNE_CFG), {
            'model.backbone.init_cfg.checkpoint': 'x.pth',
            'train_cfg.max_epochs': 2,
            'train_cfg.val_interval': 2
        })
