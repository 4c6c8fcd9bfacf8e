"""Deterministic image batches for analyses (a folder, or a data config)."""
import os
import os.path as osp
from typing import Iterator, List, Optional, Sequence

import cv2
import numpy as np
import torch

from ..datasets.image_io import read_image

IMG_EXTS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')
IMAGENET_MEAN = (123.675, 116.28, 103.53)
IMAGENET_STD = (58.395, 57.12, 57.375)


def list_images(folder: str) -> List[str]:
    """Image files below ``folder``, sorted (the order is part of the run)."""
    if not osp.isdir(folder):
        raise FileNotFoundError(f'--folder: no such directory: {folder}')
    files = sorted(
        osp.join(root, f) for root, _, names in os.walk(folder) for f in names
        if f.lower().endswith(IMG_EXTS))
    if not files:
        raise FileNotFoundError(f'--folder: no images in {folder}')
    return files


def load_center_crop(path: str, size: int) -> np.ndarray:
    """RGB uint8: shorter side to ``size * 256 / 224``, centre ``size``.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ImageLoadError: ``failed to load image: <path> (<reason>)`` for an
            empty, truncated or non-image file (the training pipelines'
            message; ``cv2.imread`` would return a truncated JPEG
            grey-filled).
    """
    img = cv2.cvtColor(read_image(path), cv2.COLOR_BGR2RGB)
    short = int(round(size * 256 / 224))
    h, w = img.shape[:2]
    scale = short / min(h, w)
    img = cv2.resize(
        img, (max(size, round(w * scale)), max(size, round(h * scale))),
        interpolation=cv2.INTER_LINEAR)
    h, w = img.shape[:2]
    top, left = (h - size) // 2, (w - size) // 2
    return img[top:top + size, left:left + size]


def normalize(batch_hwc: np.ndarray, mean: Sequence[float],
              std: Sequence[float]) -> torch.Tensor:
    """``(N, H, W, C)`` uint8 images -> normalised ``(N, C, H, W)`` float."""
    x = torch.from_numpy(np.ascontiguousarray(batch_hwc)).permute(0, 3, 1, 2)
    x = x.float()
    return (x - torch.tensor(mean).view(1, -1, 1, 1)) / torch.tensor(std).view(
        1, -1, 1, 1)


def folder_batches(folder: str,
                   num_samples: Optional[int] = None,
                   batch_size: int = 64,
                   size: int = 224,
                   mean=IMAGENET_MEAN,
                   std=IMAGENET_STD) -> Iterator[torch.Tensor]:
    files = list_images(folder)[:num_samples]
    for i in range(0, len(files), batch_size):
        yield normalize(
            np.stack(
                [load_center_crop(f, size) for f in files[i:i + batch_size]]),
            mean, std)


def config_batches(config: str,
                   num_samples: Optional[int] = None,
                   batch_size: int = 64) -> Iterator[torch.Tensor]:
    """Batches from the ``test_dataloader`` (else ``val_``) dataset of an
    mmengine config, through its pipeline, in dataset order; normalised
    with the config's ``model.data_preprocessor`` mean/std (else
    ImageNet's)."""
    from mmengine.config import Config
    from mmengine.registry import DATASETS, DefaultScope

    from ..register import register_all_modules
    register_all_modules()  # a config without our custom_imports, too
    cfg = Config.fromfile(config)
    loader = cfg.get('test_dataloader') or cfg.get('val_dataloader')
    if not loader:
        raise ValueError(f'{config}: no test_dataloader or val_dataloader')
    pre = cfg.get('model', {}).get('data_preprocessor', {}) or {}
    mean = pre.get('mean', IMAGENET_MEAN)
    std = pre.get('std', IMAGENET_STD)
    with DefaultScope.overwrite_default_scope(
            cfg.get('default_scope', 'mmselfsup')):
        dataset = DATASETS.build(loader['dataset'])
    n = len(dataset) if num_samples is None else min(num_samples, len(dataset))
    for i in range(0, n, batch_size):
        imgs = []
        for j in range(i, min(i + batch_size, n)):
            inputs = dataset[j]['inputs']
            if isinstance(inputs, (list, tuple)):
                inputs = inputs[0]
            img = inputs.permute(1, 2, 0).numpy()
            if pre.get('bgr_to_rgb') or pre.get('to_rgb'):
                img = img[..., ::-1]
            imgs.append(img)
        yield normalize(np.stack(imgs), mean, std)
