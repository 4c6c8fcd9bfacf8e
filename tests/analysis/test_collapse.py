"""Collapse metrics against NumPy, and the curves plot over scalar logs."""
import json

import numpy as np
import pytest
import torch
from tool_loader import load_tool

from airl_mm.analysis.collapse import collapse_metrics, effective_rank
from airl_mm.analysis.curves import curves_of, load_curves, plot_curves


def np_metrics(views):
    """An independent NumPy computation of the metrics."""
    raw = [np.asarray(v, dtype=np.float64) for v in views]
    z = [v / np.linalg.norm(v, axis=1, keepdims=True) for v in raw]
    allz = np.concatenate(z)
    s = np.linalg.svd(np.concatenate(raw), compute_uv=False)
    p = s / s.sum() + 1e-7
    n = len(raw[0])
    out = dict(
        z_std=np.std(allz, axis=0).mean(),
        rank=np.exp(-(p * np.log(p)).sum()),
        neg_cos=np.mean([(v @ v.T)[~np.eye(n, dtype=bool)].mean() for v in z]))
    if len(z) > 1:
        out['pos_cos'] = np.mean([
            np.sum(z[i] * z[j], axis=1).mean() for i in range(len(z))
            for j in range(i + 1, len(z))
        ])
    return out


def check(views):
    got = collapse_metrics([torch.as_tensor(v) for v in views])
    ref = np_metrics(views)
    assert set(got) == set(ref)
    for k in ref:
        assert got[k] == pytest.approx(ref[k], rel=1e-6, abs=1e-9), k
    return got


def test_identical_rows_are_collapsed():
    row = np.random.RandomState(0).randn(1, 16)
    got = check([np.repeat(row, 32, 0), np.repeat(row, 32, 0)])
    assert got['z_std'] == pytest.approx(0, abs=1e-12)
    assert got['rank'] == pytest.approx(1, abs=1e-3)
    assert got['neg_cos'] == pytest.approx(1)
    assert got['pos_cos'] == pytest.approx(1)


def test_gaussian_rows_are_spread():
    d = 16
    rng = np.random.RandomState(0)
    v1, v2 = rng.randn(2048, d), rng.randn(2048, d)
    got = check([v1, v2])
    assert got['z_std'] == pytest.approx(1 / np.sqrt(d), rel=0.02)
    assert d * 0.9 < got['rank'] <= d
    assert abs(got['neg_cos']) < 0.01 and abs(got['pos_cos']) < 0.03


def test_identical_views_have_positive_cosine_one():
    v = np.random.RandomState(1).randn(64, 8)
    got = check([v, v.copy()])
    assert got['pos_cos'] == pytest.approx(1)
    assert 'pos_cos' not in check([v])


def test_low_rank_embeddings():
    rng = np.random.RandomState(2)
    v = rng.randn(256, 3) @ rng.randn(3, 32)  # rank 3 in 32 dims
    got = check([v])
    assert 1.5 < got['rank'] < 3.01
    assert effective_rank(torch.zeros(4, 3)) == 0


def test_bad_views_raise():
    with pytest.raises(ValueError, match='at least one view'):
        collapse_metrics([])
    with pytest.raises(ValueError, match='same shape'):
        collapse_metrics([torch.zeros(4, 3), torch.zeros(5, 3)])


def write_run(root, name, records):
    run = root / name / '20240101_000000' / 'vis_data'
    run.mkdir(parents=True)
    (run / 'scalars.json').write_text(''.join(
        json.dumps(r) + '\n' for r in records))
    return root / name


def test_curves_and_plot_tool(tmp_path):
    a = write_run(tmp_path, 'a', [
        dict(knn_top1=10.0, iter=0, step=0),
        dict(loss=2.0, z_std=0.2, iter=10, step=10),
        dict(loss=1.0, z_std=0.1, iter=20, step=20),
        dict(knn_top1=30.0, iter=20, step=20)
    ])
    b = write_run(tmp_path, 'b', [dict(loss=3.0, iter=10, step=10)])
    runs = load_curves([str(a), str(b)], ['loss', 'z_std', 'knn_top1'])
    assert runs['a']['loss'] == ([10.0, 20.0], [2.0, 1.0])
    assert runs['a']['knn_top1'] == ([0.0, 20.0], [10.0, 30.0])
    assert 'z_std' not in runs['b']
    assert curves_of([dict(loss=float('nan'), iter=1)], ['loss']) == {}
    with pytest.raises(ValueError, match='none of the runs'):
        plot_curves(runs, ['rank'], str(tmp_path / 'x.png'))
    with pytest.raises(FileNotFoundError, match='scalars.json'):
        load_curves([str(tmp_path)], ['loss'])

    tool = load_tool('analysis/plot_curves.py')
    out = tmp_path / 'curves.png'
    assert tool.main(
        [str(a),
         str(b), '--keys', 'loss,z_std,lr/layer1', '-o',
         str(out)]) == 0
    assert out.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    assert tool.main([str(a), '--keys', 'loss', '-o', str(out)]) == 1
    assert tool.main([str(a), '--keys', 'rank', '-o',
                      str(tmp_path / 'y.png')]) == 1
    assert not (tmp_path / 'y.png').exists()
