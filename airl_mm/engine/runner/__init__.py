from .airl_runner import AirlRunner
from .random_state import (PerSampleSeedDataset, PerSampleSeedSampler,
                           get_rng_state, restore_rng_state, set_rng_state)

__all__ = [
    'AirlRunner', 'PerSampleSeedDataset', 'PerSampleSeedSampler',
    'get_rng_state', 'restore_rng_state', 'set_rng_state'
]
