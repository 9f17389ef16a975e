"""Writing user-facing files atomically (a temporary file beside the target, then a rename), and
turning a failed write into one line that names the path and the cause."""
from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from .errors import BindergraphError

# Causes worth naming plainly; any other OSError keeps the system's own words.
_CAUSES = {errno.ENOSPC: "no space left on device", errno.EDQUOT: "disk quota exceeded",
           errno.EACCES: "permission denied", errno.EPERM: "permission denied",
           errno.EROFS: "read-only file system", errno.ENOTDIR: "not a directory",
           errno.EISDIR: "is a directory", errno.ENAMETOOLONG: "file name too long"}


def os_cause(exc: OSError) -> str:
    """What went wrong, in a few words. pyoxigraph (RocksDB) raises OSError without an errno and with
    the system's message inside its own, so the known messages are looked for in the text as well."""
    if exc.errno in _CAUSES:
        return _CAUSES[exc.errno]
    text = str(exc)
    for code, cause in _CAUSES.items():
        if os.strerror(code) in text:
            return cause
    return exc.strerror or (text.splitlines()[0] if text else type(exc).__name__)


def write_error(path: Path, exc: OSError, what: str = "write") -> BindergraphError:
    """The one-line error for a failed write of `path`."""
    return BindergraphError(f"cannot {what} {path}: {os_cause(exc)}")


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never half of it."""
    path = Path(path).expanduser()
    if not path.parent.is_dir():
        raise BindergraphError(f"{path}: directory {path.parent} does not exist")
    try:
        _replace(path, data)
    except OSError as exc:
        raise write_error(path, exc) from None


def _replace(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.fchmod(fd, 0o666 & ~umask)  # mkstemp creates 0600; exports and pages are ordinary files
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
