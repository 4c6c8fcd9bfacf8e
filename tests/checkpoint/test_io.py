import os

import pytest
import torch
from marker import Payload

from airl_mm.checkpoint import (CheckpointError, load_checkpoint_file,
                                save_checkpoint_file)


def test_round_trip_and_atomic(tmp_path):
    path = tmp_path / 'ok.pth'
    obj = {'state_dict': {'w': torch.arange(6.).view(2, 3)}, 'meta': {'a': 1}}
    save_checkpoint_file(obj, path)
    back = load_checkpoint_file(path)
    assert torch.equal(back['state_dict']['w'], obj['state_dict']['w'])
    assert back['meta'] == {'a': 1}
    assert os.listdir(tmp_path) == ['ok.pth']  # no temp file left


def test_missing_directory_garbage_and_truncated_are_named(tmp_path):
    with pytest.raises(CheckpointError, match='no such file'):
        load_checkpoint_file(tmp_path / 'nope.pth')
    with pytest.raises(CheckpointError, match='not a file'):
        load_checkpoint_file(tmp_path)
    junk = tmp_path / 'junk.pth'
    junk.write_bytes(b'this is not a checkpoint' * 10)
    with pytest.raises(CheckpointError, match='junk.pth: not a PyTorch'):
        load_checkpoint_file(junk)
    good = tmp_path / 'good.pth'
    save_checkpoint_file({'w': torch.randn(1000)}, good)
    cut = tmp_path / 'cut.pth'
    cut.write_bytes(good.read_bytes()[:len(good.read_bytes()) // 2])
    with pytest.raises(CheckpointError, match='cut.pth: .*truncated'):
        load_checkpoint_file(cut)


def test_pickled_code_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / 'marker.txt'
    evil = tmp_path / 'evil.pth'
    torch.save(
        {
            'state_dict': {
                'w': torch.ones(2)
            },
            'meta': Payload(str(marker))
        }, evil)
    with pytest.raises(CheckpointError) as err:
        load_checkpoint_file(evil)
    msg = str(err.value)
    assert 'evil.pth' in msg and 'refused' in msg and 'marker.touch' in msg
    assert not marker.exists()
    # the payload is real: an unrestricted load would have run it
    torch.load(evil, weights_only=False)
    assert marker.read_text() == 'pickled code ran'


def test_text_and_code_files_get_the_right_message(tmp_path):
    import os as _os
    csv_file = tmp_path / 'norms.csv'
    csv_file.write_text('conv1.weight,1.0\n')
    with pytest.raises(CheckpointError, match='neither a torch zip'):
        load_checkpoint_file(csv_file)
    evil = tmp_path / 'system.pth'
    torch.save({'x': _SystemCall()}, evil)
    with pytest.raises(CheckpointError) as err:
        load_checkpoint_file(evil)
    msg = str(err.value)
    assert 'refused' in msg and 'system' in msg
    assert 'weights_only` set to `False`' not in msg  # no unsafe advice
    assert _os.path.exists(evil)


class _SystemCall:

    def __reduce__(self):
        import os
        return os.system, ('true', )


def test_saved_files_keep_normal_permissions(tmp_path):
    import os as _os
    import stat
    umask = _os.umask(0o022)
    try:
        path = tmp_path / 'perm.pth'
        save_checkpoint_file({'w': torch.ones(1)}, path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        path.chmod(0o640)  # an existing file keeps its mode
        save_checkpoint_file({'w': torch.ones(2)}, path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
    finally:
        _os.umask(umask)
