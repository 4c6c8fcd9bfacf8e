"""The C4 detectors' RoI head (airl_mm/models/utils/c4_head.py)."""
import pytest
import torch
from mmdet.registry import MODELS
from mmengine.registry import DefaultScope

from airl_mm.models import C4SharedHead


def test_default_width_is_mmselfsups_extra_norm_head():
    """Same tensors, same names, same output as ``ResLayerExtraNorm``
    (what MoCo's detectron2 benchmarks call ``Res5ROIHeadsExtraNorm``)."""
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmdet'):  # as the configs
        ours = MODELS.build(dict(type='C4SharedHead', depth=50, stage=3))
        ref = MODELS.build(dict(type='ResLayerExtraNorm', depth=50, stage=3))
    assert isinstance(ours, C4SharedHead)
    shapes = {k: v.shape for k, v in ours.state_dict().items()}
    assert shapes == {k: v.shape for k, v in ref.state_dict().items()}
    assert shapes['norm.weight'] == (2048, )
    ref.load_state_dict(ours.state_dict())
    ours.eval()  # (mmdet's ResLayer.train() returns None: no chaining)
    ref.eval()
    x = torch.randn(2, 1024, 7, 7)
    torch.testing.assert_close(ours(x), ref(x))


@pytest.mark.parametrize('depth,base,expansion', [(18, 16, 1), (50, 8, 4)])
def test_narrow_backbone_width(depth, base, expansion):
    """res5 of a ResNet whose first stage has ``base`` channels: input
    ``base * 4 * expansion`` channels, output (and norm) twice that."""
    head = C4SharedHead(depth=depth, base_channels=base)
    head.eval()
    x = torch.randn(3, base * 4 * expansion, 8, 8)
    out = head(x)
    assert out.shape == (3, base * 8 * expansion, 4, 4)
    assert head.norm.num_features == base * 8 * expansion
    standard = C4SharedHead(depth=depth)
    standard.eval()
    with pytest.raises(RuntimeError):  # the standard width does not fit
        standard(x)
