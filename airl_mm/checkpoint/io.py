"""The one checkpoint reader/writer: weights_only loads, atomic saves."""
import io
import os
import pickle
import re
from pathlib import Path
from typing import Any, Union

import torch

from ..fileio import atomic_write

PathLike = Union[str, os.PathLike]


class CheckpointError(ValueError):
    """A checkpoint file that cannot (or must not) be used; names the file."""


def load_checkpoint_file(path: PathLike, map_location: Any = 'cpu') -> Any:
    """``torch.load`` with ``weights_only=True`` and errors that say why.

    Only tensors, containers and the globals allow-listed by
    :mod:`airl_mm.compat` (the classes mmengine checkpoints hold) are
    unpickled; a file that needs any other pickled code is refused and that
    code never runs.

    Raises:
        CheckpointError: missing/unreadable file, not a PyTorch checkpoint
            (or truncated), or a file that needs arbitrary pickled code.
    """
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f'{path}: no such file')
    if not path.is_file():
        raise CheckpointError(f'{path}: not a file')
    if not os.access(path, os.R_OK):
        raise CheckpointError(f'{path}: not readable (permission denied)')
    with open(path, 'rb') as f:
        head = f.read(2)
    # torch.save writes a zip archive (PK) or, in the legacy format, a
    # pickle starting with its protocol opcode (0x80).
    if head[:2] != b'PK' and head[:1] != b'\x80':
        raise CheckpointError(f'{path}: not a PyTorch checkpoint (neither a '
                              'torch zip archive nor a pickle)')
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        msg = str(e)
        code = re.search(r'(Unsupported global: GLOBAL \S+|Trying to load '
                         r'unsupported GLOBAL \S+|getattr\(.*?\) is not '
                         r'allowed)', msg)
        if code:
            raise CheckpointError(
                f'{path}: refused: loading it would need pickled code that '
                f'is not on the weights_only allow-list ({code.group(1)}). '
                'Nothing from it was executed. Load only checkpoints you '
                'trust; re-save the tensors with torch.save(state_dict) to '
                'use them.') from None
        found = re.search(r'WeightsUnpickler error:\s*(.+)', msg)
        why = found.group(1).strip() if found else 'unreadable pickle'
        raise CheckpointError(f'{path}: not a PyTorch checkpoint, or '
                              f'corrupt ({why})') from None
    except Exception as e:  # zip/pickle/storage errors of a broken file
        raise CheckpointError(
            f'{path}: not a PyTorch checkpoint, or truncated '
            f'({type(e).__name__}: {str(e).splitlines()[0][:200]})') from None


def save_checkpoint_file(obj: Any, path: PathLike) -> None:
    """``torch.save`` to ``path`` atomically (temp file + rename)."""
    buf = io.BytesIO()
    torch.save(obj, buf)
    atomic_write(path, lambda f: f.write(buf.getbuffer()))
