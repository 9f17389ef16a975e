"""The on-disk pyoxigraph store next to the build output, one named graph per part."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from .errors import NotBuiltError

GRAPH_BASE = "https://w3id.org/bindergraph/graph/"
PARTS = ("ontology", "data", "references", "inferred", "links", "imports")


def graph_iri(part: str) -> str:
    return GRAPH_BASE + part


def load_store(store_dir: Path, nquads: Path) -> None:
    store = ox.Store(str(store_dir))
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    store.optimize()
    store.flush()
    del store


def open_store(out_dir: Path) -> ox.Store:
    store_dir = out_dir / "store"
    if not (store_dir.is_dir() and (out_dir / "manifest.json").is_file()):
        raise NotBuiltError(f"no built graph in {out_dir}: run `bindergraph build` first")
    try:
        return ox.Store.read_only(str(store_dir))
    except OSError as exc:
        raise NotBuiltError(f"cannot open the store in {store_dir}: {exc}") from None
