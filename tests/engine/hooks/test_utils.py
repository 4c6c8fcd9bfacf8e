"""The one unwrap helper (``engine/hooks/utils.get_ori_model``): what it
unwraps, what it leaves alone, and that no other module unwraps by hand."""
import ast
from pathlib import Path

import torch.nn as nn
from mmengine.model import ExponentialMovingAverage

from airl_mm.engine.hooks import state_is_finite, teacher_emas
from airl_mm.engine.hooks.utils import get_ori_model


class WithTeacher(nn.Module):

    def __init__(self):
        super().__init__()
        self.backbone = nn.Linear(2, 2)
        self.teacher = ExponentialMovingAverage(self.backbone)


def test_unwraps_a_registered_wrapper_only():
    model = WithTeacher()
    assert get_ori_model(model) is model
    # torch's DataParallel is one of mmengine's MODEL_WRAPPERS (CPU: no
    # devices, it only wraps)
    assert get_ori_model(nn.DataParallel(model)) is model
    # an EMA teacher also has ``.module``, but is no wrapper: kept whole
    assert get_ori_model(model.teacher) is model.teacher


def test_hooks_see_through_the_wrapper():
    model = WithTeacher()
    wrapped = nn.DataParallel(model)
    assert teacher_emas(wrapped) == [model.teacher]
    assert state_is_finite(wrapped)
    model.backbone.weight.data[0, 0] = float('nan')
    assert not state_is_finite(wrapped)


def test_no_module_unwraps_by_hand(repo_root):
    """``is_model_wrapper`` is called in hooks/utils.py alone (the seven
    hand-written ``model.module if is_model_wrapper(model)`` are gone)."""
    home = Path('airl_mm/engine/hooks/utils.py')
    callers = []
    for path in sorted((repo_root / 'airl_mm').rglob('*.py')):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(
                    node.func, 'id', getattr(node.func, 'attr',
                                             None)) == 'is_model_wrapper':
                callers.append(str(path.relative_to(repo_root)))
    assert callers == [str(home)]
