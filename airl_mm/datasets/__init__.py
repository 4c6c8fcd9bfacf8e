# The hosts first, clash-free, whichever way this package is reached (fixes
# 1 and 2 of airl_mm.compat; `import airl_mm.register` registers the rest).
from ..compat import import_hosts as _import_hosts

_import_hosts()

from .cifar_lt import CIFAR10LT, CIFAR100LT, OfflineCIFAR10, OfflineCIFAR100
from .class_subset import (ClassSubset, iteration_preserving_epochs,
                           kept_classes)
from .long_tail import MNISTDigitsLT, long_tail_counts, long_tail_indices
from .mnist_digits import MNISTDigits, load_mnist_digits, split_indices
from .stl10 import STL10, read_stl10_images, write_stl10_split
from .taxonomy import TAXONOMIES, Taxonomy, load_taxonomy
from .taxonomy_relabel import TaxonomyRelabel
from .transforms import (FastColorJitter, FastRandomFlip,
                         FastRandomGaussianBlur, FastRandomGrayscale,
                         FastRandomResizedCrop, FastRandomSolarize)

__all__ = [
    'MNISTDigits', 'STL10', 'load_mnist_digits', 'read_stl10_images',
    'split_indices', 'write_stl10_split', 'FastColorJitter', 'FastRandomFlip',
    'FastRandomGaussianBlur', 'FastRandomGrayscale', 'FastRandomResizedCrop',
    'FastRandomSolarize', 'MNISTDigitsLT', 'long_tail_counts',
    'long_tail_indices', 'CIFAR10LT', 'CIFAR100LT', 'OfflineCIFAR10',
    'OfflineCIFAR100', 'ClassSubset', 'iteration_preserving_epochs',
    'kept_classes', 'TAXONOMIES', 'Taxonomy', 'TaxonomyRelabel',
    'load_taxonomy'
]
