"""Random state in checkpoints and per-sample augmentation seeds."""
import random

import numpy as np
import pytest
import torch
from mmengine.dataset import DefaultSampler
from mmengine.logging import MMLogger
from torch.utils.data import DataLoader

from airl_mm.checkpoint import load_checkpoint_file, save_checkpoint_file
from airl_mm.engine.runner import (PerSampleSeedDataset, PerSampleSeedSampler,
                                   get_rng_state, restore_rng_state,
                                   set_rng_state)
from airl_mm.engine.runner.random_state import seed_per_sample

PIPELINE = [
    dict(
        type='MultiView',
        num_views=2,
        transforms=[[
            dict(type='RandomResizedCrop', size=16, backend='cv2'),
            dict(type='RandomSolarize', threshold=128, prob=0.5)
        ]]),
    dict(type='PackSelfSupInputs', meta_keys=['img_shape'])
]
DIGITS = dict(type='MNISTDigits', split='train', indices=12, pipeline=PIPELINE)


def draws():
    return (random.random(), float(np.random.rand()), float(torch.rand(())))


def test_rng_state_round_trips_through_a_weights_only_checkpoint(tmp_path):
    random.seed(1), np.random.seed(2), torch.manual_seed(3)
    np.random.randn()  # leaves a cached gaussian in NumPy's state
    state = get_rng_state()
    want = draws()
    save_checkpoint_file({'meta': {'rng_state': [state]}}, tmp_path / 'c')
    loaded = load_checkpoint_file(tmp_path / 'c')['meta']['rng_state']
    random.seed(9), np.random.seed(9), torch.manual_seed(9)
    assert draws() != want
    assert restore_rng_state({'rng_state': loaded}, rank=0)
    assert draws() == want
    set_rng_state(state)
    assert draws() == want


def logged_warning(tmp_path, meta, rank):
    log = tmp_path / 'log.txt'
    MMLogger.get_instance(f'rng_{rank}_{len(meta)}', log_file=str(log))
    done = restore_rng_state(meta, rank, source='old.pth')
    return done, log.read_text()


def test_a_checkpoint_without_random_state_resumes_with_a_warning(tmp_path):
    done, text = logged_warning(tmp_path, {'epoch': 1}, 0)
    assert not done
    assert 'old.pth holds no random state' in text
    assert 'will not repeat the interrupted run exactly' in text
    done, text = logged_warning(tmp_path, {'rng_state': [get_rng_state()]}, 1)
    assert not done and 'random state of 1 processes, this is rank 1' in text


def sample(ds, key):
    return torch.stack(ds[key]['inputs'])


def test_each_epoch_draws_new_augmentations_and_a_seed_repeats_them():
    ds = PerSampleSeedDataset(DIGITS)
    assert len(ds) == 12 and ds.metainfo == ds.dataset.metainfo
    e0, e0_again = sample(ds, (0, 0, 5, 0)), sample(ds, (0, 0, 5, 0))
    e1 = sample(ds, (0, 1, 5, 0))
    other_seed = sample(ds, (1, 0, 5, 0))
    assert torch.equal(e0, e0_again)
    assert not torch.equal(e0, e1)
    assert not torch.equal(e0, other_seed)
    # the two views of one draw differ too
    assert not torch.equal(e0[0], e0[1])


def test_sampler_keys_follow_seed_epoch_and_repeats():
    ds = PerSampleSeedDataset(DIGITS)
    s = PerSampleSeedSampler(
        dict(type='DefaultSampler', shuffle=True), ds, seed=7)
    inner = DefaultSampler(ds, shuffle=True, seed=7)
    keys = list(s)
    assert [k[2] for k in keys] == list(inner)
    assert {k[:2] for k in keys} == {(7, 0)} and {k[3] for k in keys} == {0}
    s.set_epoch(3)
    inner.set_epoch(3)
    assert [k[2] for k in s] == list(inner)
    assert {k[1] for k in s} == {3}


def epoch_batches(num_workers, epoch):
    cfg = seed_per_sample(
        dict(
            dataset=DIGITS, sampler=dict(type='DefaultSampler', shuffle=True)))
    ds = PerSampleSeedDataset(cfg['dataset']['dataset'])
    sampler = PerSampleSeedSampler(cfg['sampler']['sampler'], ds, seed=0)
    sampler.set_epoch(epoch)
    loader = DataLoader(
        ds,
        batch_size=4,
        sampler=sampler,
        num_workers=num_workers,
        generator=torch.Generator(),  # as AirlRunner's
        collate_fn=lambda b: torch.stack([torch.stack(x['inputs'])
                                          for x in b]))
    return torch.cat(list(loader))


def test_augmentations_do_not_depend_on_the_workers():
    torch.manual_seed(0)
    before = torch.get_rng_state()
    main = epoch_batches(0, epoch=1)
    # in the main process the generators are put back after each sample
    assert torch.equal(torch.get_rng_state(), before)
    assert torch.equal(main, epoch_batches(2, epoch=1))
    assert not torch.equal(main, epoch_batches(0, epoch=2))


def test_seed_per_sample_wraps_configs_once_and_can_be_turned_off():
    cfg = dict(
        batch_size=2, dataset=DIGITS, sampler=dict(type='DefaultSampler'))
    wrapped = seed_per_sample(cfg)
    assert wrapped['dataset'] == dict(
        type='PerSampleSeedDataset', dataset=DIGITS)
    assert wrapped['sampler']['sampler'] == dict(type='DefaultSampler')
    assert seed_per_sample(wrapped) == wrapped
    off = seed_per_sample(dict(cfg, per_sample_seed=False))
    assert off == cfg and 'per_sample_seed' not in off


@pytest.mark.parametrize('bad', ['batch_sampler', 'built'])
def test_seed_per_sample_leaves_what_it_cannot_wrap(bad):
    cfg = dict(dataset=DIGITS, sampler=dict(type='DefaultSampler'))
    if bad == 'batch_sampler':
        cfg['batch_sampler'] = dict(type='AspectRatioBatchSampler')
    else:
        cfg['dataset'] = object()
    assert seed_per_sample(cfg) == cfg
