"""The output folder, written safely: one build at a time, each build in a folder of its own, and a
single pointer switched atomically when a build is complete.

    OUT/.lock                       flock()ed by the build writing OUT (its pid and start time inside)
    OUT/builds/<time>-<pid>/        one build: store/, graph.nt, graph.nq, graph.ttl, search.sqlite, manifest.json
    OUT/current -> builds/<…>       the pointer: the complete build readers open (paths.current_build)
    OUT/store, OUT/graph.nt, …      stable links through the pointer (current/store, …), for people and scripts

Readers resolve the pointer once and open every file from that folder, so they see the old build or
the new one, never a mix. The build before the current one is kept until the next build starts: a
reader that resolved the pointer just before the switch still finds its files. (An opened on-disk store
needs no folder: RocksDB opens all its table files when the store is opened, and on Linux they stay
readable when unlinked; measured with pyoxigraph 0.5.)

The lock is the kernel's (flock): a build that dies, even by SIGKILL, releases it with its last file
descriptor. The next build removes what a killed build left (build folders that are not current,
temporary names), under the lock, so nothing another build is writing.
"""
from __future__ import annotations

import fcntl
import itertools
import os
import re
import shutil
import signal
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from . import paths
from .errors import BindergraphError
from .files import write_error
from .query.search import INDEX_FILE

LOCK_FILE = ".lock"
_TEMP = ".tmp-"  # prefix of the pointer's and the links' temporary names
# Temporary names of earlier versions and of an interrupted search-index write in an old-layout folder.
_LEFTOVERS = (_TEMP, ".build-", ".old-", f".{INDEX_FILE}.")
_POLL_SECONDS = 0.2
# The names this module gives folders under builds/: only those are ever removed (OUT may be any folder).
_BUILD_NAME = re.compile(r"\d{8}T\d{6}-\d+(-\d+)?|retired-\d+")

# Where BINDERGRAPH_TEST_KILL_AT=<step> kills the build (tests/test_outputs.py), in the order they come.
KILL_STEPS = ("after-lock", "after-graph.nt", "after-graph.nq", "after-graph.ttl", "before-store", "after-store",
              "after-search.sqlite", "after-manifest.json", "before-switch", "after-switch", "after-links")


def kill_point(step: str) -> None:
    """Test hook: die here, as a crash or `kill -9` would, when BINDERGRAPH_TEST_KILL_AT names `step`."""
    if os.environ.get("BINDERGRAPH_TEST_KILL_AT") == step:
        os.kill(os.getpid(), signal.SIGKILL)


# ------------------------------------------------------------------------------------------ the lock
@contextmanager
def build_lock(out_dir: Path, wait: float = 0.0, log: Callable[[str], None] = lambda msg: None) -> Iterator[None]:
    """Hold OUT/.lock for the whole block; wait up to `wait` seconds for another build (telling `log`
    once), then fail with one line naming it. The file is removed on release (no dot file stays behind)."""
    lock = out_dir / LOCK_FILE
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd = _acquire(lock, out_dir, wait, log)
    except OSError as exc:
        raise write_error(out_dir, exc, "build in") from None
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)  # while still holding it: see _acquire
        os.close(fd)


def _acquire(lock: Path, out_dir: Path, wait: float, log: Callable[[str], None]) -> int:
    deadline = time.monotonic() + wait
    for attempt in itertools.count():
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _describe(os.pread(fd, 200, 0).decode("utf-8", "replace"))
            os.close(fd)
            if time.monotonic() >= deadline:
                raise BindergraphError(f"another build ({holder}) is writing {out_dir}; "
                                       "wait for it or use --out") from None
            if attempt == 0:
                log(f"waiting up to {wait:g} s for another build ({holder}) writing {out_dir} …")
            time.sleep(_POLL_SECONDS)
            continue
        except BaseException:
            os.close(fd)
            raise
        # The build we waited for removed the file it had locked: ours must be the file now at that name.
        if _same_file(fd, lock):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()} {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode(), 0)
            return fd
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = path.stat()
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (mine.st_dev, mine.st_ino) == (st.st_dev, st.st_ino)


def _describe(holder: str) -> str:
    """`pid 1234, started 10:02:11` (with the date when not today) from the lock file's text."""
    pid, _, started = holder.strip().partition(" ")
    if not pid.isdigit():
        return "pid unknown"
    day, _, clock = started.partition(" ")
    when = clock if day == time.strftime("%Y-%m-%d") else started
    return f"pid {pid}, started {when}" if when else f"pid {pid}"


# ------------------------------------------------------------------------------- build folders
def new_build_dir(out_dir: Path) -> Path:
    """A new, empty OUT/builds/<time>-<pid> folder (with -2, -3, … if one of that second exists)."""
    builds = out_dir / paths.BUILDS
    builds.mkdir(exist_ok=True)
    stamp = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
    for n in itertools.count(1):
        folder = builds / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue
    raise AssertionError("unreachable")


def remove_leftovers(out_dir: Path) -> None:
    """Everything a killed or replaced build left: build folders other than the current one, and
    temporary names. Call it holding the lock, so that no build is writing any of them."""
    current = paths.current_build(out_dir).resolve()
    builds = out_dir / paths.BUILDS
    for entry in sorted(builds.iterdir()) if builds.is_dir() else []:
        if _BUILD_NAME.fullmatch(entry.name) and entry.resolve() != current:
            _remove(entry)
    for entry in out_dir.iterdir():
        if entry.name.startswith(_LEFTOVERS):
            _remove(entry)


def _remove(entry: Path) -> None:
    if entry.is_dir() and not entry.is_symlink():
        shutil.rmtree(entry, ignore_errors=True)
    else:
        entry.unlink(missing_ok=True)


# --------------------------------------------------------------------------------- the switch
def switch(out_dir: Path, build_dir: Path, names: tuple[str, ...]) -> None:
    """Make the complete `build_dir` the current build: its files reach the disk, then the pointer is
    replaced in one rename. Then OUT/<name> become links through the pointer (once; they never change),
    and what an old-layout folder held there moves into builds/, to go with the next build."""
    _sync_tree(build_dir)
    pointer = out_dir / paths.CURRENT
    _retire(out_dir, pointer)  # a copy of an output folder that followed the links: `current` is a folder
    _replace_with_link(pointer, os.path.relpath(build_dir, out_dir))  # relative: OUT can be moved
    _sync_dir(out_dir)
    kill_point("after-switch")
    for name in names:
        link = out_dir / name
        target = f"{paths.CURRENT}/{name}"
        if not (link.is_symlink() and os.readlink(link) == target):
            _retire(out_dir, link)
            _replace_with_link(link, target)
    kill_point("after-links")


def _replace_with_link(path: Path, target: str) -> None:
    tmp = path.parent / f"{_TEMP}{path.name}-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, path)  # atomic: readers see the old entry or the new link


def _retire(out_dir: Path, path: Path) -> None:
    """Move a real file or folder at `path` (old layout) into a build folder that is not current."""
    if path.is_symlink() or not path.exists():
        return
    retired = out_dir / paths.BUILDS / f"retired-{os.getpid()}"
    retired.mkdir(parents=True, exist_ok=True)
    os.replace(path, retired / path.name)


def _sync_tree(folder: Path) -> None:
    """fsync every file and folder under `folder`, so that the pointer never names a build a power
    cut could leave half-written."""
    for root, _dirs, files in os.walk(folder):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _sync_dir(Path(root))


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
