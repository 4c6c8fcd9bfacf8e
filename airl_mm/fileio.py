"""Generic file helpers: atomic writes, all-or-nothing multi-file outputs,
CSV bytes. A reader never sees a half-written file. Imports nothing of
airl_mm (and nothing of the mm stack)."""
import csv
import io
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, List, Sequence, Union

PathLike = Union[str, os.PathLike]


class OutputError(ValueError):
    """An output that must not be written (exists, or no folder)."""


def atomic_write(path: PathLike, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write(f)`` on a temp file beside ``path``, then rename it.

    The rename is atomic on POSIX: ``path`` is either its old content or the
    complete new one. On any error (or interrupt) the temp file is removed
    and ``path`` is left untouched.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(
        dir=path.parent or '.', prefix=f'.{path.name}.', suffix='.tmp')
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


def atomic_write_text(path: PathLike,
                      text: str,
                      encoding: str = 'utf-8') -> None:
    """Write ``text`` to ``path`` atomically."""
    atomic_write_bytes(path, text.encode(encoding))


def check_outputs(outs: List[Path], force: bool) -> None:
    """Refuse to overwrite without ``force``; the folder must exist."""
    for out in outs:
        if out.exists() and not force:
            raise OutputError(f'{out} already exists (use --force to '
                              'overwrite)')
        if not out.parent.is_dir():
            raise OutputError(f'{out.parent}: no such directory')


def write_all(files: List[tuple]) -> None:
    """Write ``[(path, bytes), ...]`` as one unit: every file is first
    staged complete beside its target, then all are renamed in; if anything
    fails, the targets are restored to what they were (absent or old)."""
    staged, installed = [], []
    try:
        for path, data in files:
            tmp = path.with_name(f'.{path.name}.{os.getpid()}.staged')
            atomic_write_bytes(tmp, data)
            staged.append((tmp, path))
        try:
            for tmp, path in staged:
                bak = None
                if path.exists():
                    bak = path.with_name(f'.{path.name}.{os.getpid()}.bak')
                    os.replace(path, bak)
                installed.append((bak, path))
                os.replace(tmp, path)
        except BaseException:
            for bak, path in reversed(installed):
                if bak is None:
                    path.unlink(missing_ok=True)
                else:
                    os.replace(bak, path)
            raise
        for bak, _ in installed:
            if bak is not None:
                bak.unlink(missing_ok=True)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """A CSV table as UTF-8 bytes."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode()
