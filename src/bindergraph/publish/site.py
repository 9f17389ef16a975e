"""`bindergraph site`: the graph as a static web site laid out at the w3id paths, so that every IRI leads
somewhere once the w3id redirects are registered (docs/w3id.htaccess, docs/publishing.md).

    index.html                  home: what the graph is, and links to all of the below
    site.css                    the one stylesheet (system fonts; no page requests anything outside the site)
    resource/PAA.html           one page per entity (what `bindergraph show PAA --evidence` prints)
    resource/claim-s2-006.html  one page per record: claim, reference, section (also unit/ID, mapping/ID)
    resource/PAA.ttl, .nt, .jsonld   beside every page: its triples, for content negotiation
    resource/index.html         every entity by kind, and the records;  kinds/KIND.html: one index per kind
    ontology/index.html         the ontology: classes (hierarchy, definitions, axioms, members), properties;
                                ontology/bindergraph.ttl, .nt, .jsonld: the ontology graph
    queries/NAME.html, .rq      each catalogue query: question, text, and its answer with the default parameters
    map.html                    the interactive map (publish/page.py)
    dumps/graph.EXT             the complete graph in every format `bindergraph export` writes
    mappings/, imports/         the SSSOM table and the import modules, at the paths of their IRIs

Pages are plain HTML written here with every string passed through html.escape; links between pages are
relative, so the folder serves from any static host and from the file system. `render_entity_page` and
`render_ontology_page` also answer `bindergraph serve`'s HTML requests (suffix "" gives extensionless links).

The ontology page is generated here rather than with pyLODE: pyLODE 3.4.1 (the last release for Python
< 3.12) cannot be imported as installed (its version module opens a pyproject.toml the wheel lacks).
"""
from __future__ import annotations

import html
import os
import posixpath
import re
import shlex
import shutil
import tempfile
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..errors import BindergraphError, QueryError
from ..files import write_error
from ..graph.ontology import ONTOLOGY_IRI as _ONTOLOGY_IRI
from ..query.engine import BGR, PREFIXES, Engine, Result, Term, Triples
from ..query.names import did_you_mean, entity_names
from ..query.results import _cell, curie, labels_for, to_graph
from ..query.store import graph_iri
from ..query.show import (_SECTION_RELATION, BG, INFERRED_GRAPH, EntityPage, Fact, _quotes, _sorted_facts, entity_page, local,
                          name)
from ..query.text import readable
from .analytics import KINDS

ONTOLOGY_IRI = str(_ONTOLOGY_IRI)
ONTOLOGY_GRAPH = graph_iri("ontology")
OWL = "http://www.w3.org/2002/07/owl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
BASE = "https://w3id.org/bindergraph/"
QUDT = "http://qudt.org/schema/qudt/"
# what else has an IRI under BASE and a page: claims, references, sections, the review's authors, project
# units, mapping axioms (a claim's parts, -s1 statements, -m1 figures, spans, are shown on its page)
RECORD_TYPES = (BG + "Claim", BG + "Reference", BG + "ReviewSection", "http://www.w3.org/ns/prov#Agent",
                QUDT + "Unit", QUDT + "QuantityKind", "http://www.w3.org/2002/07/owl#Axiom")
MARKER = ".bindergraph-site"  # tells a folder this command may replace from any other folder
# entity kinds for the indexes: the map's kinds that individuals have, then metrics, then the rest
ENTITY_KINDS = tuple((k, cls, label) for k, cls, label in KINDS if k not in ("class", "reference")) + (
    ("metric", BG + "Metric", "metric"), ("other", "", "other entity"))
RDF_FORMATS = ("ttl", "nt", "jsonld")  # the files written beside each page, for content negotiation
DUMP_NAMES = {"ttl": "Turtle", "nt": "N-Triples", "nq": "N-Quads (named graphs)", "jsonld": "JSON-LD"}


# ------------------------------------------------------------------------------------ links
@dataclass(frozen=True)
class Place:
    """Where a page sits in the site, so that all its links are relative: resource/PAA.html links PAN.html,
    ../ontology/index.html#Binder and ../site.css. With suffix "" the paths are the extensionless IRIs a
    server answers (resource/PAA, ontology)."""
    path: str
    suffix: str = ".html"

    def href(self, target: str, fragment: str = "") -> str:
        rel = posixpath.relpath(target, posixpath.dirname(self.path) or ".")
        return urllib.parse.quote(rel) + (f"#{urllib.parse.quote(fragment)}" if fragment else "")

    @property
    def ontology(self) -> str:
        return "ontology/index.html" if self.suffix else "ontology"

    def entity(self, iri: str) -> str:
        """The page of an entity or record: its IRI's path under BASE (resource/PAA, unit/A-per-g)."""
        return self.href(f"{site_path(iri)}{self.suffix}")

    def term(self, iri: str) -> str:
        return self.href(self.ontology, anchor(iri))


def site_path(iri: str) -> str:
    return iri[len(BASE):] if iri.startswith(BASE) else f"resource/{local(iri)}"


def anchor(iri: str) -> str:
    """A term's fragment on the ontology page: its local name for bg: terms (bg:Binder -> Binder), else its
    CURIE with '_' (oa:SpecificResource -> oa_SpecificResource)."""
    return iri[len(BG):] if iri.startswith(BG) else short(iri).replace(":", "_")


def short(iri: str) -> str:
    """A CURIE: the tables' (CHEBI:46883, bg:Binder), else with the graph's prefixes (rdf:type,
    prov:wasDerivedFrom), else the IRI."""
    from ..graph.emit import PREFIXES as NAMESPACES

    if curie(iri) != iri:
        return curie(iri)
    for prefix, ns in [*NAMESPACES.items(), ("rdf", RDF), ("rdfs", RDFS)]:
        if iri.startswith(str(ns)) and len(iri) > len(str(ns)):
            return f"{prefix}:{iri[len(str(ns)):]}"
    return iri


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def external_link(iri: str, text: str) -> str:
    """A link out of the site, only for http(s) IRIs (never javascript: or data:)."""
    if urllib.parse.urlsplit(iri).scheme in ("http", "https"):
        return f'<a href="{esc(iri)}">{esc(text)}</a>'
    return esc(text)


def document(place: Place, title: str, body: str) -> str:
    """The shell every page shares: title, stylesheet, navigation, footer."""
    nav = [("index.html", "home"), (place.ontology, "ontology"), ("resource/index.html", "entities"),
           ("queries/index.html", "queries"), ("map.html", "map"), ("dumps/index.html", "downloads")]
    if not place.suffix:  # a server answering the IRIs has these two, not the site's other files
        nav = [(place.ontology, "ontology"), ("sparql", "SPARQL endpoint")]
    links = " ".join(f'<a href="{place.href(target)}">{text}</a>' for target, text in nav)
    # the site shares one stylesheet; a page a server answers carries it (no extra route to serve)
    style = f'<link rel="stylesheet" href="{place.href("site.css")}">' if place.suffix else f"<style>{site_css()}</style>"
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<title>{esc(title)} · bindergraph</title>\n'
            f'{style}\n</head>\n<body>\n'
            f'<nav class="site">{links}</nav>\n<main>\n{body}\n</main>\n'
            f'<footer>bindergraph: the knowledge graph of lithium-battery binders, from Zhang et al., '
            f'<a href="https://doi.org/10.1007/s41918-023-00198-2">Electrochem. Energy Rev. 2023</a> (CC BY 4.0). '
            f'Graph and ontology: CC BY 4.0.</footer>\n</body>\n</html>\n')


def site_css() -> str:
    """The shared stylesheet (`site.css` at the root of the site)."""
    return resources.files("bindergraph.publish").joinpath("templates/site.css").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------------- entities
@dataclass(frozen=True)
class Entity:
    iri: str
    label: str
    kind: str

    @property
    def id(self) -> str:
        return local(self.iri)


def entities(engine: Engine) -> list[Entity]:
    """Every entity (a named individual under bgr:), with its label and its kind for the indexes."""
    rows = engine.select(PREFIXES + """SELECT ?e ?label ?t WHERE {
        ?e a owl:NamedIndividual . FILTER(STRSTARTS(STR(?e), STR(bgr:)))
        OPTIONAL { ?e rdfs:label ?label } OPTIONAL { ?e a ?t FILTER(STRSTARTS(STR(?t), STR(bg:))) } }""").rows
    labels: dict[str, str] = {}
    types: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        iri = r["e"].value
        labels.setdefault(iri, r["label"].value if "label" in r else local(iri))
        if "t" in r:
            types[iri].add(r["t"].value)
    kinds = {iri: next(k for k, cls, _ in ENTITY_KINDS if not cls or cls in types[iri]) for iri in labels}
    return sorted((Entity(iri, labels[iri], kinds[iri]) for iri in labels), key=lambda e: (e.label.casefold(), e.iri))


def _entity_iris(engine: Engine) -> set[str]:
    return {n.iri for n in entity_names(engine)}  # cached per engine by names.py


def _once(engine: Engine, key: str, compute):
    """A value read from the graph once per engine (the graph does not change under a running engine)."""
    cache = engine.__dict__.setdefault("_site_cache", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def records(engine: Engine) -> list[str]:
    """IRIs under BASE that get a page of their properties (RECORD_TYPES), entities excepted."""
    def compute() -> list[str]:
        types = " ".join(f"<{t}>" for t in RECORD_TYPES)
        rows = engine.select(f"""SELECT DISTINCT ?s WHERE {{ VALUES ?t {{ {types} }} ?s a ?t .
            FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{BASE}")) }}""").rows
        return sorted({r["s"].value for r in rows} - _entity_iris(engine))
    return _once(engine, "records", compute)


def _pages(engine: Engine) -> set[str]:
    """Every IRI with a page of its own: entities and records."""
    return _once(engine, "pages", lambda: _entity_iris(engine) | set(records(engine)))


def _documented(engine: Engine) -> set[str]:
    """Terms with an entry on the ontology page (links to any other term would lead nowhere)."""
    return _once(engine, "documented", lambda: read_ontology(engine).documented())


def render_entity_page(engine: Engine, local_id: str, *, suffix: str = ".html") -> str:
    """The HTML page of one entity (bgr:LOCAL_ID): names, classes (asserted and inferred), every statement
    with its claims (stance, quote, section, references with DOI links), external identifiers, links to the
    other entities' pages. A claim, reference or section (bgr:claim-s2-006, ...) gets its record page
    (`render_record_page`); an id that is neither is a QueryError."""
    iri = BGR + local_id
    place = Place(f"resource/{local_id}{suffix}", suffix)
    if iri in records(engine):  # a claim, a reference, a section: its properties
        return render_record_page(engine, iri, suffix=suffix)
    if iri not in _entity_iris(engine):
        hint = did_you_mean(local_id, entity_names(engine))
        raise QueryError(f"unknown entity {local_id!r}: no named individual {iri}{hint}")
    page = entity_page(engine, Term("uri", iri), evidence=True)
    ctx = _Links(place, _pages(engine), _documented(engine), page.labels)
    return document(place, page.label, _entity_body(page, ctx))


def _entity_body(page: EntityPage, ctx: _Links) -> str:
    place = ctx.place
    head = [f'<h1>{esc(page.label)} <span class="id">({esc(page.id)})</span></h1>',
            f'<p class="iri"><code>{esc(page.iri)}</code>{_rdf_files(place, page.iri)}</p>']
    meta = []
    if page.alt_labels:
        meta.append(("also", esc(", ".join(page.alt_labels))))
    if page.definition:
        meta.append(("definition", esc(readable(page.definition))))
    meta.append(("classes", _term_list(page.classes, page.labels, place)))
    if page.inferred:
        meta.append(("inferred classes", _term_list(page.inferred, page.labels, place)))
    head.append('<dl class="meta">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in meta) + "</dl>")
    return "\n".join(head + _fact_sections(page, ctx) + [_summary(page)])


def _term_list(iris: list[str], labels: dict[str, str], place: Place) -> str:
    return ", ".join(f'<a href="{place.term(c)}">{esc(labels.get(c, local(c)))}</a>' for c in iris) or "none"


def _fact_sections(page: EntityPage, ctx: _Links) -> list[str]:
    out, section = [], None
    for f in _sorted_facts(page.facts):
        if f.section != section:
            if section is not None:
                out.append("</ul>")
            section = f.section
            out += [f"<h2>{esc(section)}</h2>", '<ul class="facts">']
        out.append(_fact(page, f, ctx))
    return out + (["</ul>"] if section is not None else [])


def _fact(page: EntityPage, f: Fact, ctx: _Links) -> str:
    stance = f'<span class="stance {esc(f.stance)}">{esc(f.stance)}</span>' if f.stance != "positive" else ""
    claims = f'<span class="claims">⟨{_claim_links(f.claims, ctx)}⟩</span>' if f.claims else ""
    # the section's own relation is not repeated on each line (as in `bindergraph show`)
    lead = "" if _SECTION_RELATION.get(f.section) == f.relation else f'<span class="rel">{esc(f.relation)}:</span> '
    line = f"{lead}{_other(page, f, ctx)}{stance}{claims}"
    return f'<li class="{esc(f.stance)}">{line}{_evidence(page, f.claims, ctx)}</li>'


def _other(page: EntityPage, f: Fact, ctx: _Links) -> str:
    """The other side of a fact: a link to its page, its ontology entry or its external site; or a value."""
    if not f.other:
        return esc(readable(f.value or ""))
    if f.section == "external identifiers":  # CURIE and the external term's label
        label = page.labels.get(f.other)
        return external_link(f.other, short(f.other)) + (f" {esc(label)}" if label else "")
    return ctx.iri(f.other)


def _claim_links(ids: list[str], ctx: _Links) -> str:
    return ", ".join(f'<a href="{ctx.place.entity(BGR + c)}">{esc(c)}</a>' if BGR + c in ctx.pages else esc(c)
                     for c in ids)


def _evidence(page: EntityPage, claims: list[str], ctx: _Links) -> str:
    """Each distinct sentence behind a fact once, with the claims that quote it, its section and references."""
    items = []
    for ids, ev in _quotes(page, claims):
        refs = "; ".join(f"[{n}]" + (" " + external_link(f"https://doi.org/{urllib.parse.quote(doi, safe='/')}",
                                                          f"doi:{doi}") if doi else "") for n, doi in ev.cited)
        items.append(f'<div class="evidence"><span class="claims">{_claim_links(ids, ctx)} §{esc(ev.section)}</span>'
                     f"<blockquote>“{esc(readable(ev.quote))}”</blockquote>"
                     + (f'<span class="refs">{refs}</span>' if refs else "") + "</div>")
    return "".join(items)


def _summary(page: EntityPage) -> str:
    n_claims = len({c for f in page.facts for c in f.claims})
    return f'<p class="muted">{len(page.facts)} facts from {n_claims} claims.</p>'


def entity_rdf(engine: Engine, local_id: str, fmt: str = "ttl") -> str:
    """The entity's (or record's) own triples (every graph) and those that point at it from other IRIs (its
    claims and statements), as Turtle, N-Triples or JSON-LD."""
    return resource_rdf(engine, BGR + local_id, fmt)


def resource_rdf(engine: Engine, resource: str, fmt: str = "ttl") -> str:
    """`entity_rdf` for any IRI (a unit, a mapping axiom)."""
    return to_graph(_triples(engine, resource), fmt)


def _triples(engine: Engine, resource: str) -> Triples:
    iri = Term("uri", resource)
    out = engine.run("CONSTRUCT { ?e ?p ?o } WHERE { ?e ?p ?o }", {"e": iri})
    into = engine.run("CONSTRUCT { ?s ?p ?e } WHERE { ?s ?p ?e FILTER(isIRI(?s)) }", {"e": iri})
    assert isinstance(out, Triples) and isinstance(into, Triples)
    return Triples(out.triples + into.triples)


def _write_rdf(engine: Engine, resource: str, out: Path) -> None:
    """PATH.ttl, .nt and .jsonld beside the resource's page."""
    triples = _triples(engine, resource)
    for fmt in RDF_FORMATS:
        _write(out / f"{site_path(resource)}.{fmt}", to_graph(triples, fmt))


def ontology_rdf(engine: Engine, fmt: str = "ttl") -> str:
    """The ontology graph alone (the TBox as built), as Turtle, N-Triples or JSON-LD."""
    answer = engine.run(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}")
    assert isinstance(answer, Triples)
    return to_graph(answer, fmt)


def _entity_index(place: Place, items: list[Entity], title: str, grouped: bool) -> str:
    def listing(es: list[Entity]) -> str:
        return '<ul class="columns">' + "".join(
            f'<li><a href="{place.entity(e.iri)}">{esc(e.label)}</a>'
            + (f' <span class="id">({esc(e.id)})</span>' if e.label != e.id else "") + "</li>" for e in es) + "</ul>"
    body = [f"<h1>{esc(title)}</h1>", f'<p class="muted">{len(items)} entities.</p>']
    if not grouped:
        return "\n".join(body + [listing(items)])
    for key, _, label in ENTITY_KINDS:
        es = [e for e in items if e.kind == key]
        if es:
            body += [f'<h2 id="{key}"><a href="{place.href(f"kinds/{key}.html")}">{esc(label)}</a> '
                     f'<span class="muted">({len(es)})</span></h2>', listing(es)]
    return "\n".join(body)


def _records_index(engine: Engine, place: Place) -> str:
    """The records by type (sections, references, units, mapping axioms; claims are listed on their sections'
    pages), each linked to its page."""
    types = " ".join(f"<{t}>" for t in RECORD_TYPES if t != BG + "Claim")
    rows = engine.select(PREFIXES + f"""SELECT ?s ?t ?tl ?l WHERE {{ VALUES ?t {{ {types} }} ?s a ?t .
        FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{BASE}")) OPTIONAL {{ ?t rdfs:label ?tl }}
        OPTIONAL {{ ?s rdfs:label ?l }} }}""").rows
    groups: dict[tuple[int, str], list[tuple[str, str]]] = defaultdict(list)
    for r in rows:
        kind = r["tl"].value if "tl" in r else short(r["t"].value)
        label = r["l"].value if "l" in r else local(r["s"].value)
        groups[(RECORD_TYPES.index(r["t"].value), kind)].append((label, r["s"].value))
    body = []
    for (_, kind), items in sorted(groups.items()):
        links = "".join(f'<li><a href="{place.entity(iri)}">{esc(label)}</a></li>'
                        for label, iri in sorted(set(items), key=lambda x: _natural(x[0])))
        body += [f'<h2>{esc(kind)} <span class="muted">({len(set(items))})</span></h2>', f'<ul class="columns">{links}</ul>']
    return "\n".join(body)


def _natural(text: str) -> list:
    """'[9] …' before '[10] …', section 3.2 before 3.10."""
    return [int(x) if x.isdigit() else x.casefold() for x in re.split(r"(\d+)", text)]


# ------------------------------------------------------------------------------------ records
LONG_TEXT = {BG + "quote", "http://www.w3.org/ns/oa#exact"}  # verbatim quotes: rendered for reading
DOI = "http://purl.org/ontology/bibo/doi"


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
    ctx = _Links(place, _pages(engine), _documented(engine), labels)
    title = labels.get(iri, local(iri))
    body = [f"<h1>{esc(title)}" + (f' <span class="id">({esc(local(iri))})</span>' if title != local(iri) else "")
            + "</h1>", f'<p class="iri"><code>{esc(iri)}</code>{_rdf_files(place, iri)}</p>',
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


def _rdf_files(place: Place, iri: str) -> str:
    if not place.suffix:
        return ""
    return "".join(f' · <a href="{place.href(f"{site_path(iri)}.{fmt}")}">{fmt}</a>' for fmt in RDF_FORMATS)


@dataclass(frozen=True)
class _Links:
    """What a page may link to: pages of the site, ontology entries, outside sites; and the labels to show."""
    place: Place
    pages: set[str]
    documented: set[str]
    labels: dict[str, str]

    def iri(self, iri: str) -> str:
        """'poly(acrylic acid) (PAA)', linked to where the IRI leads."""
        return self.link(iri, name(iri, self.labels))

    def link(self, iri: str, text: str) -> str:
        if iri in self.pages:
            return f'<a href="{self.place.entity(iri)}">{esc(text)}</a>'
        if iri in self.documented:
            return f'<a href="{self.place.term(iri)}">{esc(text)}</a>'
        if iri.startswith(BASE):
            return esc(text)  # a part shown elsewhere, or a resource without a page
        return external_link(iri, text)

    def prop(self, iri: str) -> str:
        """A property by its label (its CURIE as a tooltip), linked to its ontology entry when it has one."""
        text, tip = esc(self.labels.get(iri) or short(iri)), esc(short(iri))
        if iri in self.documented:
            return f'<a href="{self.place.term(iri)}" title="{tip}">{text}</a>'
        return f'<span title="{tip}">{text}</span>'

    def value(self, prop: str, t: Term) -> str:
        if t.kind == "uri":
            return self.iri(t.value)
        if prop == DOI:
            return external_link(f"https://doi.org/{urllib.parse.quote(t.value, safe='/')}", f"doi:{t.value}")
        return esc(readable(t.value) if prop in LONG_TEXT else t.value)


def _properties(rows: list[dict[str, Term]], ctx: _Links, subject: str) -> str:
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


def _referrers(rows: list[dict[str, Term]], ctx: _Links) -> str:
    by_prop: dict[str, list[str]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: (r["p"].value, r["s"].value)):
        by_prop[r["p"].value].append(ctx.iri(r["s"].value))
    return "".join(f"<h3>{ctx.prop(p)} ({len(v)})</h3><p>{', '.join(v)}</p>" for p, v in by_prop.items())


# ----------------------------------------------------------------------------------- ontology
@dataclass
class Ontology:
    """The ontology graph read once: each IRI's properties (objects as Terms), blank nodes included."""
    props: dict[Term, dict[str, list[Term]]]
    members: dict[str, list[str]]  # class IRI -> entities asserted to be of it
    entity_labels: dict[str, str]

    def values(self, subject: Term, prop: str) -> list[Term]:
        return self.props.get(subject, {}).get(prop, [])

    def first(self, subject: Term, prop: str) -> str | None:
        vals = self.values(subject, prop)
        return vals[0].value if vals else None

    def terms(self, kind: str) -> list[Term]:
        """IRIs declared of this OWL kind (owl:Class, owl:ObjectProperty, ...), by label."""
        found = [s for s, p in self.props.items() if s.kind == "uri" and Term("uri", OWL + kind) in p.get(RDF + "type", [])]
        return sorted(found, key=lambda t: (self.label(t.value).casefold(), t.value))

    def label(self, iri: str) -> str:
        return self.first(Term("uri", iri), RDFS + "label") or local(iri)

    def entries(self) -> dict[str, list[Term]]:
        """The terms the page documents, by kind: every class, object and datatype property, and the
        annotation properties that are bindergraph's own or carry a definition."""
        kinds = {"Class": "Class", "ObjectProperty": "ObjectProperty", "DatatypeProperty": "DatatypeProperty",
                 "AnnotationProperty": "AnnotationProperty"}
        return {k: [t for t in self.terms(k) if k != "AnnotationProperty" or _described(self, t)] for k in kinds}

    def documented(self) -> set[str]:
        return {t.value for terms in self.entries().values() for t in terms}


def read_ontology(engine: Engine) -> Ontology:
    rows = engine.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}").rows
    if not rows:
        raise QueryError(f"the store has no ontology graph <{ONTOLOGY_GRAPH}>: build the graph first")
    props: dict[Term, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        props[r["s"]][r["p"].value].append(r["o"])
    for p in props.values():
        for vals in p.values():
            vals.sort()
    members: dict[str, list[str]] = defaultdict(list)
    labels: dict[str, str] = {}
    member_rows = engine.select(PREFIXES + f"""SELECT ?c ?e ?label WHERE {{
        ?e a owl:NamedIndividual, ?c . FILTER(STRSTARTS(STR(?e), STR(bgr:)))
        FILTER NOT EXISTS {{ GRAPH <{INFERRED_GRAPH}> {{ ?e a ?c }} }} OPTIONAL {{ ?e rdfs:label ?label }} }}
        ORDER BY ?c LCASE(STR(?label)) ?e""").rows
    for r in member_rows:
        members[r["c"].value].append(r["e"].value)
        labels.setdefault(r["e"].value, r["label"].value if "label" in r else local(r["e"].value))
    return Ontology(props, members, labels)


def render_ontology_page(engine: Engine, *, suffix: str = ".html") -> str:
    """The ontology's documentation: metadata, the class hierarchy, then every class (definition,
    superclasses, subclasses, equivalent classes, members linked to their pages) and every object,
    datatype and annotation property (definition, domain, range, characteristics)."""
    onto = read_ontology(engine)
    place = Place("ontology/index.html" if suffix else "ontology", suffix)
    entries = onto.entries()
    classes = entries["Class"]
    documented = {t.value for t in classes}
    sections = [("Object properties", "ObjectProperty"), ("Datatype properties", "DatatypeProperty"),
                ("Annotation properties", "AnnotationProperty")]
    props = {title: entries[kind] for title, kind in sections}
    toc = [("classes", "Classes", len(classes))] + [(_slug(t), t, len(ps)) for t, ps in props.items() if ps]
    files = " · ".join(f'<a href="{place.href(f"ontology/bindergraph.{fmt}")}">bindergraph.{fmt}</a>'
                       for fmt in RDF_FORMATS)
    body = [_ontology_header(onto, toc), f"<p>The ontology as RDF: {files}</p>" if suffix else "",
            "<h2 id=\"hierarchy\">Class hierarchy</h2>",
            _tree(onto, classes, documented, place), '<h2 id="classes">Classes</h2>']
    body += [_class_entry(onto, c, place) for c in classes]
    for title, ps in props.items():
        if ps:
            body.append(f'<h2 id="{_slug(title)}">{esc(title)}</h2>')
            body += [_property_entry(onto, p, place) for p in ps]
    return document(place, "ontology", "\n".join(body))


def _slug(title: str) -> str:
    return title.lower().replace(" ", "-")


def _described(onto: Ontology, t: Term) -> bool:
    """Annotation properties borrowed without a definition (skos:altLabel, ...) are not documented here."""
    return t.value.startswith(BG) or bool(onto.values(t, SKOS + "definition"))


def _ontology_header(onto: Ontology, toc: list[tuple[str, str, int]]) -> str:
    o = Term("uri", ONTOLOGY_IRI)
    title = onto.first(o, DCTERMS + "title") or onto.first(o, RDFS + "label") or "bindergraph ontology"
    rows = [("IRI", f"<code>{esc(ONTOLOGY_IRI)}</code>")]
    for prop, what in ((OWL + "versionIRI", "version IRI"), (OWL + "versionInfo", "version"),
                       (OWL + "priorVersion", "prior version"), (DCTERMS + "created", "created"),
                       (DCTERMS + "modified", "modified"), (DCTERMS + "creator", "creators"),
                       (DCTERMS + "license", "licence"), (DCTERMS + "source", "source"),
                       (DCTERMS + "bibliographicCitation", "citation"), (OWL + "imports", "imports")):
        vals = onto.values(o, prop)
        if vals:
            rows.append((what, ", ".join(_value(v) for v in vals)))
    description = onto.first(o, DCTERMS + "description")
    contents = " · ".join(f'<a href="#{key}">{esc(text)}</a> ({n})' for key, text, n in toc)
    return "\n".join([f"<h1>{esc(title)}</h1>", f"<p>{esc(description)}</p>" if description else "",
                      '<dl class="meta">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>",
                      f'<p><a href="#hierarchy">Class hierarchy</a> · {contents}</p>'])


def _value(t: Term) -> str:
    return external_link(t.value, t.value) if t.kind == "uri" else esc(t.value)


def _parents(onto: Ontology, c: Term, documented: set[str]) -> list[str]:
    return [s.value for s in onto.values(c, RDFS + "subClassOf") if s.kind == "uri" and s.value in documented]


def _tree(onto: Ontology, classes: list[Term], documented: set[str], place: Place) -> str:
    """Nested lists from the named rdfs:subClassOf axioms; a class with several parents is under each."""
    children: dict[str, list[str]] = defaultdict(list)
    roots = []
    for c in classes:
        parents = _parents(onto, c, documented)
        for p in parents:
            children[p].append(c.value)
        if not parents:
            roots.append(c.value)

    def branch(iri: str, seen: frozenset[str]) -> str:
        kids = [k for k in children.get(iri, []) if k not in seen]  # guards against a cycle in the axioms
        sub = "<ul>" + "".join(branch(k, seen | {k}) for k in kids) + "</ul>" if kids else ""
        return f'<li><a href="#{esc(anchor(iri))}">{esc(onto.label(iri))}</a>{sub}</li>'

    return '<ul class="tree">' + "".join(branch(r, frozenset({r})) for r in roots) + "</ul>"


def _entry_head(onto: Ontology, t: Term, kind: str) -> list[str]:
    ident = short(t.value)
    rows = [f'<section class="term" id="{esc(anchor(t.value))}">',
            f'<h3>{esc(onto.label(t.value))} <span class="id">{esc(ident)} · {kind}</span></h3>',
            f'<p class="iri"><code>{esc(t.value)}</code></p>']
    for d in onto.values(t, SKOS + "definition"):
        rows.append(f"<p>{esc(d.value)}</p>")
    return rows


def _meta(rows: list[tuple[str, str]]) -> str:
    rows = [(k, v) for k, v in rows if v]
    return '<dl class="meta">' + "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>" if rows else ""


def _class_entry(onto: Ontology, c: Term, place: Place) -> str:
    subclasses = sorted((s for s, p in onto.props.items() if s.kind == "uri" and c in p.get(RDFS + "subClassOf", [])),
                        key=lambda s: onto.label(s.value).casefold())
    members = onto.members.get(c.value, [])
    rows = [("also", esc(", ".join(v.value for v in onto.values(c, SKOS + "altLabel")))),
            ("subclass of", _exprs(onto, onto.values(c, RDFS + "subClassOf"), place)),
            ("equivalent to", _exprs(onto, onto.values(c, OWL + "equivalentClass"), place)),
            ("disjoint with", _exprs(onto, onto.values(c, OWL + "disjointWith"), place)),
            ("subclasses", ", ".join(_expr(onto, s, place) for s in subclasses)),
            ("in domain of", _uses(onto, c, RDFS + "domain", place)),
            ("in range of", _uses(onto, c, RDFS + "range", place)),
            ("examples", "; ".join(esc(e.value) for e in onto.values(c, SKOS + "example"))),
            (f"members ({len(members)})", ", ".join(
                f'<a href="{place.entity(e)}">{esc(onto.entity_labels[e])}</a>' for e in members))]
    return "\n".join(_entry_head(onto, c, "class") + [_meta(rows), "</section>"])


def _uses(onto: Ontology, c: Term, prop: str, place: Place) -> str:
    """Properties whose domain (or range) names the class, directly or in a union."""
    found = sorted({s.value for s, p in onto.props.items() if s.kind == "uri"
                    and any(c == v or c in _members_of(onto, v) for v in p.get(prop, []))})
    return ", ".join(_expr(onto, Term("uri", f), place) for f in found)


def _members_of(onto: Ontology, t: Term) -> list[Term]:
    return _list(onto, onto.values(t, OWL + "unionOf")[0]) if t.kind == "bnode" and onto.values(t, OWL + "unionOf") else []


def _property_entry(onto: Ontology, p: Term, place: Place) -> str:
    characteristics = [local(t.value) for t in onto.values(p, RDF + "type")
                       if t.value.startswith(OWL) and t.value not in (OWL + "ObjectProperty", OWL + "DatatypeProperty",
                                                                       OWL + "AnnotationProperty")]
    kind = {"ObjectProperty": "object property", "DatatypeProperty": "datatype property"}.get(
        next((local(t.value) for t in onto.values(p, RDF + "type") if t.value.startswith(OWL)), ""), "annotation property")
    rows = [("also", esc(", ".join(v.value for v in onto.values(p, SKOS + "altLabel")))),
            ("domain", _exprs(onto, onto.values(p, RDFS + "domain"), place)),
            ("range", _exprs(onto, onto.values(p, RDFS + "range"), place)),
            ("subproperty of", _exprs(onto, onto.values(p, RDFS + "subPropertyOf"), place)),
            ("inverse of", _exprs(onto, onto.values(p, OWL + "inverseOf"), place)),
            ("characteristics", esc(", ".join(characteristics))),
            ("examples", "; ".join(esc(e.value) for e in onto.values(p, SKOS + "example")))]
    return "\n".join(_entry_head(onto, p, kind) + [_meta(rows), "</section>"])


def _exprs(onto: Ontology, terms: list[Term], place: Place) -> str:
    return ", ".join(_expr(onto, t, place) for t in terms)


def _expr(onto: Ontology, t: Term, place: Place, nested: bool = False) -> str:
    """A class expression in Manchester syntax, as HTML: named terms link to their entry (or their site)."""
    if t.kind == "uri":
        if t.value in onto.documented():
            return f'<a href="#{esc(anchor(t.value))}">{esc(onto.label(t.value))}</a>'
        return external_link(t.value, curie(t.value))
    if t.kind != "bnode":
        return esc(t.value)
    text = _bnode_expr(onto, t, place)
    return f"({text})" if nested and " " in text else text


def _bnode_expr(onto: Ontology, t: Term, place: Place) -> str:
    kw = '<span class="kw">{}</span>'.format
    for prop, word in ((OWL + "intersectionOf", "and"), (OWL + "unionOf", "or")):
        if onto.values(t, prop):
            items = _list(onto, onto.values(t, prop)[0])
            return f" {kw(word)} ".join(_expr(onto, i, place, nested=True) for i in items)
    if onto.values(t, OWL + "complementOf"):
        return f"{kw('not')} {_expr(onto, onto.values(t, OWL + 'complementOf')[0], place, nested=True)}"
    on = onto.values(t, OWL + "onProperty")
    if on:
        prop = _expr(onto, on[0], place)
        for key, word in (("someValuesFrom", "some"), ("allValuesFrom", "only"), ("hasValue", "value")):
            if onto.values(t, OWL + key):
                return f"{prop} {kw(word)} {_expr(onto, onto.values(t, OWL + key)[0], place, nested=True)}"
        for key, word in (("minQualifiedCardinality", "min"), ("maxQualifiedCardinality", "max"),
                          ("qualifiedCardinality", "exactly"), ("minCardinality", "min"),
                          ("maxCardinality", "max"), ("cardinality", "exactly")):
            if onto.values(t, OWL + key):
                target = onto.values(t, OWL + "onClass")
                tail = f" {_expr(onto, target[0], place, nested=True)}" if target else ""
                return f"{prop} {kw(word)} {esc(onto.values(t, OWL + key)[0].value)}{tail}"
    if onto.values(t, OWL + "oneOf"):
        return "{" + ", ".join(_expr(onto, i, place) for i in _list(onto, onto.values(t, OWL + "oneOf")[0])) + "}"
    return "an anonymous class"


def _list(onto: Ontology, head: Term) -> list[Term]:
    items, seen = [], set()
    while head.kind == "bnode" and head not in seen:
        seen.add(head)
        items += onto.values(head, RDF + "first")
        rest = onto.values(head, RDF + "rest")
        if not rest:
            break
        head = rest[0]
    return items


# -------------------------------------------------------------------------------- the queries
def _query_pages(engine: Engine, out: Path) -> list[tuple[str, str, int]]:
    """queries/NAME.html (question, parameters, text, answer with the defaults) and NAME.rq; the index rows."""
    from ..query.catalogue import bind_params, catalogue

    rows = []
    for q in catalogue().values():
        bound = bind_params(q, {}, engine)
        res = engine.select(bound.query, bound.bindings)
        place = Place(f"queries/{q.id}.html")
        _write(out / "queries" / f"{q.id}.rq", q.text)
        _write(out / "queries" / f"{q.id}.html", document(place, q.title, _query_body(engine, q, res, place)))
        rows.append((q.id, q.title, len(res.rows)))
    return rows


def _query_body(engine: Engine, q, res: Result, place: Place) -> str:
    params = "".join(f"<tr><td><code>{esc(p.name)}</code></td><td>{esc(p.kind)}</td><td>{esc(p.default or '')}</td>"
                     f"<td>{esc(p.doc)}</td></tr>" for p in q.params)
    # the defaults spelled out: the command gives the answer below, and shows how to change it
    command = f"bindergraph query {q.id}" + "".join(f" --param {shlex.quote(f'{p.name}={p.default}')}"
                                                  for p in q.params if p.default)
    parts = [f"<h1>{esc(q.title)}</h1>", f"<p><strong>Question:</strong> {esc(q.question)}</p>",
             f"<p>Run it: <code>{esc(command)}</code> · <a href=\"{place.href(f'queries/{q.id}.rq')}\">{esc(q.id)}.rq</a></p>"]
    if params:
        parts.append("<h2>Parameters</h2><table><tr><th>name</th><th>kind</th><th>default</th><th>meaning</th></tr>"
                     f"{params}</table>")
    parts += ["<h2>Query</h2>", f"<pre>{esc(q.text)}</pre>",
              f"<h2>Answer with the default parameters</h2><p class=\"muted\">{len(res.rows)} rows.</p>",
              _answer_table(engine, res, place)]
    return "\n".join(parts)


def _answer_table(engine: Engine, res: Result, place: Place) -> str:
    labels = labels_for(engine, res)
    ctx = _Links(place, _pages(engine), _documented(engine), labels)
    head = "".join(f"<th>{esc(v)}</th>" for v in res.variables)
    body = []
    for row in res.rows:
        cells = []
        for v in res.variables:
            t = row.get(v)
            text = "".join(_cell(v, t, labels))  # the terminal table's cell: "label (id)", readable quotes
            cells.append(f"<td>{ctx.link(t.value, text) if t is not None and t.kind == 'uri' else esc(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


# ------------------------------------------------------------------------------- the whole site
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
    from .page import PageOptions, write_page

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
    _write(out / "resource" / "index.html", document(index, "entities", _entity_index(index, items, "Entities", True)
                                                     + "\n" + _records_index(engine, index)))
    kinds = {}
    for key, _, label in ENTITY_KINDS:
        es = [e for e in items if e.kind == key]
        if es:
            place = Place(f"kinds/{key}.html")
            _write(out / "kinds" / f"{key}.html", document(place, label, _entity_index(place, es, label, grouped=False)))
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
    from .. import paths

    written = []
    for folder, files in (("mappings", paths.MAPPINGS_DIR.glob("*.tsv")), ("imports", paths.IMPORTS_DIR.glob("*.ttl"))):
        for src in sorted(files):
            _write(out / folder / src.name, src.read_bytes())
            written.append(f"{folder}/{src.name}")
    return written


def _dumps(build_dir: Path, out: Path, sources: list[str]) -> list[tuple[str, int]]:
    """dumps/graph.FMT for every export format, and the downloads page (with the `sources` copied)."""
    from .export import FORMATS, export_bytes

    written = []
    for fmt in FORMATS:
        data = export_bytes(build_dir, fmt)
        _write(out / "dumps" / f"graph.{fmt}", data)
        written.append((f"graph.{fmt}", len(data)))
    place = Place("dumps/index.html")
    rows = "".join(f'<tr><td><a href="{place.href(f"dumps/{n}")}">{esc(n)}</a></td>'
                   f"<td>{esc(DUMP_NAMES.get(n.split('.', 1)[1], n.split('.', 1)[1]))}</td><td>{size:,}</td></tr>"
                   for n, size in written)
    body = ("<h1>Downloads</h1><p>The complete graph (ontology, data, references, inferences, links), as "
            "<code>bindergraph export</code> writes it.</p><table><tr><th>file</th><th>format</th><th>bytes</th></tr>"
            f"{rows}</table><h2>Sources</h2><p>The mapping table (SSSOM) and the import modules:</p><ul>"
            + "".join(f'<li><a href="{place.href(s)}">{esc(s)}</a></li>' for s in sources) + "</ul>")
    _write(out / "dumps" / "index.html", document(place, "downloads", body))
    return written


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
