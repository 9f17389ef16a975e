"""`bindergraph serve`: a read-only SPARQL 1.1 Protocol endpoint over the built store.

Each query runs in a forked worker process; the server kills it when the timeout passes, so a
runaway query cannot hold the server. A worker either inherits the graph the server loaded into
memory before it started listening (fork shares it copy-on-write), or opens the on-disk store
read-only. Updates are refused (403), results larger than the cap are refused (413) rather than
truncated silently.
"""
from __future__ import annotations

import itertools
import json
import multiprocessing as mp
import threading
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox

from ..query.engine import PREFIXES, from_ox, result_from
from ..query.results import FORMATS, MEDIA_TYPES
from ..query.store import choose_memory, open_memory_store, open_store

_CTX = mp.get_context("fork")
_ACCEPT_ORDER = [("application/sparql-results+json", "json"), ("application/json", "json"),
                 ("application/sparql-results+xml", "xml"), ("application/xml", "xml"),
                 ("text/csv", "csv"), ("text/tab-separated-values", "tsv")]
_GRAPH_TYPES = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
                "application/rdf+xml": ox.RdfFormat.RDF_XML}


@dataclass(frozen=True)
class ServerConfig:
    out_dir: Path  # a build output (see `bindergraph build`)
    timeout: float = 10.0
    max_rows: int = 10000
    max_workers: int = 4
    prefixes: bool = True
    store: str = "auto"  # memory | disk | auto (memory when the graph is small; see store.choose_memory)


def _negotiate(accept: str, fmt_param: str | None) -> str:
    if fmt_param in FORMATS:
        return fmt_param
    accept = (accept or "").lower()
    for media, fmt in _ACCEPT_ORDER:
        if media in accept:
            return fmt
    return "json"


def _run_query(source: ox.Store | str, query: str, fmt: str, accept: str, max_rows: int, conn) -> None:
    """Worker body: evaluate, serialise, send (status, content type, body). `source` is the
    in-memory store inherited through fork, or the path of the on-disk store."""
    try:
        store = source if isinstance(source, ox.Store) else ox.Store.read_only(source)
        res = store.query(query, use_default_graph_as_union=True)
        if isinstance(res, ox.QueryBoolean):
            body = _boolean(bool(res), fmt)
            conn.send((200, MEDIA_TYPES[fmt if fmt in ("json", "xml") else "json"], body))
        elif isinstance(res, ox.QuerySolutions):
            result = result_from([v.value for v in res.variables], itertools.islice(res, max_rows + 1), from_ox)
            if len(result.rows) > max_rows:
                conn.send((413, "text/plain", f"result exceeds {max_rows} rows; add a LIMIT".encode()))
                return
            conn.send((200, MEDIA_TYPES[fmt], FORMATS[fmt](result).encode("utf-8")))
        else:
            media = next((m for m in _GRAPH_TYPES if m in (accept or "")), "application/n-triples")
            triples = list(res)
            if len(triples) > max_rows:
                conn.send((413, "text/plain", f"result exceeds {max_rows} triples; add a LIMIT".encode()))
                return
            body = ox.serialize(triples, format=_GRAPH_TYPES[media])
            conn.send((200, media, body))
    except SyntaxError as exc:
        conn.send((400, "text/plain", f"SPARQL syntax error: {str(exc).splitlines()[0]}".encode()))
    except Exception as exc:  # reported to the client; the server itself keeps running
        conn.send((500, "text/plain", f"query failed: {type(exc).__name__}: {str(exc)[:300]}".encode()))
    finally:
        conn.close()


def _boolean(value: bool, fmt: str) -> bytes:
    if fmt == "xml":
        return (f'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                f"<boolean>{'true' if value else 'false'}</boolean></sparql>").encode()
    return json.dumps({"head": {}, "boolean": value}).encode()


class _Handler(BaseHTTPRequestHandler):
    server_version = "bindergraph-sparql"
    config: ServerConfig
    source: ox.Store | str
    slots: threading.BoundedSemaphore

    def log_message(self, fmt, *args):  # quiet by default; errors still reach the client
        pass

    # ---------------------------------------------------------------- HTTP verbs
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path in ("/", "/index.html"):
            return self._send(200, "text/html; charset=utf-8", _LANDING.encode())
        if url.path != "/sparql":
            return self._send(404, "text/plain", b"not found: the endpoint is /sparql")
        params = urllib.parse.parse_qs(url.query)
        if "update" in params:
            return self._refuse_update()
        if "query" not in params:
            return self._send(400, "text/plain", b"missing `query` parameter")
        self._answer(params["query"][0], params.get("format", [None])[0])

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/sparql":
            return self._send(404, "text/plain", b"not found: the endpoint is /sparql")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        length = int(self.headers.get("Content-Length") or 0)
        if length > 1_000_000:
            return self._send(413, "text/plain", b"request body too large")
        body = self.rfile.read(length).decode("utf-8", "replace")
        if ctype == "application/sparql-update":
            return self._refuse_update()
        if ctype == "application/sparql-query":
            return self._answer(body, urllib.parse.parse_qs(url.query).get("format", [None])[0])
        if ctype == "application/x-www-form-urlencoded":
            params = urllib.parse.parse_qs(body)
            if "update" in params:
                return self._refuse_update()
            if "query" not in params:
                return self._send(400, "text/plain", b"missing `query` parameter")
            return self._answer(params["query"][0], params.get("format", [None])[0])
        return self._send(415, "text/plain", b"use application/sparql-query or a urlencoded form")

    def do_PUT(self):
        self._refuse_update()

    do_DELETE = do_PATCH = do_PUT

    # ---------------------------------------------------------------- helpers
    def _refuse_update(self):
        self._send(403, "text/plain", b"read-only endpoint: SPARQL Update is not accepted")

    def _answer(self, query: str, fmt_param: str | None):
        fmt = _negotiate(self.headers.get("Accept", ""), fmt_param)
        if self.config.prefixes:
            query = PREFIXES + query
        status, ctype, body = self._evaluate(query, fmt)
        self._send(status, ctype, body)

    def _evaluate(self, query: str, fmt: str) -> tuple[int, str, bytes]:
        with self.slots:
            parent, child = _CTX.Pipe(duplex=False)
            proc = _CTX.Process(target=_run_query, daemon=True,
                                args=(self.source, query, fmt, self.headers.get("Accept", ""),
                                      self.config.max_rows, child))
            proc.start()
            child.close()
            try:
                if parent.poll(self.config.timeout):
                    return parent.recv()
                return 503, "text/plain", f"query timed out after {self.config.timeout:g} s".encode()
            except EOFError:
                return 500, "text/plain", b"query worker died"
            finally:
                if proc.is_alive():
                    proc.kill()
                proc.join(1)
                parent.close()

    def _send(self, status: int, ctype: str, body: bytes):
        self.send_response(status)
        self.send_header("Content-Type", ctype if "charset" in ctype or not ctype.startswith("text/")
                         else ctype + "; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


_LANDING = """<!doctype html><meta charset="utf-8"><title>bindergraph SPARQL endpoint</title>
<h1>bindergraph SPARQL endpoint</h1><p>Read-only SPARQL 1.1 Protocol endpoint at <code>/sparql</code>
(GET or POST; JSON, XML, CSV, TSV results by content negotiation). Common prefixes (bg:, bgr:, skos:, oa:, ...) are predeclared.</p>
<form action="/sparql"><textarea name="query" rows="6" cols="80">SELECT ?binder WHERE { ?binder a bg:SelfHealingBinder }</textarea>
<br><select name="format"><option>json</option><option>csv</option><option>tsv</option><option>xml</option></select>
<button>Run</button></form>"""


def make_server(config: ServerConfig, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    """A server over the build in config.out_dir; with the graph in memory if config.store says so
    (loaded here, before any worker is forked). `server.in_memory` tells which."""
    in_memory = choose_memory(config.out_dir, config.store)
    if in_memory:
        source: ox.Store | str = open_memory_store(config.out_dir)
    else:
        open_store(config.out_dir)  # fails here, with a clear error, if there is no usable store
        source = str(config.out_dir / "store")
    handler = type("Handler", (_Handler,), {"config": config, "source": source,
                                            "slots": threading.BoundedSemaphore(config.max_workers)})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    server.in_memory = in_memory
    return server
