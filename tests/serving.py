"""A `bindergraph serve` endpoint for a test: its own options, a free loopback port, stopped afterwards."""
from __future__ import annotations

import contextlib
import threading
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
