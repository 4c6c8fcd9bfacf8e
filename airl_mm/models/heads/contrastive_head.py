"""InfoNCE against a queue of negatives: the package's one contrastive loss."""
from typing import List, Sequence, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmselfsup.registry import MODELS


@MODELS.register_module()
class SymmetricContrastiveHead(BaseModule):
    """InfoNCE head of MoCo v2 / MoCo v2+ (eq. 1 of Huang et al. 2022).

    For a query ``q``, its positive key ``k+`` and negatives ``k-`` from the
    queue (all L2-normalised)::

        L(q, k+) = -log exp(q.k+ / t) / (exp(q.k+ / t) + sum exp(q.k- / t))

    i.e. cross-entropy on index 0 of the logits ``[q.k+, q.queue] / t``,
    averaged over the batch. :meth:`forward` sums it over (query, key) pairs,
    so the symmetric loss is ``head([q1, q2], [k2, k1], queue)`` and the
    asymmetric one ``head([q1], [k2], queue)``.

    Args:
        temperature (float): The temperature ``t``. Defaults to 0.2.
    """

    def __init__(self, temperature: float = 0.2) -> None:
        super().__init__()
        if temperature <= 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        self.temperature = temperature

    def logits(self, query: torch.Tensor, key: torch.Tensor,
               queue: torch.Tensor) -> torch.Tensor:
        """Logits ``(N, 1 + K)``: positive first, then the ``(K, C)`` queue."""
        pos = (query * key).sum(dim=1, keepdim=True)
        neg = query @ queue.t()
        return torch.cat([pos, neg], dim=1) / self.temperature

    def infonce(self, query: torch.Tensor, key: torch.Tensor,
                queue: torch.Tensor) -> torch.Tensor:
        """Mean InfoNCE loss of ``query`` (N, C) against ``key`` (N, C)."""
        logits = self.logits(query, key, queue)
        labels = torch.zeros(
            len(logits), dtype=torch.long, device=logits.device)
        return F.cross_entropy(logits, labels)

    def loss_terms(self, queries: Sequence[torch.Tensor],
                   keys: Sequence[torch.Tensor],
                   queue: torch.Tensor) -> List[torch.Tensor]:
        """:meth:`infonce` of each (query, positive key) pair."""
        if len(queries) != len(keys) or not queries:
            raise ValueError('queries and keys must be non-empty and pair up; '
                             f'got {len(queries)} and {len(keys)}')
        return [self.infonce(q, k, queue) for q, k in zip(queries, keys)]

    def forward(
            self,
            queries: Sequence[torch.Tensor],
            keys: Sequence[torch.Tensor],
            queue: torch.Tensor,
            return_terms: bool = False
    ) -> Union[torch.Tensor, List[torch.Tensor]]:
        """Sum of :meth:`infonce` over the (query, positive key) pairs, or
        the list of terms with ``return_terms=True`` (through ``forward``,
        so that module hooks and fp32 wrappers see every call)."""
        terms = self.loss_terms(queries, keys, queue)
        return terms if return_terms else sum(terms)
