"""Random state that a resumed run needs to continue the run it came from.

Two parts:

* the main process's Python / NumPy / torch / CUDA generators, saved in
  every checkpoint (one entry per rank) and restored on resume
  (:func:`get_rng_state`, :func:`set_rng_state`, :func:`restore_rng_state`);
* the augmentations, seeded per sample from ``(seed, epoch, index, n)``
  (``n``: how often the sampler already gave ``index`` this epoch) by
  :class:`PerSampleSeedSampler` and :class:`PerSampleSeedDataset`. A sample's
  augmentation then depends neither on the data-loading worker that draws
  it, nor on how many workers there are or whether they persist, nor on
  what happened before a resume; epochs differ from each other.
"""
import logging
import random
from typing import Iterator, List, Optional, Sequence

import numpy as np
import torch
from mmengine.logging import print_log
# Registered in mmengine's root registries (not mmselfsup's): the wrappers
# serve every scope the Runner may train in (mmselfsup, mmcls fine-tuning,
# mmdet/mmseg), and each scope's registry falls back to its root.
from mmengine.registry import DATA_SAMPLERS, DATASETS
from torch.utils.data import get_worker_info

RNG_KEY = 'rng_state'


def get_rng_state() -> dict:
    """This process's generator states, as tensors and tuples only (so a
    weights-only load reads them back)."""
    _, keys, pos, has_gauss, gauss = np.random.get_state()
    state = dict(
        python=random.getstate(),
        numpy=dict(
            keys=torch.from_numpy(keys.astype(np.int64)),
            pos=pos,
            has_gauss=has_gauss,
            gauss=gauss),
        torch=torch.get_rng_state())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def _as_tuple(x):
    return tuple(_as_tuple(v) for v in x) if isinstance(x, list) else x


def set_rng_state(state: dict) -> None:
    """Restore what :func:`get_rng_state` returned."""
    random.setstate(_as_tuple(state['python']))
    npst = state['numpy']
    np.random.set_state(
        ('MT19937', npst['keys'].cpu().numpy().astype(np.uint32),
         int(npst['pos']), int(npst['has_gauss']), float(npst['gauss'])))
    torch.set_rng_state(state['torch'].cpu())
    if 'cuda' in state and torch.cuda.is_available():
        cuda = [s.cpu() for s in state['cuda']]
        if len(cuda) == torch.cuda.device_count():
            torch.cuda.set_rng_state_all(cuda)
        else:
            print_log(
                f'checkpoint holds {len(cuda)} CUDA generator states, this '
                f'process sees {torch.cuda.device_count()} devices: CUDA '
                'random state not restored',
                logger='current',
                level=logging.WARNING)


def restore_rng_state(meta: dict,
                      rank: int,
                      source: str = 'checkpoint') -> bool:
    """Restore ``rank``'s state from checkpoint ``meta``; warn and return
    False when the checkpoint predates it (or holds fewer ranks)."""
    states: Optional[Sequence[dict]] = meta.get(RNG_KEY)
    if not states:
        print_log(
            f'{source} holds no random state (written before airl_mm saved '
            'it): the resumed run draws new augmentations and random '
            'choices from here on, so it will not repeat the interrupted '
            'run exactly',
            logger='current',
            level=logging.WARNING)
        return False
    if rank >= len(states):
        print_log(
            f'{source} holds the random state of {len(states)} processes, '
            f'this is rank {rank}: it keeps its freshly seeded state',
            logger='current',
            level=logging.WARNING)
        return False
    set_rng_state(states[rank])
    return True


def sample_seeds(key: Sequence[int]) -> List[int]:
    """Seeds for Python, NumPy and torch from the non-negative ints
    ``key`` (e.g. ``(seed, epoch, index, n)``)."""
    words = np.random.SeedSequence([int(k) for k in key
                                    ]).generate_state(4, np.uint32)
    return [
        int(words[0]),
        int(words[1]), (int(words[2]) << 32 | int(words[3])) & (2**63 - 1)
    ]


def seed_everything_from(key: Sequence[int]) -> None:
    """Seed Python's, NumPy's and torch's global generators from ``key``."""
    py, npy, th = sample_seeds(key)
    random.seed(py)
    np.random.seed(npy)
    # the CPU generator only: augmentations run on the CPU, and seeding
    # CUDA here would queue a seed for a device not yet initialised
    torch.default_generator.manual_seed(th)


@DATASETS.register_module()
class PerSampleSeedDataset(torch.utils.data.Dataset):
    """Seeds the generators from the key before each sample's pipeline.

    Indexed with ``(seed, epoch, index, n)`` (what
    :class:`PerSampleSeedSampler` yields) it seeds Python, NumPy and torch
    from the key and returns ``dataset[index]``; indexed with an int it is
    ``dataset``. In the main process (``num_workers=0``) the generators are
    put back afterwards, so the training step draws what it would draw with
    workers. Every other attribute is the wrapped dataset's.

    Args:
        dataset (dict | Dataset): The dataset (config).
    """

    def __init__(self, dataset) -> None:
        if isinstance(dataset, dict):
            dataset = DATASETS.build(dataset)
        self.dataset = dataset

    def __len__(self) -> int:
        return len(self.dataset)

    def __getattr__(self, name):
        # only called for attributes this wrapper lacks; 'dataset' itself
        # is missing while unpickling, before __dict__ is restored
        if name == 'dataset':
            raise AttributeError(name)
        return getattr(self.dataset, name)

    def __getitem__(self, key):
        if not isinstance(key, tuple):
            return self.dataset[key]
        index = key[2]
        if get_worker_info() is not None:
            seed_everything_from(key)
            return self.dataset[index]
        saved = get_rng_state()
        try:
            seed_everything_from(key)
            return self.dataset[index]
        finally:
            set_rng_state(saved)


@DATA_SAMPLERS.register_module()
class PerSampleSeedSampler(torch.utils.data.Sampler):
    """Yields ``(seed, epoch, index, n)`` for each index of ``sampler``.

    ``n`` counts how often ``index`` came before in this pass (samplers
    that pad or repeat indices), so that every draw has its own key.

    Args:
        sampler (dict): The sampler config (e.g. ``DefaultSampler``).
        dataset: The dataset (given by the Runner).
        seed (int, optional): The run's seed (given by the Runner).
    """

    def __init__(self,
                 sampler: dict,
                 dataset,
                 seed: Optional[int] = None) -> None:
        self.sampler = DATA_SAMPLERS.build(
            sampler, default_args=dict(dataset=dataset, seed=seed))
        self.seed = 0 if seed is None else int(seed) % 2**63
        self.epoch = 0
        self.size = len(dataset)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch
        if hasattr(self.sampler, 'set_epoch'):
            self.sampler.set_epoch(epoch)

    def set_seed(self, seed: int) -> None:
        """The run's seed changed (a resumed run takes its checkpoint's)."""
        self.seed = int(seed) % 2**63
        if hasattr(self.sampler, 'seed'):
            self.sampler.seed = seed

    def __len__(self) -> int:
        return len(self.sampler)

    def __iter__(self) -> Iterator[tuple]:
        counts = np.zeros(self.size, dtype=np.int64)
        seed, epoch = self.seed, self.epoch
        for index in self.sampler:
            index = int(index)
            n = int(counts[index])
            counts[index] += 1
            yield (seed, epoch, index, n)


def seed_per_sample(dataloader_cfg: dict) -> dict:
    """Wrap the dataset and sampler configs of a train dataloader config in
    :class:`PerSampleSeedDataset` / :class:`PerSampleSeedSampler`.

    Loaders with a ``batch_sampler`` (which read the dataset by index) or an
    already built dataset or sampler are returned as they are, with a
    warning. ``per_sample_seed=False`` in the config turns this off.
    """
    cfg = dict(dataloader_cfg)
    if not cfg.pop('per_sample_seed', True):
        return cfg
    dataset, sampler = cfg.get('dataset'), cfg.get('sampler')
    if isinstance(dataset, dict) and \
            dataset.get('type') == 'PerSampleSeedDataset':
        return cfg
    if cfg.get('batch_sampler') is not None or \
            not isinstance(dataset, dict) or not isinstance(sampler, dict):
        print_log(
            'train_dataloader: augmentations not seeded per sample (needs '
            'dataset and sampler configs and no batch_sampler); a resumed '
            'run will draw different augmentations',
            logger='current',
            level=logging.WARNING)
        return cfg
    cfg['dataset'] = dict(type='PerSampleSeedDataset', dataset=dataset)
    cfg['sampler'] = dict(type='PerSampleSeedSampler', sampler=sampler)
    return cfg
