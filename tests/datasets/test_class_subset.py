"""Data variation: whole-class subsets and iteration-preserving epochs."""
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmselfsup.registry import DATASETS

from airl_mm.datasets import (ClassSubset, iteration_preserving_epochs,
                              load_mnist_digits, split_indices)
from airl_mm.datasets.class_subset import iters_per_epoch, kept_classes

RATIOS = {10: 0.1, 20: 0.2, 50: 0.5, 70: 0.7}
IMAGENET_TRAIN = 1281167


def digits(ratio, seed=0):
    return ClassSubset(
        dict(type='MNISTDigits', split='train'), ratio=ratio, seed=seed)


@pytest.mark.parametrize('ratio', [0.1, 0.2, 0.5, 0.7, 1.0])
def test_keeps_whole_classes(ratio):
    # the argument as MNISTDigits passes it: lru_cache(maxsize=1) keys
    # load_mnist_digits() and load_mnist_digits(32) apart
    _, labels = load_mnist_digits(32)
    train = split_indices(labels, 'train')
    sub = digits(ratio)
    kept = sorted({sub.get_data_info(i)['gt_label'] for i in range(len(sub))})
    assert len(kept) == round(ratio * 10)
    # every training digit of a kept class, none of the others, in order
    want = [int(i) for i in train if labels[i] in kept]
    assert [sub.get_data_info(i)['digit_idx'] for i in range(len(sub))] == want
    assert sub[0]['gt_label'] in kept  # __getitem__ goes through too


def test_seeded():
    a, b = digits(0.5, seed=0), digits(0.5, seed=0)
    assert a.classes_kept.tolist() == b.classes_kept.tolist()
    draws = {tuple(kept_classes(range(1000), 0.1, s)) for s in range(5)}
    assert len(draws) == 5  # the seed matters
    one = kept_classes(range(1000), 0.1, 3)
    assert len(one) == 100 and len(set(one)) == 100
    assert one.tolist() == sorted(one.tolist())


def test_bad_ratio_and_labels():
    with pytest.raises(ValueError, match='ratio'):
        digits(0)
    assert len(kept_classes(range(10), 0.01)) == 1  # never empty
    with pytest.raises(ValueError, match='no samples'):
        kept_classes([], 0.5)

    class NoLabels:

        def get_data_info(self, i):
            return dict(img_path='x.jpg')

        def __len__(self):
            return 2

    with pytest.raises(KeyError, match="no 'gt_label'"):
        ClassSubset(NoLabels(), 0.5)


def test_iteration_arithmetic():
    # 200 epochs x ceil(1000 / 100) = 2000 iterations; 250 images make 3 an
    # epoch (last batch partial) or 2 (drop_last)
    assert iters_per_epoch(250, 100) == 3
    assert iters_per_epoch(250, 100, drop_last=True) == 2
    assert iteration_preserving_epochs(200, 1000, 250, 100) == 667
    assert iteration_preserving_epochs(200, 1000, 250, 100, True) == 1000
    assert iteration_preserving_epochs(200, 1000, 1000, 100) == 200
    with pytest.raises(ValueError):
        iters_per_epoch(0, 256)


@pytest.fixture(scope='module')
def imagenet10(tmp_path_factory):
    """Ten classes x two 16x16 JPEGs, ImageNet layout with ann files."""
    from data_builders import make_imagenet
    return make_imagenet(
        tmp_path_factory.mktemp('in10'),
        num_classes=10,
        per_class=2,
        size=16,
        splits=('train', ))


@pytest.mark.parametrize('pct', sorted(RATIOS))
def test_data_variation_configs(repo_root, pct, imagenet10):
    ratio = RATIOS[pct]
    cfg = Config.fromfile(repo_root / 'configs/data_variation/'
                          f'mocov2plus_r50_200e_classes-{pct}pct.py')
    full = Config.fromfile(repo_root / 'configs/mocov2plus_r50_200e.py')
    batch = full.auto_scale_lr.base_batch_size
    assert batch == 8 * full.train_dataloader.batch_size == 1024
    assert cfg.train_dataloader.drop_last and full.train_dataloader.drop_last
    epochs = cfg.train_cfg.max_epochs
    subset = round(ratio * IMAGENET_TRAIN)
    assert epochs == iteration_preserving_epochs(full.train_cfg.max_epochs,
                                                 IMAGENET_TRAIN, subset, batch,
                                                 True)
    # total iterations equal the 100 % run's to within half an epoch
    per_epoch = subset // batch
    full_iters = full.train_cfg.max_epochs * (IMAGENET_TRAIN // batch)
    assert abs(epochs * per_epoch - full_iters) <= per_epoch / 2
    # the schedule is the 100 % run's, stretched: warm-up keeps its share
    warm, cos = cfg.param_scheduler
    assert warm.end == cos.begin == round(10 * epochs / 200)
    assert cos.end == epochs and cos.T_max == epochs - warm.end
    # everything else of the 100 % run is unchanged
    assert cfg.model == full.model
    assert cfg.optim_wrapper == full.optim_wrapper
    inner = cfg.train_dataloader.dataset
    assert inner.type == 'ClassSubset' and inner.ratio == ratio
    assert inner.dataset == full.train_dataloader.dataset
    # and it builds on ImageNet's layout: whole classes of 10
    _assert_whole_classes(inner, imagenet10, ratio, 'mmselfsup', DATASETS)


def _assert_whole_classes(subset_cfg, root, ratio, scope, registry):
    """``subset_cfg`` built in ``scope`` on the 10-class, 2-image
    ImageNet folder ``root`` keeps ``ratio`` of the classes, every image."""
    subset_cfg.dataset.data_root = str(root)
    with DefaultScope.overwrite_default_scope(scope):
        ds = registry.build(subset_cfg)
    n_cls = round(ratio * 10)
    assert len(ds) == 2 * n_cls
    assert len({ds.get_data_info(i)['gt_label']
                for i in range(len(ds))}) == n_cls


def test_cross_scope_build():
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        from mmpretrain.registry import DATASETS as PRETRAIN
        ds = PRETRAIN.build(
            dict(
                type='mmselfsup.ClassSubset',
                ratio=0.2,
                dataset=dict(type='mmselfsup.MNISTDigits', split='test')))
    assert isinstance(ds, ClassSubset) and len(ds) == 200
    assert np.unique([ds.get_data_info(i)['gt_label']
                      for i in range(len(ds))]).size == 2


@pytest.mark.parametrize('pct', sorted(RATIOS))
def test_supervised_data_variation_configs(repo_root, pct, imagenet10):
    """Fig. 8's supervised rows: the supervised baseline on the same class
    draw, as many iterations as its 100 % run, steps at the same share."""
    import math
    ratio = RATIOS[pct]
    cfg = Config.fromfile(repo_root / 'configs/supervised/'
                          f'supervised_r50_100e_in1k_classes-{pct}pct.py')
    full = Config.fromfile(repo_root /
                           'configs/supervised/supervised_r50_100e_in1k.py')
    batch = full.auto_scale_lr.base_batch_size
    assert batch == 8 * full.train_dataloader.batch_size == 256
    assert not full.train_dataloader.get('drop_last', False)
    subset = round(ratio * IMAGENET_TRAIN)
    epochs = cfg.train_cfg.max_epochs
    assert epochs == iteration_preserving_epochs(100, IMAGENET_TRAIN, subset,
                                                 batch)
    per_epoch = math.ceil(subset / batch)
    full_iters = 100 * math.ceil(IMAGENET_TRAIN / batch)
    assert abs(epochs * per_epoch - full_iters) <= per_epoch / 2
    steps = cfg.param_scheduler.milestones
    assert [s / epochs for s in steps] == pytest.approx(
        [m / 100 for m in full.param_scheduler.milestones], abs=0.01)
    assert cfg.model == full.model
    assert cfg.optim_wrapper == full.optim_wrapper
    inner = cfg.train_dataloader.dataset
    assert inner.ratio == ratio and inner.seed == 0
    assert inner.dataset == full.train_dataloader.dataset
    # the same draw as the MoCo v2+ run of this share
    moco = Config.fromfile(repo_root / 'configs/data_variation/'
                           f'mocov2plus_r50_200e_classes-{pct}pct.py')
    assert moco.train_dataloader.dataset.seed == inner.seed
    # builds in mmpretrain's scope on ImageNet's layout: whole classes
    from mmpretrain.registry import DATASETS as PRETRAIN
    _assert_whole_classes(inner, imagenet10, ratio, 'mmpretrain', PRETRAIN)
