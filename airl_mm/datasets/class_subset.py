"""Data variation (Appendix B.2): pre-train on a seeded sample of classes.

:class:`ClassSubset` keeps every image of a uniform, seeded sample of whole
classes of any labelled dataset; :func:`iteration_preserving_epochs` gives
the epoch count at which such a subset sees as many iterations as the full
set (the configs under ``configs/data_variation/`` use it).
"""
import copy
import math
from typing import List, Sequence, Union

import numpy as np
from mmengine.logging import print_log
from mmselfsup.registry import DATASETS


def kept_classes(classes: Sequence[int],
                 ratio: float,
                 seed: int = 0) -> np.ndarray:
    """``round(ratio * C)`` of ``classes`` (at least one), drawn uniformly
    with ``seed``.

    Args:
        classes (Sequence[int]): The labels present (any order).
        ratio (float): Fraction of classes kept, in (0, 1].
        seed (int): NumPy seed of the draw.

    Returns:
        np.ndarray: The kept labels, sorted.
    """
    if not 0 < ratio <= 1:
        raise ValueError(f'ClassSubset: ratio must be in (0, 1], got {ratio}')
    classes = np.unique(np.asarray(classes))
    if len(classes) == 0:
        raise ValueError('ClassSubset: the dataset has no samples')
    # a sample of classes is never empty (tiny sets: 10 % of 2 classes)
    k = max(1, int(round(ratio * len(classes))))
    rng = np.random.RandomState(seed)
    return np.sort(rng.choice(classes, k, replace=False))


def iters_per_epoch(num_samples: int,
                    batch_size: int,
                    drop_last: bool = False) -> int:
    """Iterations of one epoch over ``num_samples`` at total batch
    ``batch_size``."""
    if num_samples < 1 or batch_size < 1:
        raise ValueError(f'need num_samples >= 1 and batch_size >= 1, got '
                         f'{num_samples} and {batch_size}')
    return (num_samples // batch_size if drop_last else math.ceil(num_samples /
                                                                  batch_size))


def iteration_preserving_epochs(base_epochs: int,
                                full_size: int,
                                subset_size: int,
                                batch_size: int,
                                drop_last: bool = False) -> int:
    """Epochs on ``subset_size`` samples that make as many iterations as
    ``base_epochs`` on ``full_size`` samples (nearest integer).

    Example (``configs/data_variation/*10pct*``): MoCo v2+ 200 epochs on
    ImageNet's 1,281,167 images at batch 1024 with ``drop_last`` (as its
    dataloader) is 200 x 1,251 = 250,200 iterations; its 10 % subset
    (128,117 images, 125 iterations an epoch) needs round(250,200 / 125) =
    2,002 epochs. Without ``drop_last`` the same would be 200 x 1,252 and
    126 an epoch: 1,987 epochs.
    """
    if base_epochs < 1:
        raise ValueError(f'base_epochs must be >= 1, got {base_epochs}')
    total = base_epochs * iters_per_epoch(full_size, batch_size, drop_last)
    return int(
        round(total / iters_per_epoch(subset_size, batch_size, drop_last)))


@DATASETS.register_module()
class ClassSubset:
    """Whole classes of ``dataset``: a seeded uniform sample of them.

    Every sample whose label is among :func:`kept_classes` is kept (in the
    wrapped dataset's order), the others dropped; labels are not renumbered.
    Labels come from each sample's ``gt_label`` (mmpretrain/mmselfsup
    ImageNet with an annotation file, CIFAR, the embedded digits).

    Args:
        dataset (dict | Dataset): The dataset (a config is built in the
            current scope).
        ratio (float): Fraction of the classes kept (0.1, 0.2, 0.5, 0.7, 1
            in the paper).
        seed (int): NumPy seed of the class draw. Defaults to 0.
        lazy_init (bool): Defer loading as mmengine's wrappers do.
            Defaults to False.
    """

    def __init__(self,
                 dataset: Union[dict, object],
                 ratio: float,
                 seed: int = 0,
                 lazy_init: bool = False) -> None:
        if not 0 < ratio <= 1:
            raise ValueError(f'ClassSubset: ratio must be in (0, 1], got '
                             f'{ratio}')
        self.dataset = (
            DATASETS.build(dataset) if isinstance(dataset, dict) else dataset)
        self.ratio = ratio
        self.seed = seed
        self.classes_kept: np.ndarray = np.zeros(0, dtype=np.int64)
        self.indices: List[int] = []
        self._fully_initialized = False
        if not lazy_init:
            self.full_init()

    @property
    def metainfo(self) -> dict:
        return copy.deepcopy(self.dataset.metainfo)

    def _label(self, idx: int) -> int:
        info = self.dataset.get_data_info(idx)
        if 'gt_label' not in info:
            raise KeyError(
                f'ClassSubset: sample {idx} of {type(self.dataset).__name__} '
                "has no 'gt_label' (an ImageNet needs its ann_file with "
                'labels, e.g. meta/train.txt)')
        return int(np.asarray(info['gt_label']).reshape(-1)[0])

    def full_init(self) -> None:
        if self._fully_initialized:
            return
        if hasattr(self.dataset, 'full_init'):
            self.dataset.full_init()
        labels = np.array([self._label(i) for i in range(len(self.dataset))],
                          dtype=np.int64)
        self.classes_kept = kept_classes(labels, self.ratio, self.seed)
        self.indices = np.flatnonzero(np.isin(labels,
                                              self.classes_kept)).tolist()
        self._fully_initialized = True
        print_log(
            f'ClassSubset: {len(self.classes_kept)} of '
            f'{len(np.unique(labels))} classes (ratio {self.ratio}, seed '
            f'{self.seed}): {len(self.indices)} of {len(labels)} samples',
            logger='current')

    def get_data_info(self, idx: int) -> dict:
        self.full_init()
        return self.dataset.get_data_info(self.indices[idx])

    def __getitem__(self, idx: int):
        self.full_init()
        return self.dataset[self.indices[idx]]

    def __len__(self) -> int:
        self.full_init()
        return len(self.indices)
