"""Resume on another number of processes (issue 16, case 1): a run of 2
CPU processes checkpointed after epoch 1 and resumed on 1 process continues
the teacher momentum where an uninterrupted 1-process run has it and ends
it at the same point."""
import json
import random
import subprocess

import pytest
from tool_loader import ROOT, train_tool

from airl_mm.engine.hooks import ascending_momentum

pytestmark = pytest.mark.slow
EPOCHS = 'tests/data/configs/tiny_mocov2plus_mnist_epochs.py'
OPTIONS = [
    'train_cfg.max_epochs=2', 'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False'
]


def test_two_processes_resumed_on_one(subprocess_env, tmp_path):
    wd = tmp_path / 'run'
    env = dict(
        subprocess_env,
        PORT=str(random.randint(20000, 40000)),
        OMP_NUM_THREADS='1')
    # 32 digits, 2 x 8 per step: 2 iterations per epoch, 4 in all;
    out = subprocess.run([
        'bash', 'tools/dist_train.sh', EPOCHS, '2', '--work-dir',
        str(wd), '--cfg-options', *OPTIONS, 'custom_hooks.2.iters=3'
    ],
                         cwd=ROOT,
                         env=env,
                         capture_output=True,
                         text=True)
    # preempted in epoch 2, after epoch_1.pth was written
    assert 'simulated crash' in out.stdout + out.stderr
    before = json.loads((wd / 'momenta_rank0.json').read_text())
    # 1 x 8 per step: 4 iterations per epoch, 8 in all; epoch 1 done = 4
    out = train_tool(env, EPOCHS, wd, '--resume', str(wd / 'epoch_1.pth'),
                     '--cfg-options', *OPTIONS)
    log = out.stdout + out.stderr
    after = {
        int(k): v
        for k, v in json.loads((wd /
                                'momenta_rank0.json').read_text()).items()
        if int(k) >= 4
    }
    assert sorted(after) == [4, 5, 6, 7]
    for it, m in after.items():
        assert m == pytest.approx(ascending_momentum(it, 8), abs=1e-12)
    assert after[4] > before['1']  # no jump back
    assert 'total batch 16 (2 process(es) x 8), 2 iterations/epoch -> ' \
        '8 (1 process(es) x 8), 4 iterations/epoch' in log
