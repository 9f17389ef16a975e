"""Query worker processes in two lanes, for `bindergraph serve`.

Oxigraph cannot interrupt a query in its thread, so queries run in worker processes forked from the
server (they inherit the graph loaded into memory, copy-on-write), and a worker whose query runs
too long is killed. Workers are forked ahead and reused: forking per query cost 15-20 ms of CPU
(copy-on-write faults of the Python heap), more than the query itself. Capacity is split so that
slow queries cannot starve cheap ones:

- every query starts in the *fast lane*: `fast` workers at normal priority; after `renice_after`
  seconds it runs at lower CPU priority, so that newer (likely cheap) queries get the CPU first;
- a query still running after `promote_after` seconds moves to the *slow lane* (at most `slow` such
  queries) and frees its fast slot; when the slow lane is full it is killed and answered 503 (busy)
  at once, rather than blocking new queries;
- a query still running at `timeout` is killed (503). A worker that was reniced, or that ran
  `jobs_per_worker` queries, is retired; a new one is forked when needed.

Workers never outlive the server: each leads its own process group (a Ctrl-C in the terminal
reaches only the server, which kills them), `kill_all` kills every group, and on Linux the kernel
kills a worker whose server dies, even by SIGKILL (PR_SET_PDEATHSIG).
"""
from __future__ import annotations

import asyncio
import ctypes
import json
import os
import signal
import struct
import sys
from dataclasses import dataclass, field
from typing import Callable

_PR_SET_PDEATHSIG = 1
_SLOW_NICENESS = 10
_FRAME = struct.Struct(">Q")  # length prefix of every message on a worker's pipes


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()

    def encode(self) -> bytes:
        return f"{self.status} {self.content_type}\n".encode() + self.body

    @classmethod
    def decode(cls, data: bytes) -> Reply:
        head, _, body = data.partition(b"\n")
        status, ctype = head.decode().split(" ", 1)
        return cls(int(status), ctype, body)


def text_reply(status: int, message: str, headers: tuple[tuple[str, str], ...] = ()) -> Reply:
    return Reply(status, "text/plain; charset=utf-8", (message + "\n").encode(), headers)


Runner = Callable[..., Reply]  # runs in a worker, on the arguments given to WorkerPool.run (JSON values)


@dataclass(frozen=True)
class LaneConfig:
    timeout: float = 10.0  # seconds a query may run
    fast: int = 4  # workers for queries in their first promote_after seconds
    slow: int = 4  # queries that may run longer, at once
    promote_after: float = 0.5
    renice_after: float = 0.1  # then a query runs at lower CPU priority than newer ones
    max_waiting: int = 256  # queries waiting for a fast slot; more are answered 503 at once
    jobs_per_worker: int = 1000  # then a worker is replaced (whatever its Python heap gathered)


@dataclass(eq=False)
class _Worker:
    pid: int
    jobs_fd: int  # write end of the pipe the worker reads jobs from
    replies_fd: int  # read end (non-blocking) of the pipe it writes replies to
    jobs: int = 0
    reusable: bool = True  # false once reniced
    buffer: bytearray = field(default_factory=bytearray)
    pending: asyncio.Future | None = None  # the reply to the job it runs
    alive: bool = True


class WorkerPool:
    """Runs `runner(*args)` in worker processes, in two lanes; one event loop drives it."""

    def __init__(self, config: LaneConfig, runner: Runner, inherited_fds: Callable[[], list[int]] = list):
        self.config, self.runner = config, runner
        self.inherited_fds = inherited_fds  # the server's sockets, which a worker must not hold open
        self.workers: set[_Worker] = set()
        self._idle: list[_Worker] = []
        self._fast: asyncio.Semaphore | None = None
        self._waiting = 0
        self._slow_running = 0

    def start(self) -> None:
        """Fork the fast lane's workers ahead of the first query (call from the running loop)."""
        self._fast = asyncio.Semaphore(self.config.fast)
        self._idle = [self._spawn() for _ in range(self.config.fast)]

    async def run(self, *args) -> Reply:
        if not await self._enter_fast_lane():
            return _busy("every worker is busy")
        worker = self._take_idle() or self._spawn()
        pending = self._send(worker, args)
        in_fast = True
        renice_at, promote_at = (min(t, self.config.timeout) for t in (self.config.renice_after,
                                                                        self.config.promote_after))
        try:
            if await _finished(pending, renice_at):
                return pending.result()
            worker.reusable = False  # about to run at lower priority, which only root could raise again
            _lower_priority(worker.pid)
            if await _finished(pending, promote_at - renice_at):
                return pending.result()
            if promote_at >= self.config.timeout:
                return _timed_out(self.config.timeout)
            if self._slow_running >= self.config.slow:
                return _busy(f"{self.config.slow} long-running queries are already running")
            in_fast = False
            self._fast.release()
            return await self._slow_lane(pending)
        finally:
            if in_fast:
                self._fast.release()
            self._release(worker, pending)

    def kill_all(self) -> None:
        """Kill every worker (their whole process groups) and reap them; for shutdown."""
        self._idle = []
        for worker in list(self.workers):
            self._stop(worker, text_reply(503, "the server is shutting down"))

    # ------------------------------------------------------------------ lanes
    async def _enter_fast_lane(self) -> bool:
        if self._waiting >= self.config.max_waiting:
            return False
        self._waiting += 1
        try:
            await asyncio.wait_for(self._fast.acquire(), self.config.timeout)
            return True
        except asyncio.TimeoutError:
            return False
        finally:
            self._waiting -= 1

    def _take_idle(self) -> _Worker | None:
        while self._idle:
            worker = self._idle.pop()
            if worker.alive:
                return worker
            self._stop(worker)  # died while idle
        return None

    async def _slow_lane(self, pending: asyncio.Future) -> Reply:
        self._slow_running += 1
        try:
            if await _finished(pending, max(0.0, self.config.timeout - self.config.promote_after)):
                return pending.result()
            return _timed_out(self.config.timeout)
        finally:
            self._slow_running -= 1

    def _release(self, worker: _Worker, pending: asyncio.Future) -> None:
        """Back to the idle workers if it answered and may serve again; else killed."""
        if pending.done() and worker.alive and worker.reusable and worker.jobs < self.config.jobs_per_worker:
            self._idle.append(worker)
        else:
            self._stop(worker)

    # ------------------------------------------------------------------ processes
    def _spawn(self) -> _Worker:
        loop = asyncio.get_running_loop()
        inherited = self.inherited_fds() + [fd for w in self.workers for fd in (w.jobs_fd, w.replies_fd)]
        server_pid = os.getpid()
        jobs_r, jobs_w = os.pipe()
        replies_r, replies_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: never returns
            _worker_main(self.runner, jobs_r, replies_w, server_pid, inherited + [jobs_w, replies_r])
        os.close(jobs_r)
        os.close(replies_w)
        try:
            os.setpgid(pid, pid)  # also done by the worker; whichever runs first wins the race
        except OSError:
            pass
        os.set_blocking(replies_r, False)
        worker = _Worker(pid, jobs_w, replies_r)
        self.workers.add(worker)
        loop.add_reader(replies_r, self._on_readable, worker)
        return worker

    def _send(self, worker: _Worker, args: tuple) -> asyncio.Future:
        worker.pending = asyncio.get_running_loop().create_future()
        worker.jobs += 1
        try:
            _write_frame(worker.jobs_fd, json.dumps(args).encode())
        except OSError:  # it died while idle
            self._died(worker)
        return worker.pending

    def _on_readable(self, worker: _Worker) -> None:
        try:
            chunk = os.read(worker.replies_fd, 1 << 16)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            return self._died(worker)
        worker.buffer += chunk
        if len(worker.buffer) >= _FRAME.size:
            size = _FRAME.unpack_from(worker.buffer)[0]
            if len(worker.buffer) >= _FRAME.size + size:
                data = bytes(worker.buffer[_FRAME.size:_FRAME.size + size])
                worker.buffer.clear()
                if worker.pending is not None and not worker.pending.done():
                    worker.pending.set_result(Reply.decode(data))

    def _died(self, worker: _Worker) -> None:
        worker.alive = False
        self._close_pipes(worker)
        if worker.pending is not None and not worker.pending.done():
            worker.pending.set_result(text_reply(500, "query worker died"))

    def _close_pipes(self, worker: _Worker) -> None:
        if worker.replies_fd >= 0:
            asyncio.get_running_loop().remove_reader(worker.replies_fd)
            os.close(worker.replies_fd)
            os.close(worker.jobs_fd)
            worker.replies_fd = worker.jobs_fd = -1

    def _stop(self, worker: _Worker, reply: Reply | None = None) -> None:
        """Kill the worker and reap it; `reply` answers a query it did not finish."""
        if worker not in self.workers:
            return
        self.workers.discard(worker)
        if worker.pending is not None and not worker.pending.done():
            worker.pending.set_result(reply or text_reply(503, "query stopped"))
        try:
            os.killpg(worker.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        worker.alive = False
        self._close_pipes(worker)
        os.waitpid(worker.pid, 0)  # killed: it exits at once


async def _finished(pending: asyncio.Future, seconds: float) -> bool:
    done, _ = await asyncio.wait({pending}, timeout=seconds)
    return bool(done)


def _timed_out(timeout: float) -> Reply:
    return text_reply(503, f"query timed out after {timeout:g} s")


def _busy(why: str) -> Reply:
    return text_reply(503, f"server busy: {why}; retry later", (("Retry-After", "1"),))


def _lower_priority(pid: int) -> None:
    """Give a long-running query less CPU than new ones (raising niceness needs no privilege)."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, _SLOW_NICENESS)
    except OSError:
        pass


# ---------------------------------------------------------------------- in the worker process
def _write_frame(fd: int, payload: bytes) -> None:
    view = memoryview(_FRAME.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view):]


def _read_exactly(fd: int, size: int) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def _read_frame(fd: int) -> bytes | None:
    head = _read_exactly(fd, _FRAME.size)
    return None if head is None else _read_exactly(fd, _FRAME.unpack(head)[0])


def _die_with_parent(server_pid: int) -> None:
    """Linux: the kernel sends SIGKILL to this process when the server thread that forked it ends."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != server_pid:  # the server died before prctl took effect
        os._exit(1)


def _default_signals() -> None:
    """Undo the server's signal handling: its handlers would wake the server's loop, not ours."""
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
        signal.set_wakeup_fd(-1)
    except ValueError:  # not the main thread (CPython makes the forking thread main): nothing was set
        pass


def _worker_main(runner: Runner, jobs_fd: int, replies_fd: int, server_pid: int, inherited: list[int]) -> None:
    """Body of a worker: answer jobs until the server closes the pipe, then exit without running
    the server's cleanup. It first closes the server's sockets and pipes: a worker holding a copy of
    a client's socket would keep that connection open after the server closed it."""
    code = 0
    try:
        os.setpgid(0, 0)
        _die_with_parent(server_pid)
        for fd in inherited:
            try:
                os.close(fd)
            except OSError:
                pass
        _default_signals()
        while (job := _read_frame(jobs_fd)) is not None:
            _write_frame(replies_fd, runner(*json.loads(job)).encode())
    except BaseException:  # nothing may escape into the copy of the server's event loop
        code = 1
    finally:
        os._exit(code)
