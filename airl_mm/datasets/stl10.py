"""STL-10 (Coates et al. 2011) read from its standard binary release."""
import os.path as osp
from typing import List, Optional, Sequence

import numpy as np
from mmengine.dataset import BaseDataset
from mmselfsup.registry import DATASETS

STL10_SIZE = 96
STL10_CLASSES = ('airplane', 'bird', 'car', 'cat', 'deer', 'dog', 'horse',
                 'monkey', 'ship', 'truck')
# The release's splits: images (and labels, 1-10, except unlabeled).
SPLIT_FILES = {
    'train': ('train_X.bin', 'train_y.bin'),
    'test': ('test_X.bin', 'test_y.bin'),
    'unlabeled': ('unlabeled_X.bin', None),
}


def read_stl10_images(path: str) -> np.ndarray:
    """The images of an STL-10 ``*_X.bin`` as a read-only ``(N, 96, 96, 3)``
    RGB uint8 memory map (the 100,000 unlabeled images are 2.8 GB).

    The file stores each image as 3 x 96 x 96 bytes, channel by channel,
    each channel column-major.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: its size is not a whole number of images.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'STL-10 image file not found: {path}')
    per_image = 3 * STL10_SIZE * STL10_SIZE
    size = osp.getsize(path)
    if size == 0 or size % per_image:
        raise ValueError(f'{path}: {size} bytes is not a whole number of '
                         f'3x96x96 STL-10 images')
    raw = np.memmap(
        path,
        dtype=np.uint8,
        mode='r',
        shape=(size // per_image, 3, STL10_SIZE, STL10_SIZE))
    return raw.transpose(0, 3, 2, 1)  # (N, C, W, H) -> (N, H, W, C)


def read_stl10_labels(path: str, num: int) -> np.ndarray:
    """The 0-based labels of an STL-10 ``*_y.bin`` (stored 1-10)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'STL-10 label file not found: {path}')
    labels = np.fromfile(path, dtype=np.uint8).astype(np.int64)
    if len(labels) != num:
        raise ValueError(f'{path}: {len(labels)} labels for {num} images')
    if labels.min() < 1 or labels.max() > len(STL10_CLASSES):
        raise ValueError(f'{path}: labels must lie in 1..10, got '
                         f'{labels.min()}..{labels.max()}')
    return labels - 1


@DATASETS.register_module()
class STL10(BaseDataset):
    """STL-10 in its standard binary layout (``stl10_binary/``).

    ``data_root`` holds ``train_X.bin``, ``train_y.bin``, ``test_X.bin``,
    ``test_y.bin`` and ``unlabeled_X.bin`` as released. Each sample's
    ``img`` is a 96x96x3 uint8 image in BGR order, as
    ``LoadImageFromFile`` gives (so the usual ``bgr_to_rgb=True``
    preprocessors and mmcv's colour transforms apply unchanged): pipelines
    start after loading. ``gt_label`` is 0-9, or -1 for unlabeled images.
    Images are read lazily from memory maps.

    Args:
        data_root (str): The ``stl10_binary`` folder.
        split (str | sequence of str): ``'train'`` (5,000 labelled),
            ``'test'`` (8,000), ``'unlabeled'`` (100,000), or several, e.g.
            ``('unlabeled', 'train')`` for self-supervised pre-training.
            Defaults to ``'unlabeled'``.
        **kwargs: Passed to :class:`mmengine.dataset.BaseDataset`
            (``pipeline``, ``indices``, ``test_mode``...).
    """

    METAINFO = dict(classes=STL10_CLASSES)

    def __init__(self,
                 data_root: str,
                 split: Sequence[str] = 'unlabeled',
                 **kwargs) -> None:
        splits = (split, ) if isinstance(split, str) else tuple(split)
        bad = [s for s in splits if s not in SPLIT_FILES]
        if bad or not splits:
            raise ValueError(f'STL10 split must be among '
                             f'{list(SPLIT_FILES)}, got {split!r}')
        self.splits = splits
        self._images: dict = {}
        super().__init__(ann_file='', data_root=data_root, **kwargs)

    def _split_images(self, split: str) -> np.ndarray:
        if split not in self._images:  # memory maps: opened per process
            self._images[split] = read_stl10_images(
                osp.join(self.data_root, SPLIT_FILES[split][0]))
        return self._images[split]

    def load_data_list(self) -> List[dict]:
        data_list = []
        for split in self.splits:
            images = self._split_images(split)
            label_file = SPLIT_FILES[split][1]
            labels = (
                np.full(len(images), -1, dtype=np.int64)
                if label_file is None else read_stl10_labels(
                    osp.join(self.data_root, label_file), len(images)))
            data_list += [
                dict(
                    split=split,
                    index=i,
                    gt_label=int(labels[i]),
                    img_shape=(STL10_SIZE, STL10_SIZE),
                    ori_shape=(STL10_SIZE, STL10_SIZE))
                for i in range(len(images))
            ]
        return data_list

    def get_data_info(self, idx: int) -> dict:
        info = super().get_data_info(idx)
        rgb = self._split_images(info['split'])[info['index']]
        info['img'] = np.ascontiguousarray(rgb[..., ::-1])
        return info

    def __getstate__(self) -> dict:
        # Workers reopen the memory maps rather than pickle them.
        state = self.__dict__.copy()
        state['_images'] = {}
        return state


def write_stl10_split(data_root: str,
                      split: str,
                      images: np.ndarray,
                      labels: Optional[np.ndarray] = None) -> None:
    """Write ``(N, 96, 96, 3)`` RGB uint8 ``images`` (and 0-based
    ``labels``) as an STL-10 binary split, e.g. to make a subset."""
    from ..fileio import atomic_write_bytes
    images = np.asarray(images, dtype=np.uint8)
    if images.ndim != 4 or images.shape[1:] != (STL10_SIZE, STL10_SIZE, 3):
        raise ValueError(f'images must be (N, 96, 96, 3), got {images.shape}')
    x_name, y_name = SPLIT_FILES[split]
    atomic_write_bytes(
        osp.join(data_root, x_name),
        images.transpose(0, 3, 2, 1).tobytes())
    if y_name is not None:
        if labels is None or len(labels) != len(images):
            raise ValueError(f'split {split!r} needs one label per image')
        atomic_write_bytes(
            osp.join(data_root, y_name),
            (np.asarray(labels) + 1).astype(np.uint8).tobytes())
