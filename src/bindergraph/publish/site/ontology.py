"""The ontology's documentation page: metadata, the class hierarchy, every class and property.

Generated here rather than with pyLODE: pyLODE 3.4.1 (the last release for Python < 3.12) cannot be
imported as installed (its version module opens a pyproject.toml the wheel lacks)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ...errors import QueryError
from ...query.engine import PREFIXES, Engine, Term
from ...query.results import curie
from ...query.show import BG, INFERRED_GRAPH, local
from .layout import (DCTERMS, ONTOLOGY_GRAPH, ONTOLOGY_IRI, OWL, RDF, RDF_FORMATS, RDFS, SKOS, Place, anchor,
                     document, esc, external_link, short)


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
