from .momentum_ascending import (MomentumAscendingHook, ascending_momentum,
                                 set_teacher_momentum, teacher_emas)

__all__ = ['MomentumAscendingHook', 'ascending_momentum',
           'set_teacher_momentum', 'teacher_emas']
