"""The embedded transfer sets: boxes on the digits, disjoint digits, the
real VOC / Cityscapes layouts loaded by the hosts' own dataset classes."""
import json

import cv2
import numpy as np
import pytest

from airl_mm.datasets import load_mnist_digits, split_indices
from airl_mm.datasets.digit_scenes import (DIGIT_CLASSES, build_digit_scenes,
                                           make_scene)


@pytest.fixture(scope='module')
def scenes(tmp_path_factory):
    return build_digit_scenes(
        str(tmp_path_factory.mktemp('scenes')),
        num_train=8,
        num_test=4,
        size=96)


def test_boxes_lie_tightly_on_the_digits():
    images, labels = load_mnist_digits(28)
    rng = np.random.RandomState(3)
    pool = split_indices(labels, 'train')
    for _ in range(5):
        s = make_scene(rng, pool, images, labels, size=96)
        assert 2 <= len(s.boxes) <= 4
        for (x1, y1, x2, y2), c in zip(s.boxes, s.labels):
            inside = s.label_map[y1:y2 + 1, x1:x2 + 1] == c + 1
            # every edge of the box touches a stroke of this digit
            assert inside[0].any() and inside[-1].any()
            assert inside[:, 0].any() and inside[:, -1].any()
        for c in set(s.labels):
            # no stroke of a digit lies outside the boxes of its class
            rest = s.label_map == c + 1
            for (x1, y1, x2, y2), c2 in zip(s.boxes, s.labels):
                if c2 == c:
                    rest[y1:y2 + 1, x1:x2 + 1] = False
            assert not rest.any()
        assert sorted(labels[s.digit_idx].tolist()) == sorted(s.labels)


def test_digits_stand_out_of_the_clutter():
    """Bright strokes on dimmer clutter, as the pre-training digits: each
    digit's median stroke is brighter than 99 % of the background."""
    images, labels = load_mnist_digits(28)
    rng = np.random.RandomState(5)
    pool = split_indices(labels, 'test')
    for _ in range(10):
        s = make_scene(rng, pool, images, labels, size=128)
        gray = s.image.astype(np.float32).mean(2)
        clutter = np.percentile(gray[s.label_map == 0], 99)
        assert gray[s.label_map == 0].std() > 5  # not a blank canvas
        for c in set(s.labels):
            assert np.median(gray[s.label_map == c + 1]) > clutter + 20


def test_train_and_test_use_disjoint_digits(scenes):
    manifest = json.load(open(scenes['manifest']))
    _, labels = load_mnist_digits(28)
    train = {
        d
        for s in manifest['scenes'].values() if s['split'] == 'train'
        for d in s['digits']
    }
    test = {
        d
        for s in manifest['scenes'].values() if s['split'] == 'test'
        for d in s['digits']
    }
    assert train and test and not train & test
    assert test <= set(split_indices(labels, 'test').tolist())
    assert train <= set(split_indices(labels, 'train').tolist())


def test_voc_layout_loads_in_mmdet(scenes):
    from mmdet.datasets import VOCDataset
    manifest = json.load(open(scenes['manifest']))
    ds = VOCDataset(
        data_root=scenes['voc'],
        ann_file='VOC2007/ImageSets/Main/test.txt',
        data_prefix=dict(sub_data_root='VOC2007/'),
        metainfo=dict(classes=DIGIT_CLASSES),
        test_mode=True,
        pipeline=[])
    assert len(ds) == 4 and ds.metainfo['dataset_type'] == 'VOC2007'
    for i in range(len(ds)):
        info = ds.get_data_info(i)
        ref = manifest['scenes'][info['img_id']]
        assert [o['bbox_label'] for o in info['instances']] == ref['labels']
        # VOC's 1-based boxes read back as the 0-based pixel boxes
        assert [o['bbox'] for o in info['instances']] == \
            [[float(v) for v in b] for b in ref['boxes']]
        img = cv2.imread(info['img_path'])
        assert img.shape[:2] == (info['height'], info['width']) == (96, 96)


def test_cityscapes_layout_loads_in_mmseg(scenes):
    from mmseg.datasets import CityscapesDataset
    ds = CityscapesDataset(
        data_root=scenes['cityscapes'],
        data_prefix=dict(
            img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
        pipeline=[])
    assert len(ds) == 8
    info = ds.get_data_info(0)
    seg = cv2.imread(info['seg_map_path'], cv2.IMREAD_UNCHANGED)
    assert seg.dtype == np.uint8 and seg.max() <= 10
    assert (seg > 0).any() and (seg == 0).any()
    # a digit's pixels are its strokes: bright where the label says so
    img = cv2.imread(info['img_path'])
    assert img.shape[:2] == seg.shape


def test_built_once_and_cached(scenes):
    before = open(scenes['manifest']).read()
    again = build_digit_scenes(
        str(scenes['manifest']).rsplit('/', 1)[0],
        num_train=8,
        num_test=4,
        size=96)
    assert again == scenes and open(scenes['manifest']).read() == before
