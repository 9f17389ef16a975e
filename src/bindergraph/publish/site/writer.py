"""`bindergraph site`: every page, the RDF beside it, the indexes, the ontology, the query pages, the map and
the downloads, written into a new folder that then replaces the output folder as a whole."""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import BindergraphError
from ...files import write_error
from ...query.engine import Engine
from ...query.results import to_graph
from .entities import render_entity_page
from .index import ENTITY_KINDS, Entity, entities, entity_index, records, records_index
from .layout import RDF_FORMATS, Place, document, esc, site_css, site_path
from .ontology import render_ontology_page
from .queries import query_body
from .rdf import ontology_rdf, resource_triples
from .records import render_record_page

MARKER = ".bindergraph-site"  # tells a folder this command may replace from any other folder
DUMP_NAMES = {"ttl": "Turtle", "nt": "N-Triples", "nq": "N-Quads (named graphs)", "jsonld": "JSON-LD"}
COMPLETE = "ontology, data, references, inferences, links"  # what every dump holds, but:
# OWL functional syntax has no axiom for the rdf:Statement nodes of the data, so that export writes only
# the terminology (export.TERMINOLOGY: the ontology, import modules and mapping graphs)
ONTOLOGY_ONLY = ("ofn",)
ONTOLOGY_PART = ("only the ontology (classes, properties, import modules, mappings to external identifiers), "
                 "not the data (no claims, statements or references)")


@dataclass
class SiteStats:
    entities: int
    queries: int
    dumps: list[str]
    map_nodes: int
    pages: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


def write_site(engine: Engine, build_dir: Path, output: Path) -> SiteStats:
    """Write the whole site into a new folder beside `output`, then put it in place of `output` (a folder
    that is empty, missing, or an earlier site). A failed run leaves `output` as it was."""
    output = Path(output).expanduser()
    _check_target(output)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    except OSError as exc:
        raise write_error(output, exc) from None
    try:
        stats = _write_all(engine, build_dir, staging)
        _swap(staging, output)
    except OSError as exc:
        raise write_error(output, exc) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return stats


def _check_target(output: Path) -> None:
    if not output.parent.is_dir():
        raise BindergraphError(f"{output}: directory {output.parent} does not exist")
    if output.exists() and not output.is_dir():
        raise BindergraphError(f"{output}: not a directory")
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).is_file():
        raise BindergraphError(f"{output}: folder is not empty and holds no bindergraph site; "
                               "give a new or empty folder")


def _swap(staging: Path, output: Path) -> None:
    old = None
    if output.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{output.name}.old.", dir=output.parent))
        os.replace(output, old / "site")
    os.replace(staging, output)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _write(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)


def _write_all(engine: Engine, build_dir: Path, out: Path) -> SiteStats:
    from ..page import PageOptions, write_page

    (out / MARKER).write_text("written by `bindergraph site`; this folder is replaced as a whole\n")
    _write(out / ".nojekyll", "")  # GitHub Pages: serve the files as they are
    _write(out / "site.css", site_css())
    items = entities(engine)
    for e in items:
        _write(out / "resource" / f"{e.id}.html", render_entity_page(engine, e.id))
        _write_rdf(engine, e.iri, out)
    for iri in records(engine):
        _write(out / f"{site_path(iri)}.html", render_record_page(engine, iri))
        _write_rdf(engine, iri, out)
    sources = _copy_sources(out)
    index = Place("resource/index.html")
    _write(out / "resource" / "index.html", document(index, "entities", entity_index(index, items, "Entities", True)
                                                     + "\n" + records_index(engine, index)))
    kinds = {}
    for key, _, label in ENTITY_KINDS:
        es = [e for e in items if e.kind == key]
        if es:
            place = Place(f"kinds/{key}.html")
            _write(out / "kinds" / f"{key}.html", document(place, label, entity_index(place, es, label, grouped=False)))
            kinds[key] = len(es)
    _write(out / "ontology" / "index.html", render_ontology_page(engine))
    for fmt in RDF_FORMATS:
        _write(out / "ontology" / f"bindergraph.{fmt}", ontology_rdf(engine, fmt))
    queries = _query_pages(engine, out)
    _write(out / "queries" / "index.html", _queries_index(queries))
    dumps = _dumps(build_dir, out, sources)
    map_stats = write_page(engine, out / "map.html", PageOptions())
    _write(out / "index.html", _home(items, kinds, queries, dumps, map_stats))
    pages = sum(1 for _ in out.rglob("*.html"))
    return SiteStats(len(items), len(queries), [name for name, _ in dumps], map_stats["nodes"], pages, kinds)


def _copy_sources(out: Path) -> list[str]:
    """The mapping table and the import modules, at the paths of their IRIs (mappings/bindergraph.sssom.tsv,
    imports/chebi-import.ttl for https://w3id.org/bindergraph/imports/chebi-import)."""
    from ... import paths

    written = []
    for folder, files in (("mappings", paths.MAPPINGS_DIR.glob("*.tsv")), ("imports", paths.IMPORTS_DIR.glob("*.ttl"))):
        for src in sorted(files):
            _write(out / folder / src.name, src.read_bytes())
            written.append(f"{folder}/{src.name}")
    return written


def _dumps(build_dir: Path, out: Path, sources: list[str]) -> list[tuple[str, int]]:
    """dumps/graph.FMT for every export format, and the downloads page (with the `sources` copied)."""
    from ..export import FORMATS, export_bytes

    written = []
    for fmt in FORMATS:
        data = export_bytes(build_dir, fmt)
        _write(out / "dumps" / f"graph.{fmt}", data)
        written.append((f"graph.{fmt}", len(data)))
    _write(out / "dumps" / "index.html", _downloads_page(written, sources))
    return written


def _downloads_page(written: list[tuple[str, int]], sources: list[str]) -> str:
    place = Place("dumps/index.html")
    rows = "".join(f'<tr><td><a href="{place.href(f"dumps/{n}")}">{esc(n)}</a></td>'
                   f"<td>{esc(DUMP_NAMES.get(_ext(n), _ext(n)))}</td><td>{esc(_holds(_ext(n)))}</td>"
                   f"<td>{size:,}</td></tr>" for n, size in written)
    partial = ", ".join(f"<code>graph.{fmt}</code>" for fmt in ONTOLOGY_ONLY)
    body = ("<h1>Downloads</h1><p>The graph as <code>bindergraph export</code> writes it: the complete graph "
            f"({COMPLETE}) in every format but {partial}, which holds {esc(ONTOLOGY_PART)}.</p>"
            "<table><tr><th>file</th><th>format</th><th>holds</th><th>bytes</th></tr>"
            f"{rows}</table><h2>Sources</h2><p>The mapping table (SSSOM) and the import modules:</p><ul>"
            + "".join(f'<li><a href="{place.href(s)}">{esc(s)}</a></li>' for s in sources) + "</ul>")
    return document(place, "downloads", body)


def _ext(name: str) -> str:
    return name.split(".", 1)[1]


def _holds(fmt: str) -> str:
    return ONTOLOGY_PART if fmt in ONTOLOGY_ONLY else "the complete graph"


def _queries_index(rows: list[tuple[str, str, int]]) -> str:
    place = Place("queries/index.html")
    items = "".join(f'<tr><td><a href="{place.href(f"queries/{qid}.html")}">{esc(qid)}</a></td><td>{esc(title)}</td>'
                    f"<td>{n}</td></tr>" for qid, title, n in rows)
    body = ("<h1>Competency questions</h1><p>The SPARQL catalogue (<code>bindergraph queries</code>), each with its "
            f"answer for the default parameters.</p><table><tr><th>query</th><th>title</th><th>rows</th></tr>{items}</table>")
    return document(place, "queries", body)


def _home(items: list[Entity], kinds: dict[str, int], queries: list, dumps: list, map_stats: dict) -> str:
    place = Place("index.html")
    labels = {k: label for k, _, label in ENTITY_KINDS}
    kind_links = "".join(f'<li><a href="{place.href(f"kinds/{k}.html")}">{esc(labels[k])}</a> ({n})</li>'
                         for k, n in kinds.items())
    body = f"""<h1>bindergraph</h1>
<p>The knowledge graph of lithium-battery binders, built from the review <em>Exploring More Functions in Binders
for Lithium Batteries</em> (Zhang et al., Electrochem. Energy Rev. 2023,
<a href="https://doi.org/10.1007/s41918-023-00198-2">doi:10.1007/s41918-023-00198-2</a>). Every statement is a
claim carrying the verbatim sentence it comes from, its section and the references that sentence cites.</p>
<ul>
<li><a href="{place.href("ontology/index.html")}">The ontology</a>: classes, properties, definitions</li>
<li><a href="{place.href("resource/index.html")}">{len(items)} entities</a>, one page each, by kind:<ul>{kind_links}</ul></li>
<li><a href="{place.href("queries/index.html")}">{len(queries)} competency questions</a> with their SPARQL and answers</li>
<li><a href="{place.href("map.html")}">The interactive map</a> ({map_stats["nodes"]} nodes, {map_stats["edges"]} edges)</li>
<li><a href="{place.href("dumps/index.html")}">Downloads</a>: {esc(", ".join(n for n, _ in dumps))}</li>
</ul>
<p class="muted">Every IRI <code>https://w3id.org/bindergraph/resource/ID</code> leads to <code>resource/ID.html</code>
here (and to <code>resource/ID.ttl</code> for RDF clients).</p>"""
    return document(place, "home", body)


def _write_rdf(engine: Engine, resource: str, out: Path) -> None:
    """PATH.ttl, .nt and .jsonld beside the resource's page."""
    triples = resource_triples(engine, resource)
    for fmt in RDF_FORMATS:
        _write(out / f"{site_path(resource)}.{fmt}", to_graph(triples, fmt))


def _query_pages(engine: Engine, out: Path) -> list[tuple[str, str, int]]:
    """queries/NAME.html (question, parameters, text, answer with the defaults) and NAME.rq; the index rows."""
    from ...query.catalogue import bind_params, catalogue

    rows = []
    for q in catalogue().values():
        bound = bind_params(q, {}, engine)
        res = engine.select(bound.query, bound.bindings)
        place = Place(f"queries/{q.id}.html")
        _write(out / "queries" / f"{q.id}.rq", q.text)
        _write(out / "queries" / f"{q.id}.html", document(place, q.title, query_body(engine, q, res, place)))
        rows.append((q.id, q.title, len(res.rows)))
    return rows
