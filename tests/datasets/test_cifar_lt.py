"""CIFAR-10/100-LT: counts, LDAM's selection, loading and errors."""
import pickle

import numpy as np
import pytest
from cifar_builders import LAYOUT, make_cifar
from marker import Payload
from mmpretrain.registry import DATASETS

from airl_mm.datasets import long_tail_counts, long_tail_indices
from airl_mm.datasets.cifar_lt import cifar_lt_counts


def ldam_reference(data, targets, cls_num, imb_factor, rand_number=0):
    """LDAM-DRW's IMBALANCECIFAR10 (Cao et al. 2019), written out again:
    global NumPy seed, img_max = len / C, exponential profile, then per
    class in label order: shuffle its indices, keep the first n."""
    state = np.random.get_state()
    try:
        np.random.seed(rand_number)
        img_max = len(data) / cls_num
        nums = [
            int(img_max * (imb_factor**(i / (cls_num - 1.0))))
            for i in range(cls_num)
        ]
        targets_np = np.array(targets, dtype=np.int64)
        new_data, new_targets = [], []
        for the_class, the_img_num in zip(np.unique(targets_np), nums):
            idx = np.where(targets_np == the_class)[0]
            np.random.shuffle(idx)
            new_data.append(data[idx[:the_img_num], ...])
            new_targets.extend([the_class] * the_img_num)
        return np.vstack(new_data), new_targets
    finally:
        np.random.set_state(state)


@pytest.fixture(scope='module')
def cifar(tmp_path_factory):
    """CIFAR-10 with 100 train images per class, CIFAR-100 with 100 (so
    rho = 100 leaves the rarest class one image), 3 test images each."""
    root = tmp_path_factory.mktemp('cifar')
    return {
        c: make_cifar(root / f'c{c}', c, 100, 3, seed=c)
        for c in (10, 100)
    }


def build(num_classes, root, **kw):
    return DATASETS.build(
        dict(
            type=f'mmpretrain.CIFAR{num_classes}LT',
            data_root=str(root),
            pipeline=[],
            **kw))


def labels_of(ds):
    return np.array([ds.get_data_info(i)['gt_label'] for i in range(len(ds))])


def test_published_counts():
    # the totals of Cao et al. 2019 (Tab. 1 data) for the real CIFAR
    assert sum(cifar_lt_counts('cifar10', 100)) == 12406
    assert sum(cifar_lt_counts('cifar100', 100)) == 10847
    assert cifar_lt_counts('cifar10', 100)[-1] == 50
    assert cifar_lt_counts('cifar100', 10)[-1] == 50
    for c, n in ((10, 5000), (100, 500)):
        for rho in (100, 10):
            want = [int(n * rho**(-i / (c - 1))) for i in range(c)]
            assert long_tail_counts(n, c, rho) == want


@pytest.mark.parametrize('num_classes', [10, 100])
@pytest.mark.parametrize('rho', [100, 10])
def test_counts_and_ldam_selection(cifar, num_classes, rho):
    root, arrays = cifar[num_classes]
    ds = build(num_classes, root, imbalance_ratio=rho)
    labels = labels_of(ds)
    want = [
        int(100 * rho**(-i / (num_classes - 1))) for i in range(num_classes)
    ]
    assert np.bincount(labels, minlength=num_classes).tolist() == want
    assert want[0] == 100 and want[-1] == 100 // rho
    # the very images LDAM keeps, in LDAM's order
    imgs, tgts = ldam_reference(*arrays['train'], num_classes, 1 / rho)
    got = np.stack([ds.get_data_info(i)['img'] for i in range(len(ds))])
    np.testing.assert_array_equal(got, imgs)
    assert labels.tolist() == list(tgts)
    # reproducible; another seed keeps other images (same counts)
    again = build(num_classes, root, imbalance_ratio=rho)
    np.testing.assert_array_equal(again.get_data_info(7)['img'], got[7])
    other = build(num_classes, root, imbalance_ratio=rho, seed=1)
    assert labels_of(other).tolist() == labels.tolist()
    assert not np.array_equal(
        np.stack([other.get_data_info(i)['img'] for i in range(len(ds))]), got)


@pytest.mark.parametrize('num_classes', [10, 100])
def test_test_split_is_full_and_balanced(cifar, num_classes):
    root, arrays = cifar[num_classes]
    ds = build(num_classes, root, split='test')
    imgs, labels = arrays['test']
    assert len(ds) == len(labels) == 3 * num_classes
    np.testing.assert_array_equal(ds.get_data_info(5)['img'], imgs[5])
    assert labels_of(ds).tolist() == labels.tolist()
    # mmpretrain's category names (the meta pickle is only a fallback)
    assert len(ds.CLASSES) == num_classes
    assert ds.CLASSES[0] == ('airplane' if num_classes == 10 else 'apple')


def test_offline_cifar_reads_files_as_they_are(cifar):
    root, arrays = cifar[10]
    ds = DATASETS.build(
        dict(
            type='mmpretrain.OfflineCIFAR10',
            data_root=str(root),
            split='train',
            pipeline=[]))
    imgs, labels = arrays['train']
    assert len(ds) == len(labels)
    np.testing.assert_array_equal(ds.get_data_info(123)['img'], imgs[123])
    out = ds[0]  # an empty pipeline returns the sample itself
    assert out['img'].shape == (32, 32, 3) and out['img'].dtype == np.uint8


def test_long_tail_indices_refuse_unbalanced_and_bad_rho():
    with pytest.raises(ValueError, match='balanced'):
        long_tail_indices(np.array([0, 0, 1]), 10)
    with pytest.raises(ValueError, match='imbalance_ratio'):
        long_tail_counts(10, 10, 0.5)
    with pytest.raises(ValueError, match='imbalance_ratio'):
        build(10, '/nonexistent', imbalance_ratio=0)


def test_missing_file_named(tmp_path, cifar):
    with pytest.raises(FileNotFoundError, match='data_batch_1'):
        build(10, tmp_path)


def test_code_in_a_pickle_is_refused(tmp_path):
    folder, files, _, _, _, _ = LAYOUT[100]
    root, _ = make_cifar(tmp_path, 100, 1, 1)
    marker = tmp_path / 'ran'
    with open(root / folder / files[0], 'wb') as f:
        pickle.dump({'fine_labels': [0], 'data': Payload(str(marker))}, f)
    with pytest.raises(ValueError, match='not a CIFAR python pickle'):
        build(100, root)
    assert not marker.exists()
