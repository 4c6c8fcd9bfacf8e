"""The scalar-log readers of airl_mm.analysis.curves (mmengine's
LocalVisBackend ``<work_dir>/<timestamp>/vis_data/scalars.json``)."""
import json

import pytest

from airl_mm.analysis.curves import last_scalar, read_scalars, run_records


def _log(work_dir, run, records):
    vis = work_dir / run / 'vis_data'
    vis.mkdir(parents=True)
    (vis / 'scalars.json').write_text(''.join(
        json.dumps(r) + '\n' for r in records))


def test_the_latest_run_is_read(tmp_path):
    _log(tmp_path, '20260101_000000', [{'loss': 9.0, 'iter': 1}])
    _log(tmp_path, '20260102_000000', [{
        'loss': 3.0,
        'iter': 1
    }, {
        'accuracy/top1': 91.5,
        'step': 1
    }, {
        'loss': 2.5,
        'iter': 2
    }])
    (tmp_path / '20260103_000000').mkdir()  # a run that logged nothing
    assert [r.get('loss')
            for r in read_scalars(str(tmp_path))] == [3.0, None, 2.5]
    assert last_scalar(str(tmp_path), 'loss') == 2.5
    assert last_scalar(str(tmp_path), 'accuracy/top1') == 91.5
    assert last_scalar(str(tmp_path), 'missing') is None
    assert run_records(str(tmp_path)) == read_scalars(str(tmp_path))


def test_no_log_is_empty_and_no_dir_is_an_error(tmp_path):
    assert read_scalars(str(tmp_path)) == []
    assert last_scalar(str(tmp_path), 'loss') is None
    with pytest.raises(FileNotFoundError, match='no vis_data'):
        run_records(str(tmp_path))
    with pytest.raises(FileNotFoundError, match='nowhere'):
        read_scalars(str(tmp_path / 'nowhere'))
