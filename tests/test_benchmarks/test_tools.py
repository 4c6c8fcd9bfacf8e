"""The benchmark CLI and the OpenMMLab-style shell wrappers."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from airl_mm.benchmarks import BenchmarkError
from airl_mm.benchmarks.cli import main

ROOT = Path(__file__).resolve().parents[2]
VOC07 = 'configs/benchmarks/mmdet/faster-rcnn_r50-c4_9k_voc07.py'


def test_cli_records_a_failure(r50_pretrain, tmp_path):
    work = tmp_path / 'w'
    with pytest.raises(BenchmarkError, match='--normrescale'):
        main([
            str(ROOT / VOC07),
            str(r50_pretrain), '--normrescale', 'missing.pth', '--work-dir',
            str(work)
        ])
    rec = json.loads((work / 'metrics.json').read_text())
    assert rec['status'] == 'failed' and rec['normrescale'] == 'missing.pth'


def _fake_python(tmp_path: Path) -> Path:
    """A stand-in interpreter that prints the command it was given."""
    fake = tmp_path / 'python'
    fake.write_text(f'#!{sys.executable}\nimport json, sys\n'
                    'print(json.dumps(sys.argv[1:]))\n')
    fake.chmod(0o755)
    return fake


@pytest.mark.parametrize('task', ['mmdet', 'mmseg', 'linear'])
def test_dist_wrappers_forward_everything(task, tmp_path):
    env = dict(os.environ, PYTHON=str(_fake_python(tmp_path)), PORT='29611')
    out = subprocess.run([
        'bash',
        str(ROOT / f'tools/benchmarks/dist_{task}.sh'), 'CFG.py', 'ckpt.pth',
        '2', '--normrescale', '1.5', '--branch', 'teacher'
    ],
                         env=env,
                         capture_output=True,
                         text=True,
                         check=True)
    argv = json.loads(out.stdout)
    assert argv[:2] == ['-m', 'torch.distributed.run']
    assert '--nproc_per_node=2' in argv and '--master_port=29611' in argv
    tool = argv.index(str(ROOT / 'tools/benchmarks/train_benchmark.py'))
    assert argv[tool + 1:] == [
        'CFG.py', 'ckpt.pth', '--launcher', 'pytorch', '--normrescale', '1.5',
        '--branch', 'teacher'
    ]


def test_dist_wrapper_usage(tmp_path):
    out = subprocess.run(
        ['bash',
         str(ROOT / 'tools/benchmarks/dist_mmdet.sh'), 'CFG.py'],
        capture_output=True,
        text=True)
    assert out.returncode == 2 and 'usage' in out.stderr
