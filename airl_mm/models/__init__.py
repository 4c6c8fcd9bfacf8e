# The host glue first, whichever way this package is reached (see airl_mm).
from ..compat import apply as _apply_host_glue

_apply_host_glue()

from .algorithms import MoCoV2Plus
from .heads import SymmetricContrastiveHead
from .necks import MLPNeck

__all__ = ['MLPNeck', 'MoCoV2Plus', 'SymmetricContrastiveHead']
