# The host glue first, whichever way this package is reached (see airl_mm).
from ..compat import apply as _apply_host_glue

_apply_host_glue()

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
