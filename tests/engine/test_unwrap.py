"""The one unwrap (mmpretrain's ``get_ori_model``, reused): what it
unwraps, what it leaves alone, and that no module unwraps by hand."""
import ast

import torch.nn as nn
from mmengine.model import ExponentialMovingAverage
from mmpretrain.utils import get_ori_model

from airl_mm.engine.hooks import state_is_finite, teacher_emas


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
    """``is_model_wrapper`` is called nowhere in the package (the seven
    hand-written ``model.module if is_model_wrapper(model)`` and the
    ``getattr(model, 'module', model)`` are mmpretrain's get_ori_model)."""
    callers = []
    for path in sorted((repo_root / 'airl_mm').rglob('*.py')):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(
                    node.func, 'id', getattr(node.func, 'attr',
                                             None)) == 'is_model_wrapper':
                callers.append(str(path.relative_to(repo_root)))
            # getattr(model, 'module', model): also unwraps an EMA teacher
            if isinstance(node, ast.Call) and getattr(
                    node.func, 'id', None) == 'getattr' and any(
                        isinstance(a, ast.Constant) and a.value == 'module'
                        for a in node.args):
                callers.append(str(path.relative_to(repo_root)))
    assert callers == []
