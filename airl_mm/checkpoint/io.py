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


def _history_buffer_getattr(obj, name: str):
    """``getattr`` as mmengine checkpoints use it, and nothing more.

    A pickled HistoryBuffer stores its statistics methods as
    ``getattr(HistoryBuffer, 'mean')``; allowing the builtin ``getattr``
    itself would let a crafted file reach any attribute, so this stand-in
    resolves only those names.
    """
    from mmengine.logging.history_buffer import HistoryBuffer
    names = {'min', 'max', 'mean', 'current'}
    names.update(HistoryBuffer._statistics_methods)  # registered ones
    if obj is HistoryBuffer and name in names:
        return getattr(obj, name)
    raise pickle.UnpicklingError(
        f'weights_only: getattr({obj!r}, {name!r}) is not allowed')


def mmengine_checkpoint_globals() -> list:
    """The non-tensor globals an mmengine checkpoint pickles."""
    import numpy as np
    from mmengine.logging.history_buffer import HistoryBuffer
    from numpy.core.multiarray import _reconstruct, scalar
    allowed = [
        HistoryBuffer, _reconstruct, scalar, np.ndarray, np.dtype,
        (_history_buffer_getattr, 'builtins.getattr')
    ]
    # numpy >= 1.25 may pickle dtypes by their class (np.dtypes.Float64DType)
    allowed += [type(np.dtype(t)) for t in set(np.sctypeDict.values())]
    return allowed


_MMENGINE_ALLOWED = False


def allow_mmengine_globals() -> None:
    """Add :func:`mmengine_checkpoint_globals` to torch's weights_only
    allow-list (once). Imports mmengine's logging module only, so that the
    conversion tools stay free of the mm stack until a file needs it."""
    global _MMENGINE_ALLOWED
    if not _MMENGINE_ALLOWED:
        torch.serialization.add_safe_globals(mmengine_checkpoint_globals())
        _MMENGINE_ALLOWED = True


_MMENGINE_GLOBAL = r'(mmengine\.|numpy\.|builtins\.getattr)'


def _needs_mmengine_globals(error: Exception) -> bool:
    """Whether weights_only refused a global that mmengine checkpoints hold
    (``mmengine.*``, ``numpy.*``, the restricted ``getattr``); they are
    allowed and the load retried."""
    return not _MMENGINE_ALLOWED and re.search('GLOBAL ' + _MMENGINE_GLOBAL,
                                               str(error)) is not None


def _allow_what_the_file_needs(path: Path) -> None:
    """Allow mmengine's classes before loading a zip checkpoint that names
    them (read from its pickle's opcodes in milliseconds, nothing executed),
    so that the file is read once."""
    if _MMENGINE_ALLOWED:
        return
    try:
        names = torch.serialization.get_unsafe_globals_in_checkpoint(path)
    except Exception:  # legacy format or broken: the load reports it
        return
    if any(re.match(_MMENGINE_GLOBAL, n) for n in names):
        allow_mmengine_globals()


def load_checkpoint_file(path: PathLike, map_location: Any = 'cpu') -> Any:
    """``torch.load`` with ``weights_only=True`` and errors that say why.

    Only tensors, containers and the classes mmengine checkpoints hold
    (:func:`mmengine_checkpoint_globals`) are unpickled; a file that needs
    any other pickled code is refused and that code never runs.

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
    if head[:2] == b'PK':
        _allow_what_the_file_needs(path)
    try:
        try:
            return torch.load(
                path, map_location=map_location, weights_only=True)
        except pickle.UnpicklingError as e:
            if not _needs_mmengine_globals(e):
                raise
            allow_mmengine_globals()
            return torch.load(
                path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        msg = str(e)
        code = re.search(
            r'(Unsupported global: GLOBAL \S+|Trying to load '
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
