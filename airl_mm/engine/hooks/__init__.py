from .momentum_ascending import (MomentumAscendingHook, ascending_momentum,
                                 set_teacher_momentum, teacher_emas)
from .precise_bn import PreciseBNHook, update_bn_stats

__all__ = ['MomentumAscendingHook', 'PreciseBNHook', 'ascending_momentum',
           'set_teacher_momentum', 'teacher_emas', 'update_bn_stats']
