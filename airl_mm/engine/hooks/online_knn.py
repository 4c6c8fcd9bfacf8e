"""Weighted kNN top-1 of the student backbone during pre-training."""
import logging
from typing import Optional

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.dataset import default_collate
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmpretrain.utils import get_ori_model
from mmselfsup.registry import DATASETS, HOOKS

from ...evaluation.knn import knn_accuracy


def dataset_labels(dataset) -> np.ndarray:
    """The ``gt_label`` of every sample of an mmengine dataset, from its
    annotations (no pipeline run)."""
    labels = []
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        if 'gt_label' not in info:
            raise ValueError(f'{type(dataset).__name__} sample {i} has no '
                             "'gt_label': the kNN needs a labelled split")
        labels.append(int(np.asarray(info['gt_label']).reshape(-1)[0]))
    return np.asarray(labels)


@torch.no_grad()
def backbone_features(model, dataset, batch_size: int = 256) -> torch.Tensor:
    """L2-normalised, globally pooled last-stage features of ``dataset``.

    Samples go through the dataset's pipeline (ending in
    ``PackSelfSupInputs``) and the model's own data preprocessor, so the
    normalisation and channel order are the training ones.
    """
    backbone = model.backbone
    was_training = backbone.training
    backbone.eval()
    feats = []
    try:
        for start in range(0, len(dataset), batch_size):
            batch = default_collate([
                dataset[i]
                for i in range(start, min(start + batch_size, len(dataset)))
            ])
            inputs, _ = model.data_preprocessor(batch, False)
            out = backbone(inputs[0])[-1]
            if out.dim() > 2:
                out = out.flatten(2).mean(dim=2)
            feats.append(F.normalize(out.float(), dim=1).cpu())
    finally:
        backbone.train(was_training)
    return torch.cat(feats)


@HOOKS.register_module()
class OnlineKNNHook(Hook):
    """Every ``interval`` epochs, a weighted kNN top-1 of the student.

    The current student backbone embeds a small labelled ``memory`` split
    (the neighbours) and a ``query`` split (the scored images), both
    dataset configs whose pipelines end in ``PackSelfSupInputs``; the
    weighted kNN (InstDisc: ``exp(cos / T)`` votes of the ``k`` nearest) is
    :func:`airl_mm.evaluation.knn.knn_accuracy`. The top-1 (%) goes to the
    scalar log as ``knn_top1`` at the current iteration (like the loss) and
    to the text log. Only the main process evaluates (the others do not
    wait for it until their next collective); the datasets are built there.

    Args:
        memory (dict): Dataset config of the labelled neighbours.
        query (dict): Dataset config of the scored images.
        interval (int): Every ``interval`` epochs (and after the last one).
            Defaults to 1.
        k (int): Neighbours. Defaults to 20.
        temperature (float): Vote temperature. Defaults to 0.07.
        batch_size (int): Images per forward pass. Defaults to 256.
        before_training (bool): Also score the initial backbone.
            Defaults to False.
    """

    priority = 'LOW'

    def __init__(self,
                 memory: dict,
                 query: dict,
                 interval: int = 1,
                 k: int = 20,
                 temperature: float = 0.07,
                 batch_size: int = 256,
                 before_training: bool = False) -> None:
        if interval < 1:
            raise ValueError(f'interval must be >= 1, got {interval}')
        self.memory_cfg = memory
        self.query_cfg = query
        self.interval = interval
        self.k = k
        self.temperature = temperature
        self.batch_size = batch_size
        self.before_training = before_training
        self._data: Optional[tuple] = None

    def _datasets(self) -> tuple:
        if self._data is None:
            memory = DATASETS.build(self.memory_cfg)
            query = DATASETS.build(self.query_cfg)
            self._data = (memory, dataset_labels(memory), query,
                          dataset_labels(query))
        return self._data

    def evaluate(self, model) -> float:
        """kNN top-1 (%) of ``model``'s backbone on the query split."""
        memory, memory_labels, query, query_labels = self._datasets()
        model = get_ori_model(model)
        f_mem = backbone_features(model, memory, self.batch_size)
        f_query = backbone_features(model, query, self.batch_size)
        num_classes = int(max(memory_labels.max(), query_labels.max())) + 1
        return knn_accuracy(
            f_mem,
            memory_labels,
            f_query,
            query_labels,
            num_classes=num_classes,
            k=self.k,
            temperature=self.temperature)

    def _log(self, runner, epoch: int) -> None:
        if not is_main_process():
            return
        acc = self.evaluate(runner.model)
        print_log(
            f'OnlineKNNHook: after epoch {epoch} (iteration '
            f'{runner.iter}): weighted {self.k}-NN top-1 {acc:.2f}%',
            logger='current',
            level=logging.INFO)
        runner.visualizer.add_scalars(
            dict(knn_top1=acc, epoch=epoch, iter=runner.iter),
            step=runner.iter)

    def before_train(self, runner) -> None:
        if self.before_training:
            self._log(runner, runner.epoch)

    def after_train_epoch(self, runner) -> None:
        # runner.epoch counts finished epochs only after this hook.
        if (self.every_n_epochs(runner, self.interval)
                or self.is_last_train_epoch(runner)):
            self._log(runner, runner.epoch + 1)
