# The host glue first, whichever way this package is reached (see airl_mm).
from ..compat import apply as _apply_host_glue

_apply_host_glue()

from .algorithms import MoCoV2Plus
from .heads import SymmetricContrastiveHead

__all__ = ['MoCoV2Plus', 'SymmetricContrastiveHead']
