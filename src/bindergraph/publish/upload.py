"""`bindergraph publish --to URL`: an N-Quads file (the build's graph, or `--file`) into a running triple
store, named graph by named graph, through the SPARQL 1.1 Graph Store HTTP Protocol, then a check that
the store counts as many triples per graph as the file holds.

Big graphs go in chunks of N-Triples: the first chunk of each graph is PUT to STORE?graph=IRI (it replaces
the graph, so publishing twice leaves the same store), the following ones are POSTed (the protocol's
append). The file is streamed: at most one unsent chunk per graph is held in memory, and the progress bar
follows the bytes read. Triples with a blank node are held back and sent together as their graph's last
chunk, because each request is a document of its own and a blank node split over two would become two.

urllib only: nothing else is needed to speak the protocol, and nothing is sent anywhere but the URL given.
"""
from __future__ import annotations

import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from ..errors import BindergraphError
from ..query.engine import RemoteEngine

CHUNK_TRIPLES = 250_000


@dataclass(frozen=True)
class Chunk:
    """One request's worth of one named graph."""
    iri: str
    triples: int
    body: bytes  # N-Triples
    replace: bool  # the graph's first chunk: PUT (replace); the others POST (append)

    @property
    def method(self) -> str:
        return "PUT" if self.replace else "POST"


@dataclass
class GraphTally:
    """What was (or would be) sent of one graph."""
    iri: str
    triples: int = 0
    chunks: int = 0
    bytes: int = 0


@dataclass
class Tally:
    graphs: dict[str, GraphTally] = field(default_factory=dict)

    def add(self, chunk: Chunk) -> None:
        g = self.graphs.setdefault(chunk.iri, GraphTally(chunk.iri))
        g.triples, g.chunks, g.bytes = g.triples + chunk.triples, g.chunks + 1, g.bytes + len(chunk.body)

    @property
    def triples(self) -> int:
        return sum(g.triples for g in self.graphs.values())


@dataclass(frozen=True)
class Mismatch:
    iri: str
    expected: int
    found: int


class _CountingReader:
    """The file as the parser reads it, counting bytes so the progress bar can follow."""

    def __init__(self, fh: BinaryIO):
        self.fh, self.done = fh, 0

    def read(self, n: int = -1) -> bytes:
        data = self.fh.read(n)
        self.done += len(data)
        return data


def _has_blank(t: ox.Triple) -> bool:
    return isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)


def _quads(nq: Path, reader: _CountingReader) -> Iterator[ox.Quad]:
    """The file's quads; a malformed line is one error naming the file and the line (pyoxigraph's message)."""
    try:
        for quad in ox.parse(input=reader, format=ox.RdfFormat.N_QUADS):
            if isinstance(quad.graph_name, ox.DefaultGraph):
                raise BindergraphError(f"{nq}: a triple outside any named graph ({quad.triple}): publish sends "
                                       "named graphs only; use the N-Quads export")
            yield quad
    except SyntaxError as exc:
        raise BindergraphError(f"cannot read {nq}: {exc}") from None


@dataclass
class _Pending:
    """A graph's unsent triples, already as N-Triples bytes (a few dozen MB per chunk, not Python objects)."""
    triples: int = 0
    body: bytearray = field(default_factory=bytearray)

    def add(self, triple: ox.Triple) -> None:
        self.triples += 1
        self.body += f"{triple} .\n".encode()  # str(Triple) is its N-Triples form

    def take(self) -> tuple[int, bytes]:
        out = (self.triples, bytes(self.body))
        self.triples, self.body = 0, bytearray()
        return out


class ChunkReader:
    """Chunks of `size` triples per graph, in the order the file fills them, then each graph's remainder
    (with its blank-node triples) in IRI order. `done` is the bytes of the file read so far."""

    def __init__(self, nq: Path, size: int = CHUNK_TRIPLES):
        if size < 1:
            raise BindergraphError(f"chunk size must be at least 1 triple, not {size}")
        try:
            self.total = nq.stat().st_size
            self._fh = nq.open("rb")
        except OSError as exc:
            raise BindergraphError(f"cannot read {nq}: {exc.strerror or exc}") from None
        self.nq, self.size, self._reader = nq, size, _CountingReader(self._fh)
        self._started: set[str] = set()

    @property
    def done(self) -> int:
        return self._reader.done

    def _cut(self, iri: str, triples: int, body: bytes) -> Chunk:
        replace = iri not in self._started
        self._started.add(iri)
        return Chunk(iri, triples, body, replace)

    def __iter__(self) -> Iterator[Chunk]:
        pending: dict[str, _Pending] = {}
        blank: dict[str, _Pending] = {}
        with self._fh:
            for quad in _quads(self.nq, self._reader):
                iri, triple, held = quad.graph_name.value, quad.triple, _has_blank(quad.triple)
                buf = (blank if held else pending).setdefault(iri, _Pending())
                buf.add(triple)
                if not held and buf.triples >= self.size:
                    yield self._cut(iri, *buf.take())
        for iri in sorted(pending.keys() | blank.keys()):
            rest, bnodes = pending.get(iri, _Pending()), blank.get(iri, _Pending())
            if rest.triples + bnodes.triples:
                yield self._cut(iri, rest.triples + bnodes.triples, bytes(rest.body + bnodes.body))


def query_endpoint_for(store_url: str) -> str:
    """The query endpoint beside a Graph Store endpoint: Oxigraph server /store -> /query, Fuseki's (and
    benchmarks' Jena wrapper's) /data -> /sparql; any other store answers queries at the URL given unless
    told otherwise (`--query-endpoint`)."""
    base = store_url.rstrip("/")
    for store, query in (("/store", "/query"), ("/data", "/sparql")):
        if base.endswith(store):
            return base[: -len(store)] + query
    return store_url


def send_chunk(store_url: str, chunk: Chunk, timeout: float = 300.0) -> None:
    """PUT or POST one chunk; any refusal or failure is one line naming the graph."""
    sep = "&" if "?" in store_url else "?"
    url = f"{store_url}{sep}{urllib.parse.urlencode({'graph': chunk.iri})}"
    req = urllib.request.Request(url, data=chunk.body, method=chunk.method,
                                 headers={"Content-Type": "application/n-triples"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            resp.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace").strip().splitlines()
        raise BindergraphError(f"store {store_url} refused graph <{chunk.iri}> ({chunk.method}) with {exc.code}: "
                               f"{detail[0][:200] if detail else exc.reason}") from None
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise BindergraphError(f"cannot reach store {store_url}: {getattr(exc, 'reason', exc)}") from None


def check_counts(query_url: str, tally: Tally) -> list[Mismatch]:
    """Graphs whose triple count in the store differs from the file's (GRAPH <iri>: no dataset sent)."""
    engine = RemoteEngine(query_url, dataset="default")
    out = []
    for g in sorted(tally.graphs.values(), key=lambda g: g.iri):
        rows = engine.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{g.iri}> {{ ?s ?p ?o }} }}").rows
        found = int(rows[0]["n"].value) if rows and "n" in rows[0] else 0
        if found != g.triples:
            out.append(Mismatch(g.iri, g.triples, found))
    return out


def dry_run(chunks: ChunkReader) -> Tally:
    """Read and cut the whole file as `publish` would, sending nothing."""
    tally = Tally()
    for chunk in chunks:
        tally.add(chunk)
    return tally


def _send_all(store_url: str, chunks: ChunkReader, progress: Callable[[Chunk], None]) -> Tally:
    tally = Tally()
    for chunk in chunks:
        send_chunk(store_url, chunk)
        tally.add(chunk)
        progress(chunk)
    return tally


def _upload(store_url: str, chunks: ChunkReader) -> Tally:
    """Send every chunk with progress on stderr: a bar over the file's bytes on a terminal, a line per chunk otherwise."""
    if not sys.stderr.isatty():
        return _send_all(store_url, chunks, lambda c: print(
            f"{c.method.lower()} <{c.iri}>: {c.triples} triples, {len(c.body)} bytes", file=sys.stderr))
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True)) as bar:
        task = bar.add_task("uploading", total=chunks.total)
        return _send_all(store_url, chunks, lambda c: bar.update(
            task, completed=chunks.done, description=c.iri.rsplit("/", 1)[-1]))


def publish(store_url: str, chunks: ChunkReader, query_url: str) -> Tally:
    """Upload every chunk, then check the counts per graph; the tally of what was sent."""
    if not store_url.startswith(("http://", "https://")):
        raise BindergraphError(f"--to must be an http(s) URL: {store_url!r}")
    tally = _upload(store_url, chunks)
    wrong = check_counts(query_url, tally)
    if wrong:
        raise BindergraphError(f"store {query_url} counts differ after upload: " + "; ".join(
            f"<{m.iri}> {m.found} triples, expected {m.expected}" for m in wrong))
    return tally
