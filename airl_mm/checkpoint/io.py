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
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        msg = str(e)
        found = re.search(r'WeightsUnpickler error:\s*(.+)', msg)
        why = found.group(1).strip() if found else msg.splitlines()[0]
        if re.search(r'GLOBAL|global|not allowed|blocked', why):
            raise CheckpointError(
                f'{path}: refused: loading it would need pickled code that '
                f'is not on the weights_only allow-list ({why}). Nothing '
                'from it was executed. Load only checkpoints you trust; '
                're-save the tensors with torch.save(state_dict) to use '
                'them.') from None
        msg = why
        raise CheckpointError(f'{path}: not a PyTorch checkpoint ({msg})'
                              ) from None
    except Exception as e:  # zip/pickle/storage errors of a broken file
        raise CheckpointError(
            f'{path}: not a PyTorch checkpoint, or truncated '
            f'({type(e).__name__}: {str(e).splitlines()[0][:200]})') from None


def save_checkpoint_file(obj: Any, path: PathLike) -> None:
    """``torch.save`` to ``path`` atomically (temp file + rename)."""
    buf = io.BytesIO()
    torch.save(obj, buf)
    atomic_write(path, lambda f: f.write(buf.getbuffer()))
