"""Endpoints for tests and benchmarks: a `bindergraph serve` in a thread (its own options, a free loopback
port, stopped afterwards), and for a store run as a process (Oxigraph server, Jena, Virtuoso) a free port,
a wait until it answers, and a stop."""
from __future__ import annotations

import contextlib
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from bindergraph.publish.serve import Server, ServerConfig, make_server


@contextlib.contextmanager
def serving(build_dir: Path, **options) -> Iterator[Server]:
    server = make_server(ServerConfig(build_dir, **options), "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def url(server: Server, path: str = "/sparql") -> str:
    host, port = server.server_address
    return f"http://{host}:{port}{path}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(proc: subprocess.Popen, url: str, seconds: float, log: Path | None = None) -> None:
    """Until the query endpoint `url` answers an ASK (any HTTP answer counts); RuntimeError, with the end of
    the process's output (`log`, else its stderr pipe), when it exits or stays silent."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            output = log.read_text(errors="replace") if log else (proc.stderr.read().decode() if proc.stderr else "")
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}: {output[-500:]}")
        try:
            with urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    raise RuntimeError(f"no answer at {url} within {seconds} s")


def stop(proc: subprocess.Popen, seconds: float = 20.0) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
