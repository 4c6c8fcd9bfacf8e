"""Each benchmark config end to end on tiny data in the real layout: the
launcher converts our checkpoint, the host Runner trains two iterations
(PreciseBN included) and runs the full evaluation. Overrides: sizes,
iterations and where the data is, nothing else."""
import json
import math

import pytest
from mmengine.config import Config

from airl_mm.benchmarks import run_benchmark

from .test_transfer_configs import (CITYSCAPES, COCO_C4, COCO_FPN, VOC07,
                                    VOC0712)
from .tiny_data import tiny_options

METRICS = {
    VOC07: ('pascal_voc/mAP', 'pascal_voc/AP50', 'pascal_voc/AP75'),
    VOC0712: ('pascal_voc/mAP', 'pascal_voc/AP50', 'pascal_voc/AP75'),
    COCO_C4: ('coco/bbox_mAP', 'coco/bbox_mAP_50', 'coco/segm_mAP'),
    COCO_FPN: ('coco/bbox_mAP', 'coco/bbox_mAP_75', 'coco/segm_mAP'),
    CITYSCAPES: ('mIoU', ),
}


def _run(config, pretrain, data_root, work_dir, scale=(128, 64)):
    opts = tiny_options(str(config), str(data_root), scale)
    out = run_benchmark(
        str(config), str(pretrain), str(work_dir), cfg_options=opts)
    rec = json.loads((work_dir / 'metrics.json').read_text())
    assert out == str(work_dir)
    assert rec['status'] == 'finished' and rec['error'] is None
    assert rec['benchmark'] == config.stem
    for key in METRICS[config]:
        assert math.isfinite(rec['metrics'][key]), key
    logs = list(work_dir.glob('*/*.log'))
    assert 'PreciseBN: statistics of' in logs[0].read_text()
    return rec


@pytest.mark.slow
@pytest.mark.parametrize('config', [VOC07, VOC0712], ids=lambda p: p.stem)
def test_voc(config, r50_pretrain, tiny_voc, tmp_path):
    _run(config, r50_pretrain, tiny_voc, tmp_path / 'work')


@pytest.mark.slow
@pytest.mark.parametrize('config', [COCO_C4, COCO_FPN], ids=lambda p: p.stem)
def test_coco(config, r50_pretrain, tiny_coco, tmp_path):
    _run(config, r50_pretrain, tiny_coco, tmp_path / 'work')


@pytest.mark.slow
def test_cityscapes(r50_pretrain, tiny_cityscapes, tmp_path):
    _run(CITYSCAPES, r50_pretrain, tiny_cityscapes, tmp_path / 'work')


def test_voc0712_keeps_one_metainfo(tiny_voc):
    """VOC2007 + VOC2012 concatenated: one metainfo dict (the host config
    makes a list of both, which ends up in checkpoints)."""
    from mmdet.registry import DATASETS
    from mmengine.registry import init_default_scope
    cfg = Config.fromfile(VOC0712)
    init_default_scope('mmdet')
    ds_cfg = cfg.train_dataloader.dataset
    for sub in ds_cfg.datasets:
        sub.data_root = str(tiny_voc)
    ds = DATASETS.build(ds_cfg)
    assert len(ds) == 4
    assert isinstance(ds.metainfo, dict)
    assert len(ds.metainfo['classes']) == 20
    host = cfg.train_dataloader.dataset.copy()
    host.pop('ignore_keys')
    assert isinstance(DATASETS.build(host).metainfo, list)  # the trap
