"""The demo's k-NN is mmselfsup's knn_eval; checked against NumPy."""
import numpy as np
import pytest
import torch

from airl_mm.evaluation.knn import knn_accuracy


def numpy_knn_top1(tr, ytr, te, yte, k, t, c):
    tr = tr / np.linalg.norm(tr, axis=1, keepdims=True)
    te = te / np.linalg.norm(te, axis=1, keepdims=True)
    correct = 0
    for x, y in zip(te, yte):
        sim = tr @ x
        idx = np.argsort(-sim, kind='stable')[:k]
        votes = np.zeros(c)
        np.add.at(votes, ytr[idx], np.exp(sim[idx] / t))
        correct += int(np.argmax(votes) == y)
    return 100.0 * correct / len(yte)


@pytest.mark.parametrize('n_test', [37, 250])
def test_knn_accuracy_matches_numpy(n_test):
    rng = np.random.RandomState(n_test)
    centres = rng.randn(5, 16) * 1.5
    ytr, yte = rng.randint(5, size=300), rng.randint(5, size=n_test)
    tr = centres[ytr] + rng.randn(300, 16)
    te = centres[yte] + rng.randn(n_test, 16)
    ours = knn_accuracy(
        torch.from_numpy(tr).float(),
        ytr,
        torch.from_numpy(te).float(),
        yte,
        k=10,
        temperature=0.1)
    ref = numpy_knn_top1(
        tr.astype(np.float32), ytr, te.astype(np.float32), yte, 10, 0.1, 5)
    assert 30 < ref < 100  # neither trivial nor hopeless
    assert ours == pytest.approx(ref, abs=1e-9)


def test_knn_accuracy_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match='differ in length'):
        knn_accuracy(torch.ones(3, 2), [0, 1], torch.ones(2, 2), [0, 1])


def test_knn_accuracy_with_fewer_classes_than_top5_needs():
    feats = torch.tensor([[1., 0.], [0.9, 0.1], [0., 1.], [0.1, 0.9]])
    labels = [0, 0, 1, 1]
    assert knn_accuracy(feats, labels, feats, labels, k=3) == 100.0
    assert knn_accuracy(feats, [0] * 4, feats, [0] * 4, k=20) == 100.0
