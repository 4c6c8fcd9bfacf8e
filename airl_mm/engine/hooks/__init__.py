from .momentum_ascending import (MomentumAscendingHook, ascending_momentum,
                                 set_teacher_momentum, teacher_emas)
from .nonfinite_guard import (FiniteCheckpointHook, NonFiniteGuardHook,
                              NonFiniteLossError, non_finite_terms,
                              state_is_finite)

__all__ = ['FiniteCheckpointHook', 'MomentumAscendingHook',
           'NonFiniteGuardHook', 'NonFiniteLossError', 'ascending_momentum',
           'non_finite_terms', 'set_teacher_momentum', 'state_is_finite',
           'teacher_emas']
