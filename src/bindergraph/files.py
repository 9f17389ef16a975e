"""Writing user-facing files atomically: a temporary file beside the target, then a rename."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import BindergraphError


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never half of it."""
    path = Path(path).expanduser()
    if not path.parent.is_dir():
        raise BindergraphError(f"{path}: directory {path.parent} does not exist")
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
