"""VOC "difficult" objects as detectron2 treats them: training targets in
the training split, ignored by the evaluation on the test split (mmdet's
own VOCDataset drops them from training)."""
import copy

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope, init_default_scope

from .test_transfer_configs import DET, VOC07, VOC0712
from .tiny_data import VOC_DIFFICULT

VOC_CONFIGS = sorted(DET.glob('*voc*.py'))


def _leaves(ds_cfg):
    """The datasets under a (Concat/Repeat) dataset config."""
    if 'datasets' in ds_cfg:
        return [d for sub in ds_cfg.datasets for d in _leaves(sub)]
    if 'dataset' in ds_cfg:
        return _leaves(ds_cfg.dataset)
    return [ds_cfg]


def _build(ds_cfg, data_root):
    from mmdet.registry import DATASETS

    import airl_mm.benchmarks.voc_difficult  # noqa: F401
    ds_cfg = copy.deepcopy(ds_cfg)
    for leaf in _leaves(ds_cfg):
        leaf.data_root = str(data_root)
    init_default_scope('mmdet')
    with DefaultScope.overwrite_default_scope('mmdet'):
        return DATASETS.build(ds_cfg)


def _item(ds, img_id):
    """The pipeline's output for ``img_id`` and its raw data info."""
    for i in range(len(ds)):
        info = ds.get_data_info(i)
        if info['img_id'] == img_id:
            return ds[i], info
    raise KeyError(img_id)


@pytest.mark.parametrize('config', VOC_CONFIGS, ids=lambda p: p.stem)
def test_voc_configs_train_on_difficult(config):
    """Every VOC benchmark config (R-18/50/101, VOC07 and VOC07+12) trains
    with the detectron2 dataset and tests with mmdet's VOCDataset."""
    cfg = Config.fromfile(config)
    train = _leaves(cfg.train_dataloader.dataset)
    assert train and all(d.type == 'VOCTrainDifficultDataset' for d in train)
    assert 'airl_mm.benchmarks.voc_difficult' in cfg.custom_imports.imports
    for key in ('val_dataloader', 'test_dataloader'):
        test = cfg[key].dataset
        assert test.type == 'VOCDataset' and test.test_mode


@pytest.mark.parametrize('split', ['2007_trainval', '2012_trainval'])
def test_difficult_boxes_reach_the_training_targets(split, tiny_voc):
    cfg = Config.fromfile(VOC0712)
    img_id, index = VOC_DIFFICULT[split]
    train = _build(cfg.train_dataloader.dataset, tiny_voc)
    packed, info = _item(train, img_id)
    assert [i['difficult'] for i in info['instances']] == [0, 0, 1]
    assert all(i['ignore_flag'] == 0 for i in info['instances'])
    gt = packed['data_samples'].gt_instances
    assert len(gt) == 3 and len(packed['data_samples'].ignored_instances) == 0
    assert int(gt.labels[index]) == info['instances'][index]['bbox_label']
    # the host's VOCDataset (the old configs) left it out of the targets
    host = copy.deepcopy(cfg.train_dataloader.dataset)
    for leaf in _leaves(host):
        leaf.type = 'VOCDataset'
    packed, _ = _item(_build(host, tiny_voc), img_id)
    assert len(packed['data_samples'].gt_instances) == 2
    assert len(packed['data_samples'].ignored_instances) == 1


def test_small_difficult_boxes_stay_ignored(tiny_voc):
    """``filter_cfg.bbox_min_size`` still ignores a (difficult) box."""
    cfg = Config.fromfile(VOC07)
    ds_cfg = copy.deepcopy(cfg.train_dataloader.dataset)
    ds_cfg.filter_cfg = dict(filter_empty_gt=True, bbox_min_size=1000)
    ds = _build(ds_cfg, tiny_voc)
    _, info = _item(ds, VOC_DIFFICULT['2007_trainval'][0])
    assert [i['ignore_flag'] for i in info['instances']] == [1, 1, 1]
    ds_cfg.filter_cfg = dict(filter_empty_gt=True)
    ds_cfg.train_difficult = False  # the switch back to mmdet's behaviour
    _, info = _item(
        _build(ds_cfg, tiny_voc), VOC_DIFFICULT['2007_trainval'][0])
    assert [i['ignore_flag'] for i in info['instances']] == [0, 0, 1]


def _voc_ap50(test,
              predict_difficult: bool,
              count_difficult: bool = False) -> float:
    """VOCMetric of the config on ``test`` when the detector finds every
    regular object exactly (and, optionally, the difficult ones first).
    ``count_difficult`` makes them regular objects (a control)."""
    from mmdet.registry import METRICS
    from mmengine.structures import InstanceData
    cfg = Config.fromfile(VOC07)
    with DefaultScope.overwrite_default_scope('mmdet'):
        metric = METRICS.build(cfg.test_evaluator)
    metric.dataset_meta = test.metainfo
    for i in range(len(test)):
        sample = test[i]['data_samples']
        gt, ign = sample.gt_instances, sample.ignored_instances
        boxes, labels = [gt.bboxes.tensor], [gt.labels]
        scores = [torch.ones(len(gt))]
        if predict_difficult:  # ranked above every true detection
            boxes.append(ign.bboxes.tensor)
            labels.append(ign.labels)
            scores.append(torch.full((len(ign), ), 2.))
        sample.pred_instances = InstanceData(
            bboxes=torch.cat(boxes),
            labels=torch.cat(labels),
            scores=torch.cat(scores))
        if count_difficult:
            sample.gt_instances = InstanceData.cat([gt, ign])
            sample.ignored_instances = ign[:0]
        metric.process({}, [sample.to_dict()])
    return metric.compute_metrics(metric.results)['AP50']


def test_difficult_boxes_still_ignored_in_evaluation(tiny_voc):
    cfg = Config.fromfile(VOC07)
    test = _build(cfg.test_dataloader.dataset, tiny_voc)
    img_id, index = VOC_DIFFICULT['2007_test']
    packed, info = _item(test, img_id)
    assert info['instances'][index]['ignore_flag'] == 1
    assert len(packed['data_samples'].gt_instances) == 2
    assert len(packed['data_samples'].ignored_instances) == 1
    # missing a difficult object costs nothing, detecting it is no false
    # positive (AP in 0-1)
    assert _voc_ap50(test, predict_difficult=False) == pytest.approx(1.)
    assert _voc_ap50(test, predict_difficult=True) == pytest.approx(1.)
    # control: were it a regular object, missing it would cost AP
    assert _voc_ap50(test, False, count_difficult=True) < 0.99
