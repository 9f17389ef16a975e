"""The page of a record (claim, reference, section, unit, mapping axiom): its properties, its parts, and
what refers to it."""
from __future__ import annotations

from collections import defaultdict

from ...errors import QueryError
from ...query.engine import Engine, Result, Term
from ...query.results import curie, labels_for
from ...query.show import local
from .index import documented_terms, page_iris, records
from .layout import RDF, Links, Place, document, esc, rdf_files, site_path


def render_record_page(engine: Engine, iri: str, *, suffix: str = ".html") -> str:
    """The page of a claim, reference, section, unit or mapping: its properties, its parts (a claim's
    statements, figures and evidence spans, IRIs that extend its own), and what refers to it."""
    if iri not in records(engine):
        raise QueryError(f"no record {iri} in the graph")
    place = Place(f"{site_path(iri)}{suffix}", suffix)
    me = Term("uri", iri)
    out = engine.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", {"s": me}).rows
    into = engine.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isIRI(?s)) }", {"o": me}).rows
    part_rows = _parts(engine, iri, out, into)
    parts = sorted(part_rows)
    named = Result(["x"], [{"x": t} for rows in [out, into, *part_rows.values()] for r in rows for t in r.values()])
    labels = labels_for(engine, named)
    ctx = Links(place, page_iris(engine), documented_terms(engine), labels)
    title = labels.get(iri, local(iri))
    body = [f"<h1>{esc(title)}" + (f' <span class="id">({esc(local(iri))})</span>' if title != local(iri) else "")
            + "</h1>", f'<p class="iri"><code>{esc(iri)}</code>{rdf_files(place, iri)}</p>',
            _properties(out, ctx, iri)]
    for x in parts:
        body += [f'<h2 id="{esc(local(x))}">{esc(local(x))}</h2>', _properties(part_rows[x], ctx, x)]
    referrers = [r for r in into if not _is_part(iri, r["s"])]
    if referrers:
        body += ["<h2>Referred to by</h2>", _referrers(referrers, ctx)]
    return document(place, title, "\n".join(body))


def _parts(engine: Engine, iri: str, out: list[dict], into: list[dict]) -> dict[str, list[dict]]:
    """The record's parts and their parts (a claim's evidence span, its selectors), each with its properties."""
    found: dict[str, list[dict]] = {}
    todo = [r["o"] for r in out if _is_part(iri, r["o"])] + [r["s"] for r in into if _is_part(iri, r["s"])]
    while todo:
        part = todo.pop()
        if part.value in found:
            continue
        rows = engine.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", {"s": part}).rows
        found[part.value] = rows
        todo += [r["o"] for r in rows if _is_part(iri, r["o"])]
    return found


def _is_part(iri: str, t: Term) -> bool:
    return t.kind == "uri" and t.value.startswith(iri + "-")


def _properties(rows: list[dict[str, Term]], ctx: Links, subject: str) -> str:
    """A property table: one row per property, its values together (parts link to their heading)."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: (r["p"].value, r["o"])):
        o = r["o"]
        text = (f'<a href="#{esc(local(o.value))}">{esc(local(o.value))}</a>' if _is_part(subject, o)
                else ctx.value(r["p"].value, o))
        if text not in grouped[r["p"].value]:
            grouped[r["p"].value].append(text)
    order = sorted(grouped, key=lambda p: (p != RDF + "type", ctx.labels.get(p, curie(p)).casefold()))
    cells = "".join(f"<tr><th>{ctx.prop(p)}</th><td>{', '.join(grouped[p])}</td></tr>" for p in order)
    return f"<table>{cells}</table>"


def _referrers(rows: list[dict[str, Term]], ctx: Links) -> str:
    by_prop: dict[str, list[str]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: (r["p"].value, r["s"].value)):
        by_prop[r["p"].value].append(ctx.iri(r["s"].value))
    return "".join(f"<h3>{ctx.prop(p)} ({len(v)})</h3><p>{', '.join(v)}</p>" for p, v in by_prop.items())
