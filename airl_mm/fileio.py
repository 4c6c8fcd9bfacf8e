"""Atomic file writes: a reader never sees a half-written file."""
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, Union

PathLike = Union[str, os.PathLike]


def atomic_write(path: PathLike, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write(f)`` on a temp file beside ``path``, then rename it.

    The rename is atomic on POSIX: ``path`` is either its old content or the
    complete new one. On any error (or interrupt) the temp file is removed
    and ``path`` is left untouched.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent or '.',
                               prefix=f'.{path.name}.', suffix='.tmp')
    try:
        # mkstemp makes 0600 files; give the result the permissions a plain
        # open() would (the target's own mode if it exists, else umask).
        try:
            mode = path.stat().st_mode & 0o777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.fchmod(fd, mode)
        with os.fdopen(fd, 'wb') as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_bytes(path: PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    atomic_write(path, lambda f: f.write(data))


def atomic_write_text(path: PathLike, text: str,
                      encoding: str = 'utf-8') -> None:
    """Write ``text`` to ``path`` atomically."""
    atomic_write_bytes(path, text.encode(encoding))
