"""`bindergraph serve`: a read-only SPARQL 1.1 Protocol endpoint over the built store.

Each query runs in a forked worker process (publish/workers.py), in two lanes so that slow queries
cannot starve cheap ones, and is killed at the timeout. A worker either inherits the graph the
server loaded into memory before it started listening (fork shares it copy-on-write), or opens the
on-disk store read-only. Updates are refused (403), queries that would call other endpoints
(SERVICE) are refused before they run (400, query/guard.py), results larger than the cap are
refused (413) rather than truncated silently. Connections are handled by a strict HTTP/1.1 server
on one event loop (publish/http11.py: timeouts, body limit, connection cap). No CORS header is sent
unless `cors` lists the requesting origin (or is `*`). SIGTERM or Ctrl-C stops the server and kills
every worker.
"""
from __future__ import annotations

import asyncio
import itertools
import re
import resource
import signal
import socket
import threading
import urllib.parse
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pyoxigraph as ox

from ..errors import BindergraphError, QueryError
from ..query.engine import PREFIXES, from_ox, result_from
from ..query.guard import refuse_remote
from ..query.results import FORMATS, MEDIA_TYPES, to_boolean
from ..query.store import choose_memory, open_memory_store, open_store
from .http11 import Http11Server, Limits, Request, Response, listen
from .workers import LaneConfig, Reply, WorkerPool, text_reply

_ACCEPT_ORDER = [("application/sparql-results+json", "json"), ("application/json", "json"),
                 ("application/sparql-results+xml", "xml"), ("application/xml", "xml"),
                 ("text/csv", "csv"), ("text/tab-separated-values", "tsv")]
_GRAPH_TYPES = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
                "application/rdf+xml": ox.RdfFormat.RDF_XML}
ALLOWED_METHODS = "GET, HEAD, POST, OPTIONS"
_CORS_METHODS = ("GET", "HEAD", "POST")
_FD_RESERVE = 64  # descriptors kept for worker pipes, the store and the listening socket


@dataclass(frozen=True)
class ServerConfig:
    out_dir: Path  # a build output (see `bindergraph build`)
    timeout: float = 10.0
    max_rows: int = 10000
    prefixes: bool = True
    store: str = "auto"  # memory | disk | auto (memory when the graph is small; see store.choose_memory)
    cors: tuple[str, ...] = ()  # origins allowed to read answers in a browser; "*" for any
    # Lanes (publish/workers.py): every query starts on one of fast_workers; one still running after
    # promote_after seconds moves to one of slow_workers. Twice as many fast as slow leave room for cheap
    # queries while as many new slow ones have not yet moved.
    fast_workers: int = 8
    slow_workers: int = 4
    promote_after: float = 0.5
    max_body: int = 1_000_000  # bytes of a POST body
    head_timeout: float = 10.0  # seconds for a request head (idle keep-alive or slow headers)
    max_connections: int = 1000  # at most this many (fewer if the file-descriptor limit is lower)

    def lanes(self) -> LaneConfig:
        return LaneConfig(self.timeout, self.fast_workers, self.slow_workers, self.promote_after)

    def limits(self) -> Limits:
        fd_soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        budget = self.max_connections if fd_soft == resource.RLIM_INFINITY else fd_soft - _FD_RESERVE
        return Limits(max_body=self.max_body, head_timeout=self.head_timeout,
                      max_connections=max(1, min(self.max_connections, budget)))


_ORIGIN = re.compile(r"[a-z][a-z0-9+.\-]*://[^/\s?#]+")


def parse_origins(values: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Origins for --cors, as browsers send them (lower case, no path or trailing slash); `*` as is."""
    origins = []
    for value in values:
        origin = value.strip().rstrip("/").lower()
        if origin != "*" and not _ORIGIN.fullmatch(origin):
            raise BindergraphError(f"--cors {value!r}: not an origin (scheme://host[:port], or *)")
        origins.append(origin)
    return tuple(origins)


# ---------------------------------------------------------------------- in the worker process
def _run_query(source: ox.Store | str, query: str, fmt: str, accept: str, max_rows: int) -> Reply:
    """Evaluate and serialise. `source` is the in-memory store inherited through fork, or the output
    folder whose current build's on-disk store each query opens (so the server follows rebuilds, and
    never reads a build folder a later build removed)."""
    try:
        store = source if isinstance(source, ox.Store) else open_store(Path(source))
        res = store.query(query, use_default_graph_as_union=True)
        if isinstance(res, ox.QueryBoolean):
            media = MEDIA_TYPES[fmt if fmt in ("json", "xml") else "json"]
            return Reply(200, media, to_boolean(bool(res), fmt).encode())
        if isinstance(res, ox.QuerySolutions):
            result = result_from([v.value for v in res.variables], itertools.islice(res, max_rows + 1), from_ox)
            if len(result.rows) > max_rows:
                return text_reply(413, f"result exceeds {max_rows} rows; add a LIMIT")
            return Reply(200, MEDIA_TYPES[fmt], FORMATS[fmt](result).encode("utf-8"))
        media = next((m for m in _GRAPH_TYPES if m in accept), "application/n-triples")
        triples = list(itertools.islice(res, max_rows + 1))
        if len(triples) > max_rows:
            return text_reply(413, f"result exceeds {max_rows} triples; add a LIMIT")
        return Reply(200, media, ox.serialize(triples, format=_GRAPH_TYPES[media]))
    except SyntaxError as exc:
        return text_reply(400, f"SPARQL syntax error: {str(exc).splitlines()[0]}")
    except Exception as exc:  # reported to the client; the server itself keeps running
        return text_reply(500, f"query failed: {type(exc).__name__}: {str(exc)[:300]}")


# ---------------------------------------------------------------------- in the server
def _negotiate(accept: str, fmt_param: str | None) -> str:
    if fmt_param in FORMATS:
        return fmt_param
    accept = (accept or "").lower()
    for media, fmt in _ACCEPT_ORDER:
        if media in accept:
            return fmt
    return "json"


def _text(status: int, message: str) -> Response:
    return Response(status, (message + "\n").encode())


def _with_charset(ctype: str) -> str:
    return ctype if "charset" in ctype or not ctype.startswith("text/") else ctype + "; charset=utf-8"


_REFUSE_UPDATE = (403, "read-only endpoint: SPARQL Update is not accepted")


class SparqlHandler:
    """The SPARQL 1.1 Protocol over one request: routing, parameters, CORS; queries go to the pool."""

    def __init__(self, config: ServerConfig, pool: WorkerPool):
        self.config, self.pool = config, pool

    async def __call__(self, req: Request) -> Response:
        try:
            resp = await self._route(req)
        except Exception as exc:  # a bug must not take the connection loop down
            resp = _text(500, f"internal error: {type(exc).__name__}")
        resp.headers += self._cors(req)
        return resp

    async def _route(self, req: Request) -> Response:
        url = urllib.parse.urlsplit(req.target)
        if req.method == "OPTIONS":
            return self._options(req)
        if req.method in ("PUT", "DELETE", "PATCH"):
            return _text(*_REFUSE_UPDATE)
        if req.method not in _CORS_METHODS:
            return Response(405, b"method not allowed\n", headers=[("Allow", ALLOWED_METHODS)])
        if url.path in ("/", "/index.html") and req.method != "POST":
            return Response(200, _LANDING.encode(), "text/html; charset=utf-8")
        if url.path != "/sparql":
            return _text(404, "not found: the endpoint is /sparql")
        query_params = urllib.parse.parse_qs(url.query)
        if req.method == "POST":
            return await self._post(req, query_params)
        return await self._params(req, query_params)

    async def _post(self, req: Request, query_params: dict[str, list[str]]) -> Response:
        ctype = req.header("content-type").split(";")[0].strip().lower()
        body = req.body.decode("utf-8", "replace")
        if ctype == "application/sparql-update":
            return _text(*_REFUSE_UPDATE)
        if ctype == "application/sparql-query":
            return await self._answer(req, body, query_params.get("format", [None])[0])
        if ctype == "application/x-www-form-urlencoded":
            return await self._params(req, urllib.parse.parse_qs(body))
        return _text(415, "use application/sparql-query or a urlencoded form")

    async def _params(self, req: Request, params: dict[str, list[str]]) -> Response:
        if "update" in params:
            return _text(*_REFUSE_UPDATE)
        if "query" not in params:
            return _text(400, "missing `query` parameter")
        return await self._answer(req, params["query"][0], params.get("format", [None])[0])

    async def _answer(self, req: Request, query: str, fmt_param: str | None) -> Response:
        try:
            refuse_remote(query)
        except QueryError as exc:
            return _text(400, str(exc))
        fmt = _negotiate(req.header("accept"), fmt_param)
        text = PREFIXES + query if self.config.prefixes else query
        reply = await self.pool.run(text, fmt, req.header("accept").lower(), self.config.max_rows)
        return Response(reply.status, reply.body, _with_charset(reply.content_type), list(reply.headers))

    # ------------------------------------------------------------------ OPTIONS and CORS
    def _allowed_origin(self, req: Request) -> str | None:
        """The Access-Control-Allow-Origin value for this request, if its origin is listed."""
        origin = req.header("origin")
        if "*" in self.config.cors:
            return "*"
        return origin if origin and origin in self.config.cors else None

    def _cors(self, req: Request) -> list[tuple[str, str]]:
        if req.method == "OPTIONS" or not self.config.cors:
            return []  # a preflight's headers are set by _options
        allowed = self._allowed_origin(req)
        headers = [("Access-Control-Allow-Origin", allowed)] if allowed else []
        return headers if "*" in self.config.cors else headers + [("Vary", "Origin")]

    def _options(self, req: Request) -> Response:
        resp = Response(204, headers=[("Allow", ALLOWED_METHODS)])
        allowed = self._allowed_origin(req)
        asked = req.header("access-control-request-method").upper()
        if allowed and asked in _CORS_METHODS:  # a CORS preflight from a listed origin
            resp.headers += [("Access-Control-Allow-Origin", allowed),
                             ("Access-Control-Allow-Methods", ", ".join(_CORS_METHODS)),
                             ("Access-Control-Allow-Headers", "Accept, Content-Type"),
                             ("Access-Control-Max-Age", "600")]
        if self.config.cors and "*" not in self.config.cors:
            resp.headers.append(("Vary", "Origin"))
        return resp


_LANDING = """<!doctype html><meta charset="utf-8"><title>bindergraph SPARQL endpoint</title>
<h1>bindergraph SPARQL endpoint</h1><p>Read-only SPARQL 1.1 Protocol endpoint at <code>/sparql</code>
(GET or POST; JSON, XML, CSV, TSV results by content negotiation). Common prefixes (bg:, bgr:, skos:, oa:, ...) are predeclared.</p>
<form action="/sparql"><textarea name="query" rows="6" cols="80">SELECT ?binder WHERE { ?binder a bg:SelfHealingBinder }</textarea>
<br><select name="format"><option>json</option><option>csv</option><option>tsv</option><option>xml</option></select>
<button>Run</button></form>"""


class Server:
    """The endpoint on a bound socket: `serve_forever()` runs it in the calling thread until
    `shutdown()` (from another thread), SIGTERM or SIGINT (when run in the main thread)."""

    def __init__(self, config: ServerConfig, sock: socket.socket, source: ox.Store | str, in_memory: bool):
        self.config, self.sock, self.in_memory = config, sock, in_memory
        # a worker closes the server's sockets, which it inherits when forked
        self.pool = WorkerPool(config.lanes(), partial(_run_query, source), lambda: self.http.fds())
        self.http = Http11Server(sock, SparqlHandler(config, self.pool), config.limits())
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started, self._stopped = threading.Event(), threading.Event()
        self._entered = False

    @property
    def server_address(self) -> tuple[str, int]:
        return self.sock.getsockname()[:2]

    def serve_forever(self) -> None:
        self._stopped.clear()
        self._entered = True
        try:
            asyncio.run(self._main())
        finally:
            self._stopped.set()
            self._started.set()  # also when it failed to start: shutdown() must not wait for it

    def shutdown(self) -> None:
        """Stop serve_forever (running in another thread) and wait until it has returned."""
        if not self._entered:
            return
        self._started.wait()
        if not self._stopped.is_set():
            self._loop.call_soon_threadsafe(self._stop.set)
            self._stopped.wait()

    def server_close(self) -> None:
        self.sock.close()

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        signals = _catch_signals(self._loop, self._stop.set)
        try:
            self.pool.start()  # workers are forked before any client connects
            await self.http.start()
            self._started.set()
            await self._stop.wait()
        finally:
            self.pool.kill_all()  # first: no worker may outlive the server, even for a moment
            await self.http.close()
            for sig in signals:
                self._loop.remove_signal_handler(sig)


def _catch_signals(loop: asyncio.AbstractEventLoop, stop) -> list[int]:
    """SIGTERM and SIGINT stop the server cleanly (only the main thread may handle signals)."""
    if threading.current_thread() is not threading.main_thread():
        return []
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)
    return [signal.SIGTERM, signal.SIGINT]


def make_server(config: ServerConfig, host: str = "127.0.0.1", port: int = 8000) -> Server:
    """A server over the build in config.out_dir; with the graph in memory if config.store says so
    (loaded here, before any worker is forked). `server.in_memory` tells which."""
    in_memory = choose_memory(config.out_dir, config.store)
    if in_memory:
        source: ox.Store | str = open_memory_store(config.out_dir)
    else:
        open_store(config.out_dir)  # fails here, with a clear error, if there is no usable store
        source = str(config.out_dir)
    return Server(config, listen(host, port), source, in_memory)
