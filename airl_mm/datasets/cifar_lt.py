"""CIFAR from the standard python pickles, and long-tailed CIFAR (LDAM).

mmpretrain's ``CIFAR10`` / ``CIFAR100`` check the md5 of every pickle and
try to download the archive when one differs; these classes own the loading
instead: they read ``cifar-10-batches-py/`` or ``cifar-100-python/`` under
``data_root``, never download, and refuse anything in a pickle but plain
containers and NumPy arrays (the files are pickles; a restricted unpickler
keeps a tampered one from running code). Registered in mmpretrain's
``DATASETS`` (the classification benchmarks run in the ``mmpretrain``
scope).
"""
import io
import os.path as osp
import pickle
from typing import List, Optional

import numpy as np
from mmpretrain.datasets import CIFAR10, CIFAR100
from mmpretrain.registry import DATASETS

from .long_tail import long_tail_counts, long_tail_indices

# What a CIFAR pickle may name: NumPy's array reconstruction (either NumPy
# major version's module path) and the codec Python 3 uses for Python 2
# byte strings.
_ALLOWED_GLOBALS = {
    ('numpy.core.multiarray', '_reconstruct'),
    ('numpy._core.multiarray', '_reconstruct'),
    ('numpy', 'ndarray'),
    ('numpy', 'dtype'),
    ('_codecs', 'encode'),
}


class _CIFARUnpickler(pickle.Unpickler):

    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(
                f'{module}.{name} is not allowed in a CIFAR pickle')
        return super().find_class(module, name)


def read_cifar_pickle(path: str) -> dict:
    """One CIFAR python pickle (``data_batch_1``, ``test``, ``meta``...).

    Raises:
        FileNotFoundError: no such file (names the file and the layout).
        ValueError: not a CIFAR pickle (names the file).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'CIFAR file not found: {path} (expected the extracted python '
            'version of CIFAR, e.g. data_root/cifar-10-batches-py/'
            'data_batch_1 or data_root/cifar-100-python/train)')
    with open(path, 'rb') as f:
        raw = f.read()
    try:
        entry = _CIFARUnpickler(io.BytesIO(raw), encoding='latin1').load()
    except Exception as e:
        raise ValueError(f'{path}: not a CIFAR python pickle ({e})') from e
    if not isinstance(entry, dict):
        raise ValueError(f'{path}: not a CIFAR python pickle (a '
                         f'{type(entry).__name__}, not a dict)')
    return entry


class _OfflineCIFAR:
    """Loading shared by the CIFAR-10 and CIFAR-100 classes below."""

    def __init__(self,
                 data_root: str = '',
                 split: str = 'train',
                 **kwargs) -> None:
        kwargs['download'] = False
        super().__init__(data_root=data_root, split=split, **kwargs)

    def _load_arrays(self):
        root = self.data_prefix['root']
        files = self.train_list if self.split == 'train' else self.test_list
        imgs, labels = [], []
        for name, _ in files:
            path = osp.join(root, self.base_folder, name)
            entry = read_cifar_pickle(path)
            key = 'labels' if 'labels' in entry else 'fine_labels'
            if 'data' not in entry or key not in entry:
                raise ValueError(f"{path}: a CIFAR pickle needs 'data' and "
                                 "'labels' (CIFAR-10) or 'fine_labels' "
                                 '(CIFAR-100)')
            data = np.asarray(entry['data'], dtype=np.uint8)
            if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or \
                    len(data) != len(entry[key]):
                raise ValueError(
                    f"{path}: 'data' must be N x 3072 uint8 rows with one "
                    f'label each, got shape {data.shape} and '
                    f'{len(entry[key])} labels')
            imgs.append(data)
            labels.extend(entry[key])
        # rows are channel-major 3x32x32; pipelines want HWC (RGB)
        imgs = np.vstack(imgs).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        return imgs, np.asarray(labels, dtype=np.int64)

    def _select(self, labels: np.ndarray) -> np.ndarray:
        return np.arange(len(labels))

    def load_data_list(self) -> List[dict]:
        imgs, labels = self._load_arrays()
        if self.CLASSES is None:
            self._load_meta()
        return [{
            'img': imgs[i],
            'gt_label': int(labels[i])
        } for i in self._select(labels)]

    def _load_meta(self) -> None:
        path = osp.join(self.data_prefix['root'], self.base_folder,
                        self.meta['filename'])
        self._metainfo.setdefault('classes',
                                  read_cifar_pickle(path)[self.meta['key']])

    def _check_integrity(self) -> bool:
        # mmpretrain's md5 check (and the download behind it) is not part
        # of this loading; load_data_list above never calls it
        return True


@DATASETS.register_module()
class OfflineCIFAR10(_OfflineCIFAR, CIFAR10):
    """mmpretrain's ``CIFAR10`` read from the python pickles as they are (no
    md5 check, no download). Args as ``CIFAR10`` (``data_root``,
    ``split``, ``pipeline``...)."""


@DATASETS.register_module()
class OfflineCIFAR100(_OfflineCIFAR, CIFAR100):
    """mmpretrain's ``CIFAR100`` (fine labels) read from the python pickles
    as they are (no md5 check, no download)."""


class _LongTailed:
    """The LDAM cut of the train split; the test split stays balanced."""

    def __init__(self,
                 data_root: str = '',
                 split: str = 'train',
                 imbalance_ratio: float = 100,
                 seed: int = 0,
                 **kwargs) -> None:
        long_tail_counts(1, 2, imbalance_ratio)  # checks rho up front
        self.imbalance_ratio = imbalance_ratio
        self.seed = seed
        super().__init__(data_root=data_root, split=split, **kwargs)

    def _select(self, labels: np.ndarray) -> np.ndarray:
        if self.split != 'train':
            return np.arange(len(labels))
        return long_tail_indices(labels, self.imbalance_ratio, self.seed)

    def extra_repr(self) -> List[str]:
        return super().extra_repr() + [
            f'Imbalance ratio: \t{self.imbalance_ratio} (seed {self.seed})'
        ]


@DATASETS.register_module()
class CIFAR10LT(_LongTailed, OfflineCIFAR10):
    """Long-tailed CIFAR-10 (Cao et al. 2019): the train split cut to
    ``int(5000 * rho ** (-i / 9))`` images of class ``i`` (12,406 in all
    for ``rho = 100``), the test split the full balanced 10,000.

    Args:
        data_root (str): Folder holding ``cifar-10-batches-py/``.
        split (str): ``'train'`` (long-tailed) or ``'test'``.
        imbalance_ratio (float): ``rho``. Defaults to 100 (10 also used).
        seed (int): LDAM's NumPy seed (``rand_number``). Defaults to 0.
        **kwargs: Passed to mmpretrain's ``CIFAR10`` / ``BaseDataset``.
    """


@DATASETS.register_module()
class CIFAR100LT(_LongTailed, OfflineCIFAR100):
    """Long-tailed CIFAR-100 (Cao et al. 2019): the train split cut to
    ``int(500 * rho ** (-i / 99))`` images of class ``i`` (10,847 in all
    for ``rho = 100``), the test split the full balanced 10,000.
    Args as :class:`CIFAR10LT` (``data_root`` holds
    ``cifar-100-python/``)."""


def cifar_lt_counts(dataset: str,
                    imbalance_ratio: float = 100,
                    n_max: Optional[int] = None) -> List[int]:
    """Per-class train counts of ``'cifar10'`` / ``'cifar100'`` LT."""
    num_classes = {'cifar10': 10, 'cifar100': 100}[dataset]
    n_max = n_max or 50000 // num_classes
    return long_tail_counts(n_max, num_classes, imbalance_ratio)
