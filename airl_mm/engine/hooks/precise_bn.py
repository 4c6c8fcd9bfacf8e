"""PreciseBN (detectron2's ``TEST.PRECISE_BN``) for mmdet/mmseg loaders.

After training (and before each validation) the BN running statistics are
recomputed as the true average of per-batch statistics over a fixed number
of training images, with the weights frozen: detectron2's protocol, which
MoCo's and the authors' transfer benchmarks use.

mmpretrain's ``PreciseBNHook`` divides by ``dataloader.batch_size``, which
is ``None`` under mmdet's ``AspectRatioBatchSampler`` (it crashes on every
detection loader), iterates the training loader itself (resetting its
persistent workers, advancing the infinite sampler the training reads) and
runs the model in ``'tensor'`` mode, where a detector's RoI head sees test
proposals rather than the sampled training RoIs. This hook reads the batch
size from the batch sampler, draws its batches from a loader of its own (a
fresh, seeded, rank-aware sampler over the same dataset, the same kind of
batch sampler and collate function) and runs the model in ``'loss'`` mode,
as detectron2 runs it in training mode.
"""
import logging
import math
from typing import Optional, Sequence

import torch
import torch.nn as nn
from mmengine.dataset import DefaultSampler
from mmengine.dist import all_reduce, get_dist_info
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.runner import EpochBasedTrainLoop
from mmpretrain.utils import get_ori_model
from mmselfsup.registry import HOOKS
from torch.nn.modules.batchnorm import _BatchNorm
from torch.utils.data import BatchSampler, DataLoader

DATA_BATCH = Optional[Sequence[dict]]


def loader_batch_size(loader: DataLoader) -> int:
    """The per-process batch size of a loader, whether the ``DataLoader``
    batches (``batch_size``) or a batch sampler does (mmdet's
    ``AspectRatioBatchSampler``: ``loader.batch_size`` is None).

    Raises:
        ValueError: neither holds a batch size.
    """
    if loader.batch_size is not None:
        return int(loader.batch_size)
    size = getattr(loader.batch_sampler, 'batch_size', None)
    if size is None:
        raise ValueError(
            f'PreciseBN: cannot tell the batch size of the training loader '
            f'(batch_size is None and its batch sampler '
            f'{type(loader.batch_sampler).__name__} has no batch_size)')
    return int(size)


def precise_bn_loader(loader: DataLoader, seed: int = 0) -> DataLoader:
    """A loader over the training set of ``loader`` for PreciseBN alone.

    Same dataset, collate function, workers and kind of batch sampler (so
    aspect-ratio grouping, hence padding, is as in training), but a fresh
    finite :class:`~mmengine.dataset.DefaultSampler` (shuffled with
    ``seed``, this rank's share): iterating it leaves the training loader,
    its workers and its sampler untouched.
    """
    batch_size = loader_batch_size(loader)
    sampler = DefaultSampler(loader.dataset, shuffle=True, seed=seed)
    old = loader.batch_sampler
    if old is not None and type(old) is not BatchSampler and \
            hasattr(old, 'sampler'):
        # mmdet's AspectRatioBatchSampler(sampler, batch_size, drop_last):
        # a new one, so its aspect-ratio buckets are its own.
        batch_sampler = type(old)(
            sampler,
            batch_size=batch_size,
            drop_last=getattr(old, 'drop_last', True))
    else:
        batch_sampler = BatchSampler(sampler, batch_size, drop_last=True)
    return DataLoader(
        loader.dataset,
        batch_sampler=batch_sampler,
        collate_fn=loader.collate_fn,
        num_workers=loader.num_workers,
        worker_init_fn=loader.worker_init_fn,
        pin_memory=loader.pin_memory)


def bn_layers(model: nn.Module) -> list:
    """The BN layers that track running statistics (SyncBN included)."""
    return [
        m for m in model.modules()
        if isinstance(m, _BatchNorm) and m.track_running_stats
    ]


@torch.no_grad()
def update_bn_stats(model: nn.Module,
                    loader: DataLoader,
                    num_iters: int,
                    logger='current') -> int:
    """Set every BN's running mean/var to the average of the per-batch
    statistics of ``num_iters`` batches of ``loader`` (all ranks averaged).

    The model runs in training mode (``mode='loss'``, so a detector's RoI
    head sees the RoIs it trains on) without gradients; BN momenta are
    restored afterwards. Returns the number of batches used.

    Raises:
        ValueError: ``loader`` yields no batch.
    """
    model = get_ori_model(model)
    layers = bn_layers(model)
    if not layers:
        print_log(
            'PreciseBN: no BN layer in the model',
            logger=logger,
            level=logging.WARNING)
        return 0
    was_training = model.training
    model.train()
    momenta = [bn.momentum for bn in layers]
    means = [torch.zeros_like(bn.running_mean) for bn in layers]
    variances = [torch.zeros_like(bn.running_var) for bn in layers]
    for bn in layers:
        # momentum 1: after a forward, running_* ARE that batch's statistics
        bn.momentum = 1.0
    seen = 0
    try:
        for data in loader:
            if seen == num_iters:
                break
            data = model.data_preprocessor(data, True)
            model(**data, mode='loss')
            for i, bn in enumerate(layers):
                means[i] += bn.running_mean
                variances[i] += bn.running_var
            seen += 1
    finally:
        for bn, m in zip(layers, momenta):
            bn.momentum = m
        model.train(was_training)
    if seen == 0:
        raise ValueError('PreciseBN: the training loader yielded no batch')
    _, world_size = get_dist_info()
    for i, bn in enumerate(layers):
        mean, var = means[i] / seen, variances[i] / seen
        if world_size > 1:
            all_reduce(mean, op='mean')
            all_reduce(var, op='mean')
        bn.running_mean.copy_(mean)
        bn.running_var.copy_(var)
    print_log(
        f'PreciseBN: statistics of {len(layers)} BN layers recomputed '
        f'over {seen} batches',
        logger=logger)
    return seen


@HOOKS.register_module()
class PreciseBNHook(Hook):
    """Recompute BN statistics before each validation and after training.

    Works with mmdet's aspect-ratio batch sampler and mmseg's plain loaders
    (see the module docstring for what differs from mmpretrain's hook).
    Configs of any scope name it ``type='mmselfsup.PreciseBNHook'``.

    Args:
        num_samples (int): Training images over all ranks (detectron2:
            ``NUM_ITER`` 200 x the total batch). Defaults to 3200.
        interval (int): Also run every ``interval`` iterations (epochs for
            an epoch-based loop); it always runs after the last one. Use the
            loop's ``val_interval`` so each validation sees precise
            statistics. Defaults to None (after the last one only).
        seed (int): Shuffling seed of the PreciseBN loader. Defaults to 0.
    """

    priority = 'ABOVE_NORMAL'  # before CheckpointHook saves the weights

    def __init__(self,
                 num_samples: int = 3200,
                 interval: Optional[int] = None,
                 seed: int = 0) -> None:
        if num_samples <= 0:
            raise ValueError(f'PreciseBNHook: num_samples must be > 0, got '
                             f'{num_samples}')
        if interval is not None and interval <= 0:
            raise ValueError(f'PreciseBNHook: interval must be > 0, got '
                             f'{interval}')
        self.num_samples = num_samples
        self.interval = interval
        self.seed = seed

    def num_iters(self, loader: DataLoader) -> int:
        """Batches per rank that cover ``num_samples`` images in total."""
        _, world_size = get_dist_info()
        return max(
            1,
            math.ceil(self.num_samples /
                      (loader_batch_size(loader) * world_size)))

    def run(self, runner) -> None:
        """Recompute the statistics on ``runner``'s training set."""
        loader = runner.train_loop.dataloader
        update_bn_stats(
            runner.model,
            precise_bn_loader(loader, self.seed + runner.iter),
            self.num_iters(loader),
            logger=runner.logger)

    def _due(self, runner, by_epoch: bool) -> bool:
        loop = runner.train_loop
        if by_epoch != isinstance(loop, EpochBasedTrainLoop):
            return False
        if by_epoch:
            done, last = runner.epoch + 1, loop.max_epochs
        else:
            done, last = runner.iter + 1, loop.max_iters
        return done == last or (self.interval is not None
                                and done % self.interval == 0)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: DATA_BATCH = None,
                         outputs: Optional[dict] = None) -> None:
        if self._due(runner, by_epoch=False):
            self.run(runner)

    def after_train_epoch(self, runner) -> None:
        if self._due(runner, by_epoch=True):
            self.run(runner)
