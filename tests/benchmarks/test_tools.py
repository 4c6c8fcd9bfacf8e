"""tools/benchmarks/train_benchmark.py: the benchmark CLI (its shell
wrappers: tests/tools/test_torchrun_wrappers.py)."""
import json

import pytest
from tool_loader import load_tool

main = load_tool('benchmarks/train_benchmark.py').main
VOC07 = 'configs/benchmarks/mmdet/faster-rcnn_r50-c4_9k_voc07.py'


def test_cli_records_a_failure(r50_pretrain, tmp_path, repo_root):
    work = tmp_path / 'w'
    # the CLI exits with the message (no traceback); the record keeps it
    with pytest.raises(
            SystemExit, match='train_benchmark: error: .*'
            '--normrescale'):
        main([
            str(repo_root / VOC07),
            str(r50_pretrain), '--normrescale', 'missing.pth', '--work-dir',
            str(work)
        ])
    rec = json.loads((work / 'metrics.json').read_text())
    assert rec['status'] == 'failed' and rec['normrescale'] == 'missing.pth'


def test_cli_refuses_a_template_override_before_writing(
        r50_pretrain, tmp_path, capsys, repo_root):
    work = tmp_path / 'w'
    with pytest.raises(SystemExit) as e:
        main([
            str(repo_root / VOC07),
            str(r50_pretrain), '--work-dir',
            str(work), '--cfg-options', 'train_pipeline.1.scale=16'
        ])
    assert e.value.code == 2
    assert 'train_dataloader.dataset.pipeline.1.scale' in \
        capsys.readouterr().err
    assert not work.exists()  # nothing converted, nothing written
