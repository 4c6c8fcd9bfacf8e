"""MoCo v2+ and S-MoCo v2+ (Huang, Kong, Zhang, ECCV 2022)."""
from typing import Dict, List, Optional, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import ExponentialMovingAverage
from mmselfsup.models.algorithms.base import BaseModel
from mmselfsup.registry import MODELS
from mmselfsup.structures import SelfSupDataSample
from mmselfsup.utils import (batch_shuffle_ddp, batch_unshuffle_ddp,
                             concat_all_gather)

ENQUEUE_MODES = ('random_view', 'both')


@MODELS.register_module()
class MoCoV2Plus(BaseModel):
    """MoCo v2+: the whole Fig. 2 ladder from MoCo v2, one switch a rung.

    Student: backbone -> neck (projector) -> predictor (optional). Teacher:
    an EMA copy of backbone -> neck, plus the predictor when
    ``teacher_predictor=True`` (S-MoCo v2+). Queries and keys are
    L2-normalised; negatives are a FIFO queue of teacher keys kept as
    buffers, so it is saved and resumed with the model.

    Teacher momentum ``m`` follows the paper: ``teacher <- m * teacher +
    (1 - m) * student``. :class:`MomentumAscendingHook` raises it along a
    cosine; without the hook it stays at ``base_momentum``. The teacher is an
    :class:`mmengine.model.ExponentialMovingAverage`, whose ``momentum``
    attribute is ``1 - m`` (mmengine's convention).

    Enqueue: the authors' code enqueues the keys of ONE randomly chosen view
    per step (``'random_view'``, N keys, the default); the paper's text says
    all teacher keys (``'both'``, 2N keys). Keys are gathered across ranks
    first, so every rank holds the same queue. With the asymmetric loss only
    view 2 goes through the teacher and its keys are enqueued.

    Args:
        backbone (dict): Backbone config.
        neck (dict): Projector config (e.g. ``NonLinearNeck``).
        head (dict): Loss head config (``SymmetricContrastiveHead``).
        predictor (dict, optional): Student predictor config; ``None`` for
            none (MoCo v2). Defaults to None.
        teacher_predictor (bool): Give the teacher a (momentum) predictor
            too: S-MoCo v2+. Needs ``predictor``. Defaults to False.
        symmetric_loss (bool): ``L(q1, k2) + L(q2, k1)`` (summed, as the
            authors' code) instead of ``L(q1, k2)``. Defaults to True.
        shuffle_bn (bool): MoCo's ShuffleBN for the teacher (only meaningful
            with plain BN across several processes). Defaults to False.
        queue_len (int): Number of negative keys; any number of keys up to
            it can be enqueued per step (wrapping around). Defaults to
            65536.
        feat_dim (int): Dimension of the keys. Defaults to 256.
        base_momentum (float): Teacher momentum ``m`` (initial value when the
            hook is used). Defaults to 0.99.
        enqueue (str): ``'random_view'`` or ``'both'``.
            Defaults to ``'random_view'``.
        data_preprocessor (dict, optional): Defaults to
            ``SelfSupDataPreprocessor``.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 predictor: Optional[dict] = None,
                 teacher_predictor: bool = False,
                 symmetric_loss: bool = True,
                 shuffle_bn: bool = False,
                 queue_len: int = 65536,
                 feat_dim: int = 256,
                 base_momentum: float = 0.99,
                 enqueue: str = 'random_view',
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[List[dict], dict]] = None) -> None:
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        if enqueue not in ENQUEUE_MODES:
            raise ValueError(f'enqueue must be one of {ENQUEUE_MODES}, got '
                             f'{enqueue!r}')
        if teacher_predictor and predictor is None:
            raise ValueError('teacher_predictor=True (S-MoCo v2+) needs a '
                             'predictor config')
        if not 0.0 < base_momentum < 1.0:
            raise ValueError(f'base_momentum must be in (0, 1), got '
                             f'{base_momentum}')
        self.predictor = MODELS.build(predictor) if predictor else None
        self.teacher_predictor = teacher_predictor
        self.symmetric_loss = symmetric_loss
        self.shuffle_bn = shuffle_bn
        self.enqueue = enqueue
        self.queue_len = queue_len

        # mmengine EMA: momentum = 1 - m. Deep-copied: an exact copy of the
        # student, with requires_grad off.
        self.teacher = ExponentialMovingAverage(
            self.student_sequence(), momentum=1.0 - base_momentum)

        self.register_buffer(
            'queue', F.normalize(torch.randn(queue_len, feat_dim), dim=1))
        self.register_buffer('queue_ptr', torch.zeros(1, dtype=torch.long))

    # The paper's m (weight of the teacher); the EMA stores 1 - m.
    @property
    def teacher_momentum(self) -> float:
        return 1.0 - float(self.teacher.momentum)

    @teacher_momentum.setter
    def teacher_momentum(self, m: float) -> None:
        self.teacher.momentum = 1.0 - float(m)

    def student_sequence(self) -> nn.Sequential:
        """The student modules the teacher averages, in teacher order."""
        parts = [self.backbone, self.neck]
        if self.teacher_predictor:
            parts.append(self.predictor)
        return nn.Sequential(*parts)

    def init_weights(self) -> None:
        """Initialise the student, then make the teacher an exact copy."""
        super().init_weights()
        self.teacher.module.load_state_dict(
            self.student_sequence().state_dict())

    def extract_feat(self, inputs: List[torch.Tensor], **kwargs) -> tuple:
        """Backbone features of the first view."""
        return self.backbone(inputs[0])

    def _query(self, img: torch.Tensor) -> torch.Tensor:
        z = self.neck(self.backbone(img))
        if self.predictor is not None:
            z = self.predictor(z)
        return F.normalize(z[0], dim=1)

    @torch.no_grad()
    def _key(self, img: torch.Tensor) -> torch.Tensor:
        if self.shuffle_bn:
            img, idx_unshuffle = batch_shuffle_ddp(img)
        k = F.normalize(self.teacher(img)[0], dim=1)
        if self.shuffle_bn:
            k = batch_unshuffle_ddp(k, idx_unshuffle)
        return k

    @torch.no_grad()
    def _dequeue_and_enqueue(self, keys: torch.Tensor) -> None:
        """FIFO update with the keys of all ranks (in rank order).

        Any number of keys up to ``queue_len`` per step: writing wraps
        around the end of the buffer, so the oldest keys are always the
        ones replaced (the queue read from ``queue_ptr`` on is oldest
        first), as the authors' code.
        """
        keys = concat_all_gather(keys.contiguous())
        n = keys.shape[0]
        both = self.enqueue == 'both' and self.symmetric_loss
        if n > self.queue_len:
            raise ValueError(
                f'the keys enqueued per step ({n}: batch size x ranks'
                f'{" x 2 views" if both else ""}) exceed queue_len '
                f'({self.queue_len})')
        ptr = int(self.queue_ptr)
        idx = torch.arange(
            ptr, ptr + n, device=self.queue.device) % self.queue_len
        self.queue[idx] = keys.to(self.queue.dtype)
        self.queue_ptr[0] = (ptr + n) % self.queue_len

    def loss(self, inputs: List[torch.Tensor],
             data_samples: List[SelfSupDataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """InfoNCE of student queries against teacher keys and the queue."""
        img1, img2 = inputs[0], inputs[1]
        q1 = self._query(img1)
        # The teacher is updated with the current student before computing
        # keys, as mmselfsup's MoCo; its first update copies the student.
        self.teacher.update_parameters(self.student_sequence())
        queue = self.queue.clone().detach()
        terms = {}
        if self.symmetric_loss:
            q2 = self._query(img2)
            k1, k2 = self._key(img1), self._key(img2)
            t12, t21 = self.head([q1, q2], [k2, k1], queue, return_terms=True)
            loss = sum([t12, t21])  # = head([q1, q2], [k2, k1], queue)
            # logged next to their sum; no 'loss' in the names, since
            # mmengine adds every '*loss*' entry into the total
            terms = dict(infonce_q1k2=t12.detach(), infonce_q2k1=t21.detach())
            if self.enqueue == 'both':
                keys = torch.cat([k1, k2])
            else:
                keys = (k1, k2)[int(torch.randint(2, ()))]
        else:
            k2 = self._key(img2)
            loss = self.head([q1], [k2], queue)
            keys = k2
        self._dequeue_and_enqueue(keys)
        return dict(loss=loss, **terms)
