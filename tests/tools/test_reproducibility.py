"""Same machine, seed and thread count: bit-identical weights.

What docs/reproducibility.md (and the README's demo paragraph) promise:
two seeded runs of the same config, each in its own process, end with
equal checkpoints, tensor by tensor (``torch.equal``, not ``allclose``).
"""
import pytest
import torch
from tool_loader import train_tool

CONFIG = 'tests/data/configs/tiny_mocov2plus_mnist.py'


def _state(path) -> dict:
    return torch.load(path, map_location='cpu', weights_only=False)


@pytest.mark.slow
@pytest.mark.parametrize('threads', ['1', '2'])
def test_two_seeded_runs_in_separate_processes_are_identical(
        subprocess_env, tmp_path, threads):
    env = dict(subprocess_env, OMP_NUM_THREADS=threads)
    states = []
    for run in ('a', 'b'):
        train_tool(env, CONFIG, tmp_path / run)
        states.append(_state(tmp_path / run / 'iter_4.pth'))
    a, b = (s['state_dict'] for s in states)
    assert a.keys() == b.keys() and len(a) > 100
    unequal = [k for k in a if not torch.equal(a[k], b[k])]
    assert not unequal, f'{len(unequal)} tensors differ, e.g. {unequal[:3]}'
    # the optimizer state too (SGD momentum buffers): the next step agrees
    for sa, sb in zip(states[0]['optimizer']['state'].values(),
                      states[1]['optimizer']['state'].values()):
        assert all(torch.equal(sa[k], sb[k]) for k in sa)
    # and it trained: the weights moved from the seeded start
    start = _state(tmp_path / 'a' / 'start_rank0.pth')
    start = start.get('state_dict', start)
    moved = [
        k for k in start if k in a and a[k].is_floating_point()
        and not torch.equal(start[k], a[k])
    ]
    assert moved
