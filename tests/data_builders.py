"""Tiny datasets in the real on-disk layouts, made by the tests themselves."""
from pathlib import Path
from typing import Dict, Optional, Sequence

import cv2
import numpy as np


def make_image(rng: np.random.RandomState, size: int = 64) -> np.ndarray:
    """A random but structured BGR uint8 image (blobs on a gradient)."""
    yy, xx = np.mgrid[:size, :size]
    img = np.stack([(xx * 255 // size), (yy * 255 // size),
                    np.full_like(xx, rng.randint(256))], -1).astype(np.uint8)
    for _ in range(3):
        c = tuple(int(v) for v in rng.randint(0, size, 2))
        cv2.circle(img, c, int(rng.randint(3, size // 3)),
                   tuple(int(v) for v in rng.randint(0, 256, 3)), -1)
    return img


def make_imagenet(root: Path,
                  num_classes: int = 2,
                  per_class: int = 4,
                  size: int = 64,
                  splits: Sequence[str] = ('train', 'val'),
                  seed: int = 0,
                  classes: Optional[Dict[str, int]] = None) -> Path:
    """ImageNet in the OpenMMLab layout: ``{split}/<wnid>/*.JPEG`` and
    ``meta/{split}.txt`` lines ``<wnid>/<file> <label>``.

    ``classes`` (``{wnid: label}``, e.g. real ImageNet-1k wnids and their
    class indices) replaces the default ``num_classes`` made-up wnids
    ``n00000000``, ``n00000001``, ... labelled 0, 1, ...
    """
    rng = np.random.RandomState(seed)
    if classes is None:
        classes = {f'n{c:08d}': c for c in range(num_classes)}
    (root / 'meta').mkdir(parents=True, exist_ok=True)
    for split in splits:
        lines = []
        for wnid, c in classes.items():
            (root / split / wnid).mkdir(parents=True, exist_ok=True)
            for i in range(per_class):
                name = f'{wnid}/{split}_{c}_{i}.JPEG'
                cv2.imwrite(str(root / split / name), make_image(rng, size))
                lines.append(f'{name} {c}')
        (root / 'meta' / f'{split}.txt').write_text('\n'.join(lines) + '\n')
    return root


def make_stl10(root: Path,
               n_train: int = 3,
               n_test: int = 2,
               n_unlabeled: int = 4,
               seed: int = 0) -> dict:
    """Random RGB images (and labels) in STL-10's binary layout under
    ``root``; returns ``{split: (images, labels)}``."""
    from airl_mm.datasets import write_stl10_split
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.RandomState(seed)
    out = {}
    for split, n in (('train', n_train), ('test', n_test), ('unlabeled',
                                                            n_unlabeled)):
        images = rng.randint(0, 256, (n, 96, 96, 3), dtype=np.uint8)
        labels = None if split == 'unlabeled' else rng.randint(0, 10, n)
        write_stl10_split(str(root), split, images, labels)
        out[split] = (images, labels)
    return out
