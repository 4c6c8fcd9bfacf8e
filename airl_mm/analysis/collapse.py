"""Collapse metrics of a batch of embeddings (one tensor per view).

- ``z_std``: standard deviation over the batch of the L2-normalised
  embeddings, averaged over dimensions: about ``1/sqrt(d)`` when they are
  spread over the sphere, 0 when collapsed to a point (SimSiam, Chen & He).
- ``pos_cos``: mean cosine between two views of the same image.
- ``neg_cos``: mean cosine between different images of one view (the
  "representation distance"; near 1 when collapsed).
- ``rank``: RankMe effective rank (Garrido et al. 2023),
  ``exp(-sum p_k log p_k)`` with ``p_k = s_k / sum(s) + eps`` over the
  singular values ``s`` of the embedding matrix: 1 for identical rows, near
  ``min(n, d)`` for isotropic ones.
"""
from itertools import combinations
from typing import Dict, Sequence

import torch
import torch.nn.functional as F

RANKME_EPS = 1e-7


def effective_rank(z: torch.Tensor, eps: float = RANKME_EPS) -> float:
    """RankMe of the ``(n, d)`` embeddings ``z`` (rows are samples)."""
    s = torch.linalg.svdvals(z.double())
    if float(s.sum()) == 0:
        return 0.0
    p = s / s.sum() + eps
    return float(torch.exp(-(p * p.log()).sum()))


def collapse_metrics(views: Sequence[torch.Tensor]) -> Dict[str, float]:
    """The collapse metrics of one network's outputs for a batch.

    Args:
        views (sequence of Tensor): ``(n, d)`` (or ``(n, ...)``, flattened)
            embeddings of the same ``n`` images, one tensor per view.

    Returns:
        dict: ``z_std``, ``neg_cos``, ``rank`` and, with two views or more,
        ``pos_cos`` (averaged over view pairs).
    """
    if not views:
        raise ValueError('collapse_metrics needs at least one view')
    raw = [v.detach().flatten(1).double() for v in views]
    n = raw[0].shape[0]
    if any(v.shape != raw[0].shape for v in raw):
        raise ValueError('all views need the same shape, got '
                         f'{[tuple(v.shape) for v in raw]}')
    z = [F.normalize(v, dim=1) for v in raw]
    out = dict(
        z_std=float(torch.cat(z).std(dim=0, unbiased=False).mean()),
        rank=effective_rank(torch.cat(raw)))
    if n > 1:
        off_diag = ~torch.eye(n, dtype=torch.bool)
        out['neg_cos'] = float(
            torch.stack([(v @ v.t())[off_diag].mean() for v in z]).mean())
    if len(z) > 1:
        out['pos_cos'] = float(
            torch.stack([(a * b).sum(dim=1).mean()
                         for a, b in combinations(z, 2)]).mean())
    return out
