"""The embedded digits, long-tailed (the demo's CPU-sized Fig. 4 point)."""
import numpy as np

from airl_mm.datasets import MNISTDigits, MNISTDigitsLT, long_tail_indices


def test_train_split_follows_the_ldam_profile():
    full = MNISTDigits(split='train')
    lt = MNISTDigitsLT(split='train', imbalance_ratio=100)
    labels = np.array([d['gt_label'] for d in lt.data_list])
    # int(400 * 100 ** (-i / 9)), written out
    want = [400, 239, 143, 86, 51, 30, 18, 11, 6, 4]
    assert np.bincount(labels, minlength=10).tolist() == want
    assert [400 * 100**(-i / 9) for i in range(10)][7] > 11  # int() floors
    # the same digits as the LDAM selection over the balanced split
    full_labels = np.array([d['gt_label'] for d in full.data_list])
    keep = long_tail_indices(full_labels, 100, seed=0)
    assert [d['digit_idx'] for d in lt.data_list] == \
        [full.data_list[i]['digit_idx'] for i in keep]
    assert len(MNISTDigitsLT(split='train', imbalance_ratio=10)) == sum(
        int(400 * 10**(-i / 9)) for i in range(10))


def test_test_split_stays_balanced():
    lt = MNISTDigitsLT(split='test', imbalance_ratio=100)
    labels = [d['gt_label'] for d in lt.data_list]
    assert np.bincount(labels).tolist() == [100] * 10
