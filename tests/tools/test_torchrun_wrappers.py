"""The OpenMMLab-style shell wrappers: each runs tools/torchrun.sh, which
hands torchrun the script, the process count, the port and every argument
unchanged (checked with a stand-in interpreter that prints its argv)."""
import json
import os
import subprocess
import sys

import pytest

# wrapper, its arguments, the Python tool it runs, what that tool gets
WRAPPERS = [
    ('tools/dist_train.sh', ['CFG.py', '2', '--resume', 'e.pth'
                             ], 'tools/train.py',
     ['CFG.py', '--launcher', 'pytorch', '--resume', 'e.pth']),
    ('tools/benchmarks/dist_sweep.sh', [
        'RUN', 'CFG.py', '2', '--steps', '50', '100', '--branch', 'teacher'
    ], 'tools/benchmarks/sweep.py', [
        'RUN', 'CFG.py', '--launcher', 'pytorch', '--steps', '50', '100',
        '--branch', 'teacher'
    ]),
] + [(f'tools/benchmarks/dist_{task}.sh', [
    'CFG.py', 'ckpt.pth', '2', '--normrescale', '1.5', '--branch', 'teacher'
], 'tools/benchmarks/train_benchmark.py', [
    'CFG.py', 'ckpt.pth', '--launcher', 'pytorch', '--normrescale', '1.5',
    '--branch', 'teacher'
]) for task in ('mmdet', 'mmseg', 'linear')]


@pytest.fixture
def fake_python(tmp_path):
    """A stand-in interpreter that prints the command it was given."""
    fake = tmp_path / 'python'
    fake.write_text(f'#!{sys.executable}\nimport json, sys\n'
                    'print(json.dumps(sys.argv[1:]))\n')
    fake.chmod(0o755)
    return fake


@pytest.mark.parametrize(
    'wrapper,args,tool,tool_args',
    WRAPPERS,
    ids=[w[0].split('/')[-1] for w in WRAPPERS])
def test_wrapper_forwards_everything(wrapper, args, tool, tool_args,
                                     fake_python, repo_root):
    env = dict(os.environ, PYTHON=str(fake_python), PORT='29611')
    out = subprocess.run(['bash', str(repo_root / wrapper), *args],
                         env=env,
                         capture_output=True,
                         text=True,
                         check=True)
    argv = json.loads(out.stdout)
    assert argv[:2] == ['-m', 'torch.distributed.run']
    assert '--nproc_per_node=2' in argv and '--master_port=29611' in argv
    i = argv.index(str(repo_root / tool))
    assert argv[i + 1:] == tool_args


@pytest.mark.parametrize('wrapper', [w[0] for w in WRAPPERS])
def test_wrapper_usage(wrapper, repo_root):
    out = subprocess.run(['bash', str(repo_root / wrapper), 'CFG.py'],
                         capture_output=True,
                         text=True)
    assert out.returncode == 2 and 'usage' in out.stderr
