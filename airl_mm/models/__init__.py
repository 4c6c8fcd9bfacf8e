# The hosts first, clash-free, whichever way this package is reached (fixes
# 1 and 2 of airl_mm.compat; `import airl_mm.register` registers the rest).
from ..compat import import_hosts as _import_hosts

_import_hosts()

from .algorithms import MoCoV2Plus
from .heads import SymmetricContrastiveHead
from .necks import MLPNeck
from .utils import C4SharedHead

__all__ = ['C4SharedHead', 'MLPNeck', 'MoCoV2Plus', 'SymmetricContrastiveHead']
