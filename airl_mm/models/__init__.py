from .algorithms import MoCoV2Plus
from .heads import SymmetricContrastiveHead

__all__ = ['MoCoV2Plus', 'SymmetricContrastiveHead']
