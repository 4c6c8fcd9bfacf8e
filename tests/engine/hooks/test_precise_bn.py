"""PreciseBN on a loader batched by mmdet's AspectRatioBatchSampler (where
``DataLoader.batch_size`` is None: mmpretrain's hook divides by it)."""
import itertools

import pytest
import torch
import torch.nn as nn
from mmdet.datasets.samplers import AspectRatioBatchSampler
from mmengine.dataset import InfiniteSampler, pseudo_collate
from mmengine.model import BaseModel
from torch.utils.data import DataLoader, Dataset

from airl_mm.engine.hooks.precise_bn import (PreciseBNHook, loader_batch_size,
                                             precise_bn_loader,
                                             update_bn_stats)


class Shapes(Dataset):
    """Images of two aspect ratios, as detection sets have."""

    def __init__(self, n=12):
        g = torch.Generator().manual_seed(0)
        self.items = [
            torch.randn(3, 8, 12 if i % 3 else 6, generator=g) * 3 + i
            for i in range(n)
        ]

    def __len__(self):
        return len(self.items)

    def get_data_info(self, i):
        h, w = self.items[i].shape[1:]
        return dict(height=h, width=w)

    def __getitem__(self, i):
        return dict(inputs=self.items[i], data_samples=i)


class TinyNet(BaseModel):

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.bn = nn.BatchNorm2d(4)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        assert mode == 'loss'  # run as in training
        # same-shape batches (aspect-ratio grouping), as mmdet pads them
        x = self.bn(self.conv(torch.stack(inputs)))
        return dict(loss=x.mean())


def _loader(ds):
    return DataLoader(
        ds,
        batch_sampler=AspectRatioBatchSampler(
            InfiniteSampler(ds, seed=1), batch_size=2),
        collate_fn=pseudo_collate)


def test_stats_are_the_average_of_batch_stats():
    torch.manual_seed(0)
    ds, model = Shapes(), TinyNet()
    loader = _loader(ds)
    assert loader.batch_size is None and loader_batch_size(loader) == 2
    # independent: conv outputs of the batches the PreciseBN loader yields
    batches = list(itertools.islice(precise_bn_loader(loader, seed=5), 3))
    with torch.no_grad():
        outs = [model.conv(torch.stack(b['inputs'])) for b in batches]
    mean = torch.stack([o.mean((0, 2, 3)) for o in outs]).mean(0)
    var = torch.stack([
        o.transpose(0, 1).flatten(1).var(1, unbiased=True) for o in outs
    ]).mean(0)
    model.eval()
    used = update_bn_stats(model, precise_bn_loader(loader, seed=5), 3)
    assert used == 3
    assert torch.allclose(model.bn.running_mean, mean, atol=1e-5)
    assert torch.allclose(model.bn.running_var, var, rtol=1e-4)
    assert model.bn.momentum == 0.1 and not model.training


def test_training_loader_left_alone():
    ds = Shapes()
    loader, twin = _loader(ds), _loader(ds)
    update_bn_stats(TinyNet(), precise_bn_loader(loader), 4)
    # the training stream continues exactly as an untouched twin's
    first = [b['data_samples'] for b in itertools.islice(loader, 3)]
    assert first == [b['data_samples'] for b in itertools.islice(twin, 3)]


def test_hook_batches_cover_num_samples(monkeypatch):
    hook = PreciseBNHook(num_samples=7)
    loader = _loader(Shapes())
    assert hook.num_iters(loader) == 4  # ceil(7 / 2)
    monkeypatch.setattr('airl_mm.engine.hooks.precise_bn.get_dist_info',
                        lambda: (0, 2))
    assert hook.num_iters(loader) == 2  # ceil(7 / (2 x 2 ranks))
    with pytest.raises(ValueError, match='num_samples'):
        PreciseBNHook(num_samples=0)
