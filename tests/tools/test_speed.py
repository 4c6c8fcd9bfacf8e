"""tools/benchmarks/speed.py and its harness: the photos, and one tiny run
that writes every key."""
import json
import math

import cv2
import numpy as np
import pytest
import torch
from tool_loader import load_tool

speed = load_tool('benchmarks/speed_harness.py')


def test_photos_are_realistic_jpegs():
    a, b = speed.make_photo(0), speed.make_photo(1)
    assert a == speed.make_photo(0) and a != b  # seeded, distinct
    img = cv2.imdecode(np.frombuffer(a, np.uint8), cv2.IMREAD_COLOR)
    assert img.shape == (375, 500, 3)
    # photo-like: tens of kB at quality 90, texture at every scale
    assert 20_000 < len(a) < 200_000
    grad = np.abs(np.diff(img.astype(np.int16), axis=1)).mean()
    assert 2 < grad < 40 and img.std() > 20


def test_crop_size_override_reaches_nested_steps():
    steps = speed.pipeline_cfg(speed.PIPELINES[speed.BYOL], size=48)
    views = steps[1]['transforms']
    assert [v[0]['size'] for v in views] == [48, 48]
    assert speed.pipeline_cfg(None) == [dict(type='LoadImageFromFile')]
    with pytest.raises(FileNotFoundError, match='no_such.py'):
        speed.pipeline_cfg('mmselfsup::no_such.py')


def test_cli_rejects_bad_settings(capsys):
    tool = load_tool('benchmarks/speed.py')
    with pytest.raises(SystemExit):
        tool.parse_args(['--batch', '0'])
    assert '--batch must be >= 1' in capsys.readouterr().err
    if not torch.cuda.is_available():
        with pytest.raises(SystemExit):
            tool.parse_args(['--device', 'cuda'])
        assert 'no CUDA device' in capsys.readouterr().err


@pytest.mark.slow
def test_tiny_run_writes_every_key(tmp_path, capsys):
    tool = load_tool('benchmarks/speed.py')
    out = tmp_path / 'speed.json'
    tool.main([
        '--photos', '1', '--repeats', '1', '--warmup', '0', '--depth', '18',
        '--batch', '2', '--image-size', '32', '--steps', '1', '--workers', '0',
        '--p3', '--out',
        str(out)
    ])
    res = json.loads(out.read_text())
    for key in speed.KEYS + speed.GPU_KEYS:
        assert math.isfinite(res[key]) and res[key] > 0, key
    assert set(res['pipelines']) == set(speed.PIPELINES)
    for row in res['pipelines'].values():
        r = row['images_per_s_per_core']
        assert 0 < r['min'] <= r['median'] <= r['max']
        assert row['peak_rss_mib'] > 10
    assert set(res['steps']) == set(speed.MODELS_CFG)
    rate = {
        k: v['images_per_s_per_core']['median']
        for k, v in res['pipelines'].items()
    }
    assert res['p2_ratio'] == pytest.approx(rate[speed.OURS] /
                                            rate[speed.BYOL])
    step = {
        k: v['seconds_per_step']['median']
        for k, v in res['steps'].items()
    }
    assert res['p1_ratio'] == pytest.approx(step['MoCo v2+'] /
                                            step['mmselfsup BYOL'])
    assert res['settings']['batch'] == 2
    table = capsys.readouterr().out
    assert 'P2: ours / mmselfsup BYOL' in table and 'P3:' in table
