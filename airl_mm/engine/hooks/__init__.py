from .collapse_monitor import CollapseMonitorHook
from .layerwise_lr import LayerwiseLRHook
from .momentum_ascending import (MomentumAscendingHook, ascending_momentum,
                                 set_teacher_momentum)
from .nonfinite_guard import (FiniteCheckpointHook, NonFiniteGuardHook,
                              NonFiniteLossError, non_finite_terms,
                              state_is_finite)
from .online_knn import OnlineKNNHook
from .precise_bn import PreciseBNHook, update_bn_stats
from .teacher_update import (TeacherUpdateHook, accumulative_counts,
                             optimizer_step_progress, teacher_emas)

__all__ = [
    'CollapseMonitorHook', 'FiniteCheckpointHook', 'LayerwiseLRHook',
    'MomentumAscendingHook', 'NonFiniteGuardHook', 'NonFiniteLossError',
    'OnlineKNNHook', 'PreciseBNHook', 'TeacherUpdateHook',
    'accumulative_counts', 'optimizer_step_progress', 'ascending_momentum',
    'non_finite_terms', 'set_teacher_momentum', 'state_is_finite',
    'teacher_emas', 'update_bn_stats'
]
