"""The SPARQL store: the on-disk pyoxigraph store next to the build output, one named graph per part,
and an in-memory copy of it for long-running processes.

A one-shot command opens the on-disk store (cheap to open at any size). A long-running process that
answers many queries (`bindergraph serve`) loads the graph into memory once, when it is small enough:
oxigraph's in-memory storage answers our claim-join queries several times faster than RocksDB.
"""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from ..errors import NotBuiltError
from ..paths import current_build

GRAPH_BASE = "https://w3id.org/bindergraph/graph/"
PARTS = ("ontology", "data", "references", "inferred", "links", "imports")
# Above this size of graph.nq, `auto` keeps the graph on disk: loading 522 MiB of N-Triples took 15 s
# and 722 MiB of memory (benchmarks/RESULTS.md, 100x).
MEMORY_LIMIT_BYTES = 256 * 2**20


def graph_iri(part: str) -> str:
    return GRAPH_BASE + part


def _format(path: Path) -> ox.RdfFormat:
    return ox.RdfFormat.N_QUADS if path.suffix == ".nq" else ox.RdfFormat.N_TRIPLES


def load_store(store_dir: Path, source: Path) -> None:
    """Write the on-disk store from an N-Quads (.nq) or N-Triples file."""
    store = ox.Store(str(store_dir))
    store.bulk_load(path=str(source), format=_format(source))
    store.optimize()
    store.flush()
    del store


def load_memory(source: Path) -> ox.Store:
    """An in-memory store holding an N-Quads (.nq) or N-Triples file."""
    store = ox.Store()
    store.load(path=str(source), format=_format(source))
    return store


def build_dir(out_dir: Path) -> Path:
    """The current build in the output folder `out_dir` (paths.current_build), checked complete:
    open every file of one answer from it."""
    folder = current_build(out_dir)
    if not (folder / "store").is_dir() or not (folder / "manifest.json").is_file():
        raise NotBuiltError(f"no built graph in {out_dir}: run `bindergraph build` first")
    return folder


def open_store(out_dir: Path) -> ox.Store:
    """The on-disk store of the current build, read-only."""
    store = build_dir(out_dir) / "store"
    try:
        return ox.Store.read_only(str(store))
    except OSError as exc:
        raise NotBuiltError(f"cannot open the store in {store}: {exc}") from None


def open_memory_store(out_dir: Path) -> ox.Store:
    """The same quads (named graphs included) in an in-memory store, loaded from graph.nq."""
    nq = build_dir(out_dir) / "graph.nq"
    try:
        return load_memory(nq)
    except (OSError, SyntaxError) as exc:
        raise NotBuiltError(f"cannot load {nq} into memory: {exc}") from None


def choose_memory(out_dir: Path, mode: str) -> bool:
    """`memory`, `disk`, or `auto` (memory when graph.nq is at most MEMORY_LIMIT_BYTES)."""
    if mode == "auto":
        nq = current_build(out_dir) / "graph.nq"
        return nq.is_file() and nq.stat().st_size <= MEMORY_LIMIT_BYTES
    return mode == "memory"
