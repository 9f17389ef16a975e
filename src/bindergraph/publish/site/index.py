"""What has a page of its own (entities, records) and the index pages that list them: read from the graph
once per engine, since every page's links depend on it."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ...query.engine import PREFIXES, Engine
from ...query.names import entity_names
from ...query.show import BG, local
from ..analytics import KINDS
from .layout import BASE, Place, esc, natural, short
from .ontology import read_ontology

QUDT = "http://qudt.org/schema/qudt/"
# what else has an IRI under BASE and a page: claims, references, sections, the review's authors, project
# units, mapping axioms (a claim's parts, -s1 statements, -m1 figures, spans, are shown on its page)
RECORD_TYPES = (BG + "Claim", BG + "Reference", BG + "ReviewSection", "http://www.w3.org/ns/prov#Agent",
                QUDT + "Unit", QUDT + "QuantityKind", "http://www.w3.org/2002/07/owl#Axiom")
# entity kinds for the indexes: the map's kinds that individuals have, then metrics, then the rest
ENTITY_KINDS = tuple((k, cls, label) for k, cls, label in KINDS if k not in ("class", "reference")) + (
    ("metric", BG + "Metric", "metric"), ("other", "", "other entity"))


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


def entity_iris(engine: Engine) -> set[str]:
    return {n.iri for n in entity_names(engine)}  # cached per engine by names.py


def once(engine: Engine, key: str, compute):
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
        return sorted({r["s"].value for r in rows} - entity_iris(engine))
    return once(engine, "records", compute)


def page_iris(engine: Engine) -> set[str]:
    """Every IRI with a page of its own: entities and records."""
    return once(engine, "pages", lambda: entity_iris(engine) | set(records(engine)))


def documented_terms(engine: Engine) -> set[str]:
    """Terms with an entry on the ontology page (links to any other term would lead nowhere)."""
    return once(engine, "documented", lambda: read_ontology(engine).documented())


def entity_index(place: Place, items: list[Entity], title: str, grouped: bool) -> str:
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


def records_index(engine: Engine, place: Place) -> str:
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
                        for label, iri in sorted(set(items), key=lambda x: natural(x[0])))
        body += [f'<h2>{esc(kind)} <span class="muted">({len(set(items))})</span></h2>', f'<ul class="columns">{links}</ul>']
    return "\n".join(body)
