"""Minibatch linear CKA against independent NumPy computations."""
import itertools

import numpy as np
import pytest
import torch

from airl_mm.analysis.cka import cka, gram_linear, hsic_unbiased


def numpy_cka_full(x, y):
    """Kornblith et al. (2019) linear CKA, full batch, centred features."""
    x = x - x.mean(0)
    y = y - y.mean(0)
    return (np.linalg.norm(y.T @ x)**2 /
            (np.linalg.norm(x.T @ x) * np.linalg.norm(y.T @ y)))


def numpy_hsic_u_statistic(k, l):  # noqa: E741
    """The unbiased HSIC as its U-statistic over distinct index tuples."""
    n = len(k)
    pairs = list(itertools.permutations(range(n), 2))
    triples = list(itertools.permutations(range(n), 3))
    quads = list(itertools.permutations(range(n), 4))
    a = np.mean([k[i, j] * l[i, j] for i, j in pairs])
    b = np.mean([k[i, j] * l[q, r] for i, j, q, r in quads])
    c = np.mean([k[i, j] * l[i, q] for i, j, q in triples])
    return a + b - 2 * c


def test_hsic_formula_equals_u_statistic():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((8, 5)), rng.standard_normal((8, 3))
    y[:, 0] += x[:, 0]
    k, l = x @ x.T, y @ y.T  # noqa: E741
    got = float(hsic_unbiased(torch.tensor(k), torch.tensor(l)))
    assert got == pytest.approx(numpy_hsic_u_statistic(k, l), rel=1e-9)


def features(n=600, d=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, d, generator=g, dtype=torch.float64)


def test_cka_of_x_with_itself_is_one():
    x = features()
    assert cka(x, x, batch_size=100) == pytest.approx(1.0, abs=1e-12)


def test_invariant_to_orthogonal_maps_and_isotropic_scaling():
    x = features()
    y = x[:, :16] @ torch.randn(16, 24, dtype=torch.float64) + \
        0.5 * features(d=24, seed=3)
    q, _ = torch.linalg.qr(torch.randn(24, 24, dtype=torch.float64))
    base = cka(x, y, 100)
    assert cka(x, y @ q, 100) == pytest.approx(base, abs=1e-10)
    assert cka(x, 7.5 * y, 100) == pytest.approx(base, abs=1e-10)
    assert cka(
        3 * x @ torch.linalg.qr(torch.randn(32, 32, dtype=torch.float64))[0],
        y, 100) == pytest.approx(
            base, abs=1e-10)


def test_not_invariant_to_general_invertible_maps():
    x = features()
    y = x[:, :16] @ torch.randn(16, 24, dtype=torch.float64) + \
        0.5 * features(d=24, seed=3)
    a = torch.diag(torch.logspace(-2, 2, 24, dtype=torch.float64)) @ \
        torch.randn(24, 24, dtype=torch.float64)
    assert torch.linalg.matrix_rank(a) == 24
    assert abs(cka(x, y @ a, 100) - cka(x, y, 100)) > 0.02


def test_minibatch_estimate_agrees_with_full_batch_numpy():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2000, 20))
    y = np.tanh(x @ rng.standard_normal((20, 30))) + \
        0.3 * rng.standard_normal((2000, 30))
    want = numpy_cka_full(x, y)
    got = cka(torch.tensor(x), torch.tensor(y), batch_size=500)
    assert got == pytest.approx(want, abs=0.03)
    indep = cka(
        torch.tensor(x),
        torch.tensor(rng.standard_normal((2000, 30))),
        batch_size=500)
    assert abs(indep) < 0.05  # unbiased: ~0 for independent data


def test_gram_is_linear_kernel():
    x = features(10, 4)
    assert torch.allclose(gram_linear(x), x @ x.t())


def test_degenerate_inputs_raise_clearly():
    x = features(40, 5)
    with pytest.raises(ValueError, match='at least 4'):
        cka(x, x, batch_size=2)
    with pytest.raises(ValueError, match='constant'):
        cka(x, torch.ones(40, 3, dtype=torch.float64), batch_size=10)
