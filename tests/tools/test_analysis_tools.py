"""tools/analysis/{weight_norms,cka}.py on real plugin checkpoints."""
import csv

import numpy as np
import pytest
from tool_loader import ROOT, load_tool

from airl_mm.checkpoint import load_checkpoint_file
from airl_mm.checkpoint.formats import extract_backbone

pytestmark = pytest.mark.slow
weight_norms = load_tool('analysis/weight_norms.py')
cka_tool = load_tool('analysis/cka.py')


def test_weight_norms_plot_and_csv(trained_pair, tmp_path, capsys):
    out = tmp_path / 'norms.png'
    rc = weight_norms.main([
        str(trained_pair['sgd']),
        str(trained_pair['lars']), '--labels', 'SGD', 'LARS', '--layers',
        'conv', '--log', '-o',
        str(out)
    ])
    assert rc == 0
    assert out.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    rows = list(csv.DictReader(open(out.with_suffix('.csv'))))
    sgd = extract_backbone(load_checkpoint_file(
        trained_pair['sgd'])).state_dict
    convs = [k for k, v in sgd.items() if v.dim() == 4]
    assert [r['layer'] for r in rows][0] == 'conv1.weight'
    assert sorted(r['layer'] for r in rows) == sorted(convs)
    for r in rows:
        want = np.linalg.norm(sgd[r['layer']].double().numpy().ravel())
        assert float(r['SGD']) == pytest.approx(want, rel=1e-6)
    # network order: stage by stage
    stages = [int(r['layer'][5]) for r in rows[1:]]
    assert stages == sorted(stages)
    assert 'median norm ratio' in capsys.readouterr().out
    rc = weight_norms.main([
        str(trained_pair['sgd']), '--layers', 'conv3x3', '-o',
        str(tmp_path / 'c3.png')
    ])
    rows = list(csv.DictReader(open(tmp_path / 'c3.csv')))
    assert rc == 0 and all(sgd[r['layer']].shape[-2:] == (3, 3) for r in rows)


def test_cka_same_model_is_one_and_bad_inputs(trained_pair, tmp_path, capsys,
                                              tiny_imagenet):
    out = tmp_path / 'self.png'
    rc = cka_tool.main([
        str(trained_pair['sgd']),
        str(trained_pair['sgd']), '--config',
        str(ROOT / 'configs/analysis/'
            'mnist_test.py'), '--num-samples', '96', '--batch-size', '32',
        '-o',
        str(out)
    ])
    assert rc == 0
    rows = list(csv.DictReader(open(out.with_suffix('.csv'))))
    assert [r['stage']
            for r in rows] == ['stem', 'layer1', 'layer2', 'layer3', 'layer4']
    assert all(float(r['cka']) == pytest.approx(1.0, abs=1e-9) for r in rows)
    out2 = tmp_path / 'pair.png'
    rc = cka_tool.main([
        str(trained_pair['sgd']),
        str(trained_pair['lars']), '--folder',
        str(tiny_imagenet), '--size', '64', '--batch-size', '8', '--spatial',
        '-o',
        str(out2)
    ])
    assert rc == 0
    vals = [
        float(r['cka'])
        for r in csv.DictReader(open(out2.with_suffix('.csv')))
    ]
    assert len(vals) == 5 and all(-0.5 < v < 1.0 + 1e-9 for v in vals)
    assert out2.read_bytes()[:4] == b'\x89PNG'
    capsys.readouterr()
    rc = cka_tool.main([
        str(trained_pair['sgd']),
        str(trained_pair['lars']), '--folder',
        str(tmp_path / 'none'), '-o',
        str(tmp_path / 'x.png')
    ])
    assert rc == 1 and 'no such directory' in capsys.readouterr().err
    assert not (tmp_path / 'x.png').exists()
