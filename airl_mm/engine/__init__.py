from .hooks import (MomentumAscendingHook, ascending_momentum,
                    set_teacher_momentum)

__all__ = ['MomentumAscendingHook', 'ascending_momentum',
           'set_teacher_momentum']
