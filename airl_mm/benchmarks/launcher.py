"""STAND-IN (issue 10 branch): the minimal launcher contract of issue 9.

Issue 9 implements ``airl_mm/benchmarks/launcher.py``; at merge its
version replaces this file. Only the contract the sweep and the tests of
issue 10 use is here: :func:`prepare_backbone`, :func:`benchmark_config`,
:func:`run_benchmark` and the ``metrics.json`` it writes.
"""
import json
import os
import os.path as osp
import traceback
from typing import Optional

from mmengine.config import Config

from ..checkpoint.convert import extract_file
from ..fileio import atomic_write_text

METRIC_KEYS = ('accuracy/top1', 'pascal_voc/AP50', 'coco/bbox_mAP',
               'coco/segm_mAP', 'mIoU')


def _stem(path: str) -> str:
    return osp.splitext(osp.basename(path))[0]


def prepare_backbone(pretrain: str, out_dir: str, branch: str = 'student',
                     normrescale: Optional[str] = None) -> str:
    """The ``branch`` backbone of ``pretrain`` as an mmdet-layout file."""
    if normrescale is not None:
        raise NotImplementedError('stand-in launcher: no NormRescale')
    os.makedirs(out_dir, exist_ok=True)
    out = osp.join(out_dir, f'backbone_{branch}.pth')
    extract_file(pretrain, out, to='mmdet', branch=branch, force=True,
                 log=lambda msg: None)
    return out


def benchmark_config(config: str, backbone_file: str, work_dir: str,
                     cfg_options: Optional[dict] = None) -> Config:
    """``config`` with its backbone initialised from ``backbone_file``."""
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    cfg.model.backbone.init_cfg = dict(type='Pretrained',
                                       checkpoint=backbone_file,
                                       prefix='backbone.')
    cfg.work_dir = work_dir
    cfg.launcher = 'none'
    return cfg


def _write(path: str, record: dict) -> None:
    atomic_write_text(path, json.dumps(record, indent=2) + '\n')


def run_benchmark(config: str, pretrain: str, work_dir: Optional[str] = None,
                  branch: str = 'student', normrescale: Optional[str] = None,
                  launcher: str = 'none',
                  cfg_options: Optional[dict] = None) -> str:
    """Train + evaluate ``config`` from ``pretrain``; record metrics.json."""
    from mmengine.runner import Runner
    work_dir = work_dir or osp.join('work_dirs', 'benchmarks',
                                    _stem(pretrain), _stem(config))
    os.makedirs(work_dir, exist_ok=True)
    path = osp.join(work_dir, 'metrics.json')
    record = dict(benchmark=_stem(config), config=config, pretrain=pretrain,
                  branch=branch, normrescale=normrescale, status='running',
                  metrics={}, error=None)
    _write(path, record)
    try:
        backbone = prepare_backbone(pretrain, work_dir, branch, normrescale)
        cfg = benchmark_config(config, backbone, work_dir, cfg_options)
        runner = Runner.from_cfg(cfg)
        runner.train()
        metrics = runner.val_loop.run() if runner.val_loop else {}
        record['metrics'] = {k: float(v) for k, v in metrics.items()
                             if k in METRIC_KEYS}
        record['status'] = 'finished'
    except BaseException as e:
        record['status'] = 'failed'
        record['error'] = ''.join(traceback.format_exception_only(e)).strip()
        _write(path, record)
        raise
    _write(path, record)
    return work_dir
