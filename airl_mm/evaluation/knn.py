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


def knn_predict(train_feats: torch.Tensor,
                train_labels: torch.Tensor,
                test_feats: torch.Tensor,
                num_classes: int,
                k: int = 20,
                temperature: float = 0.07,
                chunk: int = 1024) -> torch.Tensor:
    """Cosine k-NN with ``exp(sim / T)`` weighted votes (InstDisc).

    Features must be L2-normalised. Returns the predicted labels.
    """
    if len(train_feats) != len(train_labels):
        raise ValueError('train features and labels differ in length')
    k = min(k, len(train_feats))
    preds = []
    for i in range(0, len(test_feats), chunk):
        sim = test_feats[i:i + chunk] @ train_feats.t()
        top_sim, top_idx = sim.topk(k, dim=1)
        votes = torch.zeros(len(sim), num_classes)
        votes.scatter_add_(1, train_labels[top_idx],
                           (top_sim / temperature).exp())
        preds.append(votes.argmax(dim=1))
    return torch.cat(preds)


def knn_accuracy(train_feats: torch.Tensor,
                 train_labels,
                 test_feats: torch.Tensor,
                 test_labels,
                 num_classes: Optional[int] = None,
                 k: int = 20,
                 temperature: float = 0.07) -> float:
    """Top-1 accuracy (%) of :func:`knn_predict` on the test set."""
    train_labels = torch.as_tensor(np.asarray(train_labels), dtype=torch.long)
    test_labels = torch.as_tensor(np.asarray(test_labels), dtype=torch.long)
    if num_classes is None:
        num_classes = int(max(train_labels.max(), test_labels.max())) + 1
    pred = knn_predict(train_feats, train_labels, test_feats, num_classes, k,
                       temperature)
    return float((pred == test_labels).float().mean() * 100)
