"""`bindergraph publish --to URL`: the built graph into a running triple store, named graph by named
graph, through the SPARQL 1.1 Graph Store HTTP Protocol (PUT STORE?graph=IRI with an N-Triples body),
then a check that the store counts as many triples per graph as the build wrote.

PUT replaces each graph, so publishing twice leaves the same store. urllib only: nothing else is
needed to speak the protocol, and nothing is sent anywhere but the URL given.
"""
from __future__ import annotations

import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..errors import BindergraphError
from ..query.engine import RemoteEngine


@dataclass(frozen=True)
class GraphUpload:
    """One named graph as it will be sent."""
    iri: str
    triples: int
    body: bytes  # N-Triples


@dataclass(frozen=True)
class Mismatch:
    iri: str
    expected: int
    found: int


def graphs_of(nq: Path) -> list[GraphUpload]:
    """The build's N-Quads, one N-Triples body per named graph, in IRI order."""
    by_graph: dict[str, list[ox.Triple]] = {}
    try:
        for q in ox.parse(path=str(nq), format=ox.RdfFormat.N_QUADS):
            by_graph.setdefault(q.graph_name.value, []).append(q.triple)
    except (OSError, SyntaxError) as exc:
        raise BindergraphError(f"cannot read {nq}: {exc}") from None
    return [GraphUpload(iri, len(ts), ox.serialize(ts, format=ox.RdfFormat.N_TRIPLES))
            for iri, ts in sorted(by_graph.items())]


def query_endpoint_for(store_url: str) -> str:
    """Oxigraph server's query endpoint beside its Graph Store endpoint (/store -> /query); any other
    store answers queries at the URL given unless told otherwise (`--query-endpoint`)."""
    if store_url.rstrip("/").endswith("/store"):
        return store_url.rstrip("/")[: -len("store")] + "query"
    return store_url


def put_graph(store_url: str, upload: GraphUpload, timeout: float = 300.0) -> None:
    """PUT one graph; any refusal or failure is one line naming the graph."""
    sep = "&" if "?" in store_url else "?"
    url = f"{store_url}{sep}{urllib.parse.urlencode({'graph': upload.iri})}"
    req = urllib.request.Request(url, data=upload.body, method="PUT",
                                 headers={"Content-Type": "application/n-triples"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            resp.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace").strip().splitlines()
        raise BindergraphError(f"store {store_url} refused graph <{upload.iri}> with {exc.code}: "
                               f"{detail[0][:200] if detail else exc.reason}") from None
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise BindergraphError(f"cannot reach store {store_url}: {getattr(exc, 'reason', exc)}") from None


def check_counts(query_url: str, uploads: list[GraphUpload]) -> list[Mismatch]:
    """Graphs whose triple count in the store differs from the build's (GRAPH <iri>: no dataset sent)."""
    engine = RemoteEngine(query_url, dataset="default")
    out = []
    for up in uploads:
        rows = engine.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{up.iri}> {{ ?s ?p ?o }} }}").rows
        found = int(rows[0]["n"].value) if rows and "n" in rows[0] else 0
        if found != up.triples:
            out.append(Mismatch(up.iri, up.triples, found))
    return out


def upload_all(store_url: str, uploads: list[GraphUpload], progress: Callable[[GraphUpload], None]) -> None:
    for up in uploads:
        put_graph(store_url, up)
        progress(up)


def publish(store_url: str, uploads: list[GraphUpload], query_url: str) -> None:
    """Upload every graph with progress on stderr (a bar on a terminal, a line per graph otherwise), then check."""
    if not store_url.startswith(("http://", "https://")):
        raise BindergraphError(f"--to must be an http(s) URL: {store_url!r}")
    total = sum(len(u.body) for u in uploads)
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

        with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                      console=Console(stderr=True)) as bar:
            task = bar.add_task("uploading", total=total)
            upload_all(store_url, uploads, lambda up: bar.update(task, advance=len(up.body),
                                                                 description=up.iri.rsplit("/", 1)[-1]))
    else:
        upload_all(store_url, uploads, lambda up: print(
            f"put <{up.iri}>: {up.triples} triples, {len(up.body)} bytes", file=sys.stderr))
    wrong = check_counts(query_url, uploads)
    if wrong:
        raise BindergraphError(f"store {query_url} counts differ after upload: " + "; ".join(
            f"<{m.iri}> {m.found} triples, expected {m.expected}" for m in wrong))
