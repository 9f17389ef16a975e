"""A time limit for a local query: oxigraph and rdflib cannot be interrupted in-thread (oxigraph runs
in Rust without checking signals), so the query runs in a forked child and the parent kills it when
the time is up. The child sends its answer (or its error) back through a pipe as a pickle."""
from __future__ import annotations

import os
import pickle
import select
import signal
import time
from typing import Callable, TypeVar

from ..errors import BindergraphError, QueryError

T = TypeVar("T")
DEFAULT_TIMEOUT = 300.0  # seconds: a catalogue query takes milliseconds; a cross product, hours


def run_with_timeout(fn: Callable[[], T], timeout: float | None) -> T:
    """fn() in a forked child, killed after `timeout` seconds (None or 0: no limit, in this process)."""
    if not timeout or not hasattr(os, "fork"):
        return fn()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer, or the error as the user would see it, then leave without cleanup
        os.close(read_fd)
        try:
            payload = ("ok", fn())
        except BindergraphError as exc:  # sent as (exit code, message): not every error class unpickles
            payload = ("error", (exc.exit_code, str(exc)))
        except BaseException as exc:  # noqa: BLE001 - reported by the parent as one line
            payload = ("error", (QueryError.exit_code, f"query failed: {type(exc).__name__}: {str(exc)[:200]}"))
        with os.fdopen(write_fd, "wb") as out:
            pickle.dump(payload, out, protocol=pickle.HIGHEST_PROTOCOL)
        os._exit(0)
    os.close(write_fd)
    return _receive(pid, read_fd, timeout)


def _receive(pid: int, read_fd: int, timeout: float):
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise QueryError(f"the query ran longer than {timeout:g} s and was stopped (--timeout SECONDS, "
                                 "0 for no limit)")
            ready, _, _ = select.select([read_fd], [], [], left)
            if ready:
                chunk = os.read(read_fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        os.close(read_fd)
        _reap(pid)
    if not chunks:
        raise QueryError("the query process ended without an answer")
    status, value = pickle.loads(b"".join(chunks))
    if status == "error":
        code, message = value
        err = QueryError(message)
        err.exit_code = code
        raise err
    return value


def _reap(pid: int) -> None:
    """Stop the child if it still runs, and collect it (no zombie)."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    except ChildProcessError:
        pass
