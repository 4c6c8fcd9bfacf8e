"""Weighted k-NN evaluation of frozen features (Wu et al. 2018)."""
from typing import Optional, Sequence

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from ..analysis.image_data import normalize


@torch.no_grad()
def extract_features(backbone: nn.Module,
                     images: np.ndarray,
                     mean: Sequence[float],
                     std: Sequence[float],
                     batch_size: int = 256,
                     stage: int = -1) -> torch.Tensor:
    """Global-average-pooled, L2-normalised backbone features.

    Args:
        backbone (nn.Module): Returns a tuple of feature maps (mmcls style).
        images (np.ndarray): ``(N, H, W, 3)`` uint8, in the channel order
            the model was trained on.
        mean, std (sequence of float): Per-channel normalisation (0-255).
        batch_size (int): Images per forward pass. Defaults to 256.
        stage (int): Which output of the backbone. Defaults to the last.

    Returns:
        torch.Tensor: ``(N, C)`` float32 features on the CPU.
    """
    was_training = backbone.training
    backbone.eval()
    device = next(backbone.parameters()).device
    feats = []
    try:
        for i in range(0, len(images), batch_size):
            x = normalize(images[i:i + batch_size], mean, std).to(device)
            out = backbone(x)[stage]
            feats.append(F.normalize(out.mean(dim=(2, 3)), dim=1).cpu())
    finally:
        backbone.train(was_training)
    return torch.cat(feats)


def pixel_features(images: np.ndarray) -> torch.Tensor:
    """Raw pixels as L2-normalised, mean-centred vectors (the baseline)."""
    x = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32))
    return F.normalize(x - x.mean(dim=0, keepdim=True), dim=1)


def knn_accuracy(train_feats: torch.Tensor,
                 train_labels,
                 test_feats: torch.Tensor,
                 test_labels,
                 num_classes: Optional[int] = None,
                 k: int = 20,
                 temperature: float = 0.07) -> float:
    """Top-1 accuracy (%) of mmselfsup's weighted k-NN (``knn_eval``).

    Cosine similarity to the ``k`` nearest training features, votes
    weighted by ``exp(sim / T)`` (InstDisc / DINO). mmselfsup's function
    splits the test set into 100 chunks and fails on fewer than 100 test
    samples; a smaller test set is repeated (which leaves the accuracy
    unchanged) to reach 100, and fewer than ``min(5, k)`` classes are
    padded with empty ones (its top-5 needs them).
    """
    from mmselfsup.evaluation.functional import knn_eval
    train_labels = torch.as_tensor(np.asarray(train_labels), dtype=torch.long)
    test_labels = torch.as_tensor(np.asarray(test_labels), dtype=torch.long)
    if len(train_feats) != len(train_labels):
        raise ValueError('train features and labels differ in length')
    if len(test_feats) != len(test_labels):
        raise ValueError('test features and labels differ in length')
    if num_classes is None:
        num_classes = int(max(train_labels.max(), test_labels.max())) + 1
    # knn_eval also ranks top-5 over min(5, k) classes; classes that get no
    # vote never win top-1, so padding to that many changes nothing.
    k = min(k, len(train_feats))
    num_classes = max(num_classes, min(5, k))
    repeat = -(-100 // len(test_labels))  # ceil
    top1, _ = knn_eval(
        train_feats.float(),
        train_labels,
        test_feats.float().repeat(repeat, 1),
        test_labels.repeat(repeat),
        k=k,
        T=temperature,
        num_classes=num_classes)
    return float(top1)
