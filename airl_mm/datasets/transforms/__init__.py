"""Data transforms: fast drop-in versions of the Table-5 view transforms."""
from .fast_augment import (TOLERANCE, FastColorJitter, FastRandomFlip,
                           FastRandomGaussianBlur, FastRandomGrayscale,
                           FastRandomResizedCrop, FastRandomSolarize, seed_all)

__all__ = [
    'TOLERANCE', 'FastColorJitter', 'FastRandomFlip', 'FastRandomGaussianBlur',
    'FastRandomGrayscale', 'FastRandomResizedCrop', 'FastRandomSolarize',
    'seed_all'
]
