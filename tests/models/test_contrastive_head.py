import numpy as np
import pytest
import torch
import torch.nn.functional as F

from airl_mm.models import SymmetricContrastiveHead


def numpy_infonce(q, k, queue, t):
    """Eq. (1) of the paper, written out in NumPy (float64)."""
    losses = []
    for qi, ki in zip(q, k):
        pos = np.exp(qi @ ki / t)
        neg = np.exp(queue @ qi / t).sum()
        losses.append(-np.log(pos / (pos + neg)))
    return float(np.mean(losses))


def unit(rng, *shape):
    x = rng.standard_normal(shape)
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


@pytest.mark.parametrize('t', [0.2, 0.07, 1.0])
def test_infonce_matches_numpy_eq1(t):
    rng = np.random.default_rng(0)
    q, k, queue = unit(rng, 8, 16), unit(rng, 8, 16), unit(rng, 32, 16)
    head = SymmetricContrastiveHead(temperature=t)
    got = head([torch.tensor(q, dtype=torch.float32)],
               [torch.tensor(k, dtype=torch.float32)],
               torch.tensor(queue, dtype=torch.float32))
    assert abs(float(got) - numpy_infonce(q, k, queue, t)) < 1e-5


def test_symmetric_loss_is_sum_of_both_directions():
    rng = np.random.default_rng(1)
    q1, q2, k1, k2 = (unit(rng, 4, 8) for _ in range(4))
    queue = unit(rng, 16, 8)
    head = SymmetricContrastiveHead(0.2)
    T = lambda a: torch.tensor(a, dtype=torch.float32)  # noqa: E731
    got = float(head([T(q1), T(q2)], [T(k2), T(k1)], T(queue)))
    want = numpy_infonce(q1, k2, queue, 0.2) + numpy_infonce(
        q2, k1, queue, 0.2)
    assert abs(got - want) < 1e-5


def test_symmetric_loss_invariant_to_view_swap_asymmetric_is_not():
    g = torch.Generator().manual_seed(0)
    q1, q2, k1, k2 = (
        F.normalize(torch.randn(6, 8, generator=g), dim=1) for _ in range(4))
    queue = F.normalize(torch.randn(20, 8, generator=g), dim=1)
    head = SymmetricContrastiveHead(0.2)
    sym = head([q1, q2], [k2, k1], queue)
    sym_swapped = head([q2, q1], [k1, k2], queue)
    assert torch.allclose(sym, sym_swapped, atol=1e-6)
    asym = head([q1], [k2], queue)
    asym_swapped = head([q2], [k1], queue)
    assert abs(float(asym) - float(asym_swapped)) > 1e-3


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match='temperature'):
        SymmetricContrastiveHead(temperature=0)
    head = SymmetricContrastiveHead()
    x = torch.zeros(2, 4)
    with pytest.raises(ValueError, match='pair up'):
        head([x, x], [x], torch.zeros(3, 4))
