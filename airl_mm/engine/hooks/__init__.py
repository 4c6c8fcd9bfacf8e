from .collapse_monitor import CollapseMonitorHook
from .layerwise_lr import LayerwiseLRHook
from .momentum_ascending import (MomentumAscendingHook, ascending_momentum,
                                 set_teacher_momentum, teacher_emas)
from .online_knn import OnlineKNNHook

__all__ = ['CollapseMonitorHook', 'LayerwiseLRHook', 'MomentumAscendingHook',
           'OnlineKNNHook', 'ascending_momentum', 'set_teacher_momentum',
           'teacher_emas']
