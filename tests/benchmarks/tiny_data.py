"""Tiny VOC / COCO / Cityscapes sets in the real layouts, and the overrides
that shrink a benchmark config to them (sizes and iterations only)."""
import json
from pathlib import Path
from typing import Dict

import cv2
import numpy as np

from airl_mm.datasets.digit_scenes import write_cityscapes, write_voc

VOC_NAMES = ('person', 'car', 'dog')


def _shapes(rng, size, n=2):
    """A cluttered image with ``n`` filled rectangles; their boxes."""
    img = rng.randint(0, 80, (size, size, 3)).astype(np.uint8)
    boxes = []
    for k in range(n):
        x1, y1 = rng.randint(0, size // 2, 2)
        w, h = rng.randint(size // 4, size // 2, 2)
        x2, y2 = min(size - 1, x1 + w), min(size - 1, y1 + h)
        cv2.rectangle(img, (int(x1), int(y1)), (int(x2), int(y2)),
                      tuple(int(c) for c in rng.randint(120, 256, 3)), -1)
        boxes.append((int(x1), int(y1), int(x2), int(y2)))
    return img, boxes


def make_voc(root: Path, size: int = 64, seed: int = 0) -> Path:
    """VOCdevkit with VOC2007 trainval (2) + test (2) and VOC2012 trainval
    (2) images. The first image of each split has a third object, marked
    ``difficult`` (:data:`VOC_DIFFICULT` names it)."""
    rng = np.random.RandomState(seed)
    devkit = root / 'VOCdevkit'
    for year, split in (('2007', 'trainval'), ('2007', 'test'), ('2012',
                                                                 'trainval')):
        samples = []
        for k in range(2):
            img, boxes = _shapes(rng, size, 3 if k == 0 else 2)
            objects = [(VOC_NAMES[(k + j) % 3], box, int(j == 2))
                       for j, box in enumerate(boxes)]
            samples.append((f'{year}_{split}_{k}', img, objects))
        write_voc(str(devkit), year, split, samples)
    return devkit


# (image id, object index) of each split's difficult object (make_voc)
VOC_DIFFICULT = {
    f'{year}_{split}': (f'{year}_{split}_0', 2)
    for year, split in (('2007', 'trainval'), ('2007', 'test'), ('2012',
                                                                 'trainval'))
}


def make_coco(root: Path, size: int = 64, seed: int = 0) -> Path:
    """COCO: ``{train,val}2017/*.jpg`` and ``annotations/instances_*.json``
    (polygon masks) with 2 images each."""
    rng = np.random.RandomState(seed)
    (root / 'annotations').mkdir(parents=True, exist_ok=True)
    for split in ('train2017', 'val2017'):
        (root / split).mkdir(parents=True, exist_ok=True)
        images, anns = [], []
        for k in range(2):
            img, boxes = _shapes(rng, size)
            name = f'{k:012d}.jpg'
            cv2.imwrite(str(root / split / name), img)
            images.append(
                dict(id=k + 1, file_name=name, width=size, height=size))
            for j, (x1, y1, x2, y2) in enumerate(boxes):
                anns.append(
                    dict(
                        id=len(anns) + 1,
                        image_id=k + 1,
                        category_id=1 + j,
                        bbox=[x1, y1, x2 - x1, y2 - y1],
                        iscrowd=0,
                        area=float((x2 - x1) * (y2 - y1)),
                        segmentation=[[x1, y1, x2, y1, x2, y2, x1, y2]]))
        # all 80 categories, as real COCO files list them
        from mmdet.datasets import CocoDataset
        cats = [
            dict(id=i + 1, name=n)
            for i, n in enumerate(CocoDataset.METAINFO['classes'])
        ]
        (root / 'annotations' / f'instances_{split}.json').write_text(
            json.dumps(dict(images=images, annotations=anns, categories=cats)))
    return root


def make_cityscapes(root: Path, size=(64, 128), seed: int = 0) -> Path:
    """Cityscapes: 2 train + 2 val images with ``*_labelTrainIds.png``."""
    rng = np.random.RandomState(seed)
    h, w = size
    for split in ('train', 'val'):
        samples = []
        for k in range(2):
            img = rng.randint(0, 256, (h, w, 3)).astype(np.uint8)
            label = np.zeros((h, w), np.uint8)
            label[h // 2:] = 1 + k
            label[:, :w // 4] = 255  # ignored pixels
            samples.append((f'{k:06d}_000019', img, label))
        write_cityscapes(str(root), split, samples, city='aachen')
    return root


def _resize_options(cfg, prefix: str, obj, scale) -> Dict[str, object]:
    """cfg-options keys that set every resize in ``obj`` to ``scale``."""
    out = {}
    if isinstance(obj, dict):
        t = obj.get('type')
        if t == 'RandomChoiceResize':
            out[f'{prefix}.scales'] = [scale]
        elif t == 'Resize':
            out[f'{prefix}.scale'] = scale
        elif t == 'RandomResize':
            out[f'{prefix}.scale'] = scale
        elif t == 'RandomCrop':
            out[f'{prefix}.crop_size'] = (scale[1], scale[0])
        for k, v in obj.items():
            if isinstance(v, (dict, list)):
                out.update(_resize_options(cfg, f'{prefix}.{k}', v, scale))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.update(_resize_options(cfg, f'{prefix}.{i}', v, scale))
    return out


def _data_root_options(prefix: str, obj, root: str) -> Dict[str, object]:
    out = {}
    if isinstance(obj, dict):
        if 'data_root' in obj:
            out[f'{prefix}.data_root'] = root
        for k, v in obj.items():
            if isinstance(v, (dict, list)) and k != 'pipeline':
                out.update(_data_root_options(f'{prefix}.{k}', v, root))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.update(_data_root_options(f'{prefix}.{i}', v, root))
    return out


def tiny_options(config: str,
                 data_root: str,
                 scale=(128, 64),
                 iters: int = 2) -> Dict[str, object]:
    """Overrides (sizes, iterations, data location) for a tiny run."""
    from mmengine.config import Config
    cfg = Config.fromfile(config).to_dict()
    opts = {}
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        opts.update(
            _resize_options(cfg, f'{key}.dataset', cfg[key]['dataset'], scale))
        opts.update(
            _data_root_options(f'{key}.dataset', cfg[key]['dataset'],
                               data_root))
        opts[f'{key}.num_workers'] = 0
        opts[f'{key}.persistent_workers'] = False
    opts.update({
        'train_dataloader.batch_size': 2,
        'train_cfg.max_iters': iters,
        'train_cfg.val_interval': 1000,
        'custom_hooks.0.num_samples': 2,
        'default_hooks.checkpoint.save_last': False,
        'default_hooks.logger.interval': 1,
    })
    if cfg['default_scope'] == 'mmdet':
        opts.update({
            'model.train_cfg.rpn_proposal.nms_pre': 64,
            'model.train_cfg.rpn_proposal.max_per_img': 16,
            'model.train_cfg.rcnn.sampler.num': 8,
            'model.test_cfg.rpn.nms_pre': 64,
            'model.test_cfg.rpn.max_per_img': 8,
            'model.test_cfg.rcnn.max_per_img': 5,
            # 2 iterations leave 81-way scores below the default 0.05:
            # keep some detections so that the metrics are computed
            'model.test_cfg.rcnn.score_thr': 0.0,
        })
        if 'ann_file' in cfg['val_evaluator']:
            ann = f'{data_root}/annotations/instances_val2017.json'
            opts['val_evaluator.ann_file'] = ann
            opts['test_evaluator.ann_file'] = ann
    else:
        opts['model.data_preprocessor.size'] = (scale[1], scale[0])
    return opts
