"""tools/train.py and tools/dist_train.sh end to end (real Runner, CPU)."""
import json
import os
import random
import subprocess
import sys

import pytest
import torch
from marker import Payload
from tool_loader import train_tool

from airl_mm.checkpoint import load_checkpoint_file

pytestmark = pytest.mark.slow
CONFIG = 'tests/data/configs/tiny_mocov2plus_mnist.py'


def train(repo_root, env, work_dir, *args, check=True):
    return train_tool(env, CONFIG, work_dir, *args, check=check)


def momenta(work_dir):
    with open(work_dir / 'momenta_rank0.json') as f:
        return {int(k): v for k, v in json.load(f).items()}


def test_train_crash_resume_restores_everything(repo_root, subprocess_env,
                                                tmp_path):
    crashed = tmp_path / 'crashed'
    out = train(
        repo_root,
        subprocess_env,
        crashed,
        '--cfg-options',
        'custom_hooks.2.iters=2',
        check=False)
    assert out.returncode != 0 and 'simulated crash' in out.stderr
    assert (crashed /
            'last_checkpoint').read_text().strip().endswith('iter_2.pth')
    ckpt = load_checkpoint_file(crashed / 'iter_2.pth')  # weights_only
    assert ckpt['meta']['iter'] == 2

    # --resume (no path): the latest checkpoint of the work dir
    train(repo_root, subprocess_env, crashed, '--resume')
    start = torch.load(crashed / 'start_rank0.pth', weights_only=False)
    assert start['iter'] == 2
    for k, v in ckpt['state_dict'].items():
        assert torch.equal(start['state_dict'][k], v), k
    assert any(k.startswith('teacher.module.') for k in ckpt['state_dict'])
    assert int(start['state_dict']['queue_ptr']) == int(
        ckpt['state_dict']['queue_ptr']) == 2 * 8 % 32
    saved_opt = ckpt['optimizer']['state']
    assert len(saved_opt) > 0
    for i, s in saved_opt.items():
        assert torch.equal(start['optimizer']['state'][i]['momentum_buffer'],
                           s['momentum_buffer'])
    final = load_checkpoint_file(crashed / 'iter_4.pth')
    assert final['meta']['iter'] == 4

    # the resumed run continued the uninterrupted run's momentum curve
    straight = tmp_path / 'straight'
    train(repo_root, subprocess_env, straight)
    resumed, whole = momenta(crashed), momenta(straight)
    assert sorted(resumed) == [2, 3] and sorted(whole) == [0, 1, 2, 3]
    assert [resumed[k]
            for k in (2, 3)] == pytest.approx([whole[k] for k in (2, 3)],
                                              abs=1e-12)
    assert momenta(straight)[0] == pytest.approx(0.99)
    assert momenta(straight)[2] == pytest.approx(0.995)


def test_resume_refuses_a_checkpoint_with_pickled_code(repo_root,
                                                       subprocess_env,
                                                       tmp_path):
    marker = tmp_path / 'marker.txt'
    evil = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'meta': Payload(str(marker))}, evil)
    out = train(
        repo_root,
        subprocess_env,
        tmp_path / 'wd',
        '--resume',
        str(evil),
        check=False)
    assert out.returncode != 0
    assert 'evil.pth: refused' in out.stderr
    assert not marker.exists()


def test_bad_command_lines_fail_clearly(repo_root, subprocess_env, tmp_path):
    out = subprocess.run([sys.executable, 'tools/train.py', 'configs/nope.py'],
                         cwd=repo_root,
                         env=subprocess_env,
                         capture_output=True,
                         text=True)
    assert out.returncode != 0 and 'config file not found' in out.stderr
    out = train(
        repo_root,
        subprocess_env,
        tmp_path,
        '--resume',
        str(tmp_path / 'missing.pth'),
        check=False)
    assert out.returncode != 0 and 'no such checkpoint' in out.stderr
    if not torch.cuda.is_available():
        out = train(
            repo_root,
            subprocess_env,
            tmp_path,
            '--amp',
            '--amp-dtype',
            'float16',
            check=False)
        assert out.returncode != 0 and 'float16 needs a CUDA' in out.stderr


def test_dist_train_two_cpu_processes_agree(repo_root, subprocess_env,
                                            tmp_path):
    env = dict(
        subprocess_env,
        PORT=str(random.randint(20000, 40000)),
        OMP_NUM_THREADS='1')
    wd = tmp_path / 'dist'
    out = subprocess.run(
        ['bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir',
         str(wd)],
        cwd=repo_root,
        env=env,
        capture_output=True,
        text=True)
    log = out.stdout + out.stderr
    assert out.returncode == 0, log[-4000:]
    assert 'SyncBN layers run as BN' in log
    r0 = torch.load(wd / 'final_rank0.pth', weights_only=False)
    r1 = torch.load(wd / 'final_rank1.pth', weights_only=False)
    start = torch.load(wd / 'start_rank0.pth', weights_only=False)
    params = [k for k in r0 if 'running_' not in k and 'num_batches' not in k]
    assert len(params) > 50
    for k in params:
        assert torch.allclose(r0[k].float(), r1[k].float(), atol=1e-6), k
    # training changed the student, and the queues are identical
    assert not torch.equal(r0['backbone.conv1.weight'],
                           start['state_dict']['backbone.conv1.weight'])
    assert torch.equal(r0['queue'], r1['queue'])
    # 4 iterations x 8 keys x 2 ranks = 64 keys through a 32-key queue
    assert int(r0['queue_ptr']) == 64 % 32
    ckpt = load_checkpoint_file(wd / 'iter_4.pth')
    assert ckpt['meta']['iter'] == 4
    assert os.path.exists(wd / 'final_rank1.pth')


def test_mmselfsup_own_train_script_runs_our_config_on_two_cpus(
        repo_root, subprocess_env, tmp_path):
    """mmselfsup's tools/train.py (it calls ``Runner.from_cfg``) builds the
    config's CPU-aware runner: without it, mmengine's init_dist would call
    torch.cuda.set_device and SyncBN would raise on CPU."""
    import importlib.util
    pkg = importlib.util.find_spec('mmselfsup').submodule_search_locations[0]
    script = os.path.join(pkg, '.mim', 'tools', 'train.py')
    env = dict(subprocess_env, OMP_NUM_THREADS='1')
    wd = tmp_path / 'mmselfsup_script'
    out = subprocess.run([
        sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2',
        '--master_port',
        str(random.randint(20000, 40000)), script, CONFIG, '--launcher',
        'pytorch', '--work-dir',
        str(wd)
    ],
                         cwd=repo_root,
                         env=env,
                         capture_output=True,
                         text=True)
    log = out.stdout + out.stderr
    assert out.returncode == 0, log[-4000:]
    assert 'distributed training on CPU with gloo' in log
    assert 'SyncBN layers run as BN' in log
    assert load_checkpoint_file(wd / 'iter_4.pth')['meta']['iter'] == 4
