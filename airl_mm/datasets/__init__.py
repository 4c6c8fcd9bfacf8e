from .mnist_digits import MNISTDigits, load_mnist_digits, split_indices

__all__ = ['MNISTDigits', 'load_mnist_digits', 'split_indices']
