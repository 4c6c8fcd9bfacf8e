"""Long-tailed subsets (Cao et al. 2019, LDAM-DRW; the paper's Fig. 4).

The per-class counts follow the exponential profile of LDAM's
``IMBALANCECIFAR10``: with ``n_max = N / C`` images per class in the
balanced set, class ``i`` keeps ``int(n_max * rho ** (-i / (C - 1)))``
images, ``rho`` being the imbalance ratio (largest / smallest class).
The kept images of each class are drawn as LDAM draws them: one NumPy seed,
then, class after class in label order, a shuffle of that class' indices
of which the first ``n_i`` are kept. The same seed therefore selects the
same images as the authors' data.
"""
from typing import List, Optional

import numpy as np
from mmselfsup.registry import DATASETS

from .mnist_digits import MNISTDigits


def long_tail_counts(n_max: float, num_classes: int,
                     imbalance_ratio: float) -> List[int]:
    """Images kept per class: ``int(n_max * rho ** (-i / (C - 1)))``.

    Computed as LDAM computes it (``n_max * (1 / rho) ** (i / (C - 1.0))``)
    so that the float rounding, hence every count, is the same.

    Args:
        n_max (float): Images per class of the balanced set (class 0 keeps
            all of them).
        num_classes (int): Number of classes ``C`` (at least 2).
        imbalance_ratio (float): ``rho`` >= 1 (100 and 10 in the paper).

    Returns:
        list[int]: ``C`` counts, non-increasing.
    """
    if num_classes < 2:
        raise ValueError(f'a long tail needs at least 2 classes, got '
                         f'{num_classes}')
    if not imbalance_ratio >= 1:
        raise ValueError(f'imbalance_ratio must be >= 1 (largest / smallest '
                         f'class), got {imbalance_ratio}')
    imb_factor = 1.0 / imbalance_ratio
    return [
        int(n_max * imb_factor**(i / (num_classes - 1.0)))
        for i in range(num_classes)
    ]


def long_tail_indices(labels: np.ndarray,
                      imbalance_ratio: float,
                      seed: int = 0) -> np.ndarray:
    """Indices of the long-tailed subset of a balanced labelled set.

    Args:
        labels (np.ndarray): Integer label of each sample; every class has
            ``len(labels) / C`` samples (balanced, as CIFAR's train split).
        imbalance_ratio (float): ``rho`` (see :func:`long_tail_counts`).
        seed (int): The NumPy seed (LDAM's ``rand_number``, default 0).

    Returns:
        np.ndarray: Kept indices, grouped by class in label order (class 0
        first), within a class in LDAM's shuffled order.

    Raises:
        ValueError: the set is not balanced.
    """
    labels = np.asarray(labels)
    classes, sizes = np.unique(labels, return_counts=True)
    if len(set(sizes.tolist())) != 1:
        raise ValueError(
            'a long-tailed subset is drawn from a balanced set (LDAM); class '
            f'sizes here range from {sizes.min()} to {sizes.max()}')
    counts = long_tail_counts(
        len(labels) / len(classes), len(classes), imbalance_ratio)
    rng = np.random.RandomState(seed)  # the stream of np.random.seed(seed)
    kept = []
    for c, n in zip(classes, counts):
        idx = np.flatnonzero(labels == c)
        rng.shuffle(idx)
        kept.append(idx[:n])
    return np.concatenate(kept)


@DATASETS.register_module()
class MNISTDigitsLT(MNISTDigits):
    """The embedded digits with a long-tailed ``'train'`` split.

    The 4,000 training digits (400 per class) are cut to the LDAM profile
    (class 0 keeps 400, class 9 keeps ``400 / rho``); ``'test'`` stays the
    balanced 1,000 held-out digits, as CIFAR-LT keeps CIFAR's test set.

    Args:
        imbalance_ratio (float): ``rho``. Defaults to 100.
        seed (int): NumPy seed of the selection. Defaults to 0.
        **kwargs: Passed to :class:`MNISTDigits` (``split``, ``pipeline``).
    """

    def __init__(self,
                 imbalance_ratio: float = 100,
                 seed: int = 0,
                 **kwargs) -> None:
        long_tail_counts(1, 2, imbalance_ratio)  # checks rho up front
        self.imbalance_ratio = imbalance_ratio
        self.seed = seed
        super().__init__(**kwargs)

    def load_data_list(self) -> List[dict]:
        data = super().load_data_list()
        if self.split != 'train':
            return data
        labels = np.array([d['gt_label'] for d in data])
        return [
            data[i]
            for i in long_tail_indices(labels, self.imbalance_ratio, self.seed)
        ]


def class_counts(labels: np.ndarray,
                 num_classes: Optional[int] = None) -> List[int]:
    """Samples per class ``0..C-1`` (a helper for reports and tests)."""
    return np.bincount(np.asarray(labels), minlength=num_classes or 0).tolist()
