"""A run SIGKILLed mid-way and resumed with --resume ends bit-identical to
one never interrupted (CPU, fixed seed): weights, teacher, queue, BN
statistics, optimizer and scheduler state (issue 8)."""
import signal
import subprocess
import sys

import pytest
import torch
from tool_loader import ROOT

from airl_mm.checkpoint import load_checkpoint_file

pytestmark = pytest.mark.slow
TINY = 'tests/data/configs/tiny_mocov2plus_mnist.py'
EPOCHS = 'tests/data/configs/tiny_mocov2plus_mnist_epochs.py'


def run_train(env, config, work_dir, *args):
    """tools/train.py in a child process; output to a file (data-loading
    workers orphaned by a SIGKILL may hold a pipe open for seconds)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    log = work_dir.parent / (work_dir.name + '.log')
    with open(log, 'w') as f:
        code = subprocess.call([
            sys.executable, 'tools/train.py', config, '--work-dir',
            str(work_dir), *args
        ],
                               cwd=ROOT,
                               env=env,
                               stdout=f,
                               stderr=subprocess.STDOUT)
    return code, log.read_text()


def assert_same(a, b, where='checkpoint'):
    """Equal tensors (torch.equal) and equal values, recursively."""
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor) and a.dtype == b.dtype, where
        assert torch.equal(a, b), where
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            assert_same(a[k], b[k], f'{where}[{k!r}]')
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f'{where}[{i}]')
    else:
        assert a == b, where


def assert_same_run(ckpt_a, ckpt_b):
    a, b = load_checkpoint_file(ckpt_a), load_checkpoint_file(ckpt_b)
    assert_same(a['state_dict'], b['state_dict'], 'state_dict')
    assert any(k.startswith('teacher.') for k in a['state_dict'])
    assert 'queue' in a['state_dict']
    assert any('running_var' in k for k in a['state_dict'])
    assert_same(a['optimizer'], b['optimizer'], 'optimizer')
    assert_same(a['param_schedulers'], b['param_schedulers'],
                'param_schedulers')
    assert_same(a['meta']['rng_state'], b['meta']['rng_state'], 'rng')
    for k in ('epoch', 'iter', 'seed'):
        assert a['meta'][k] == b['meta'][k], k


def kill_and_resume(env, config, work_dir, kill_after, *resume_args):
    code, log = run_train(env, config, work_dir, '--cfg-options',
                          f'custom_hooks.2.iters={kill_after}',
                          'custom_hooks.2.sigkill=True')
    assert code == -signal.SIGKILL, log[-3000:]
    code, log = run_train(env, config, work_dir, '--resume', *resume_args)
    assert code == 0, log[-3000:]
    assert 'random state restored' in log
    return log


def test_iteration_based_run_killed_and_resumed_is_identical(
        subprocess_env, trained_pair, tmp_path):
    killed = tmp_path / 'killed'
    # killed after iteration 3, a checkpoint after iteration 2; resumed
    # with another seed in the config: the checkpoint's seed (0) is taken,
    # for the data order and the augmentations too
    log = kill_and_resume(subprocess_env, TINY, killed, 3, '--cfg-options',
                          'randomness.seed=5')
    assert 'random seed in the checkpoint "0"' in log
    assert (killed /
            'last_checkpoint').read_text().strip().endswith('iter_4.pth')
    start = torch.load(killed / 'start_rank0.pth', weights_only=False)
    assert start['iter'] == 2
    # trained_pair['sgd']: the same config trained 4 iterations straight
    assert_same_run(killed / 'iter_4.pth', trained_pair['sgd'])


def test_epoch_based_run_with_two_workers_killed_and_resumed_is_identical(
        subprocess_env, tmp_path):
    straight, killed = tmp_path / 'straight', tmp_path / 'killed'
    code, log = run_train(subprocess_env, EPOCHS, straight)
    assert code == 0, log[-3000:]
    # killed in the middle of epoch 2 (iteration 6 of 12): epoch 2 is
    # lost, and drawn again from the epoch-1 checkpoint
    log = kill_and_resume(subprocess_env, EPOCHS, killed, kill_after=6)
    assert 'resumed epoch: 1' in log
    assert_same_run(killed / 'epoch_3.pth', straight / 'epoch_3.pth')
    # the epochs did not repeat each other: different losses per epoch
    # and the weights changed
    a = load_checkpoint_file(straight / 'epoch_1.pth')['state_dict']
    b = load_checkpoint_file(straight / 'epoch_3.pth')['state_dict']
    assert not torch.equal(a['backbone.conv1.weight'],
                           b['backbone.conv1.weight'])
