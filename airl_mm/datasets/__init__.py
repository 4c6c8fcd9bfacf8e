# The host glue first, whichever way this package is reached (see airl_mm).
from ..compat import apply as _apply_host_glue

_apply_host_glue()

from .cifar_lt import CIFAR10LT, CIFAR100LT, OfflineCIFAR10, OfflineCIFAR100
from .class_subset import (ClassSubset, iteration_preserving_epochs,
                           kept_classes)
from .long_tail import MNISTDigitsLT, long_tail_counts, long_tail_indices
from .mnist_digits import MNISTDigits, load_mnist_digits, split_indices

__all__ = [
    'MNISTDigits', 'load_mnist_digits', 'split_indices', 'MNISTDigitsLT',
    'long_tail_counts', 'long_tail_indices', 'CIFAR10LT', 'CIFAR100LT',
    'OfflineCIFAR10', 'OfflineCIFAR100', 'ClassSubset',
    'iteration_preserving_epochs', 'kept_classes'
]
