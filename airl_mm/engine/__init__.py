# The hosts first, clash-free, whichever way this package is reached (fixes
# 1 and 2 of airl_mm.compat; `import airl_mm.register` registers the rest).
from ..compat import import_hosts as _import_hosts

_import_hosts()

from .hooks import (FiniteCheckpointHook, MomentumAscendingHook,
                    NonFiniteGuardHook, NonFiniteLossError, ascending_momentum,
                    set_teacher_momentum)
from .optimizers import LARSOptimWrapperConstructor
from .precision import AmpFp32LossOptimWrapper, AutocastOptimWrapper
from .runner import AirlRunner

__all__ = [
    'AirlRunner', 'AmpFp32LossOptimWrapper', 'AutocastOptimWrapper',
    'FiniteCheckpointHook', 'LARSOptimWrapperConstructor',
    'MomentumAscendingHook', 'NonFiniteGuardHook', 'NonFiniteLossError',
    'ascending_momentum', 'set_teacher_momentum'
]
