from .contrastive_head import SymmetricContrastiveHead

__all__ = ['SymmetricContrastiveHead']
