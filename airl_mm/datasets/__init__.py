# The host glue first, whichever way this package is reached (see airl_mm).
from ..compat import apply as _apply_host_glue

_apply_host_glue()

from .mnist_digits import MNISTDigits, load_mnist_digits, split_indices
from .transforms import (FastColorJitter, FastRandomFlip,
                         FastRandomGaussianBlur, FastRandomGrayscale,
                         FastRandomResizedCrop, FastRandomSolarize)

__all__ = [
    'MNISTDigits', 'load_mnist_digits', 'split_indices', 'FastColorJitter',
    'FastRandomFlip', 'FastRandomGaussianBlur', 'FastRandomGrayscale',
    'FastRandomResizedCrop', 'FastRandomSolarize'
]
