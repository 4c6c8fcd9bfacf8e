from .c4_head import C4SharedHead

__all__ = ['C4SharedHead']
