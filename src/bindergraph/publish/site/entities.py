"""An entity's page: names, classes (asserted and inferred), every statement with its claims and the
sentences they quote, external identifiers; links to the other pages."""
from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

from ...errors import QueryError
from ...query.engine import BGR, PREFIXES, Engine, Term
from ...query.names import did_you_mean, entity_names
from ...query.show import (SECTION_RELATION, EntityPage, Fact, distinct_quotes, entity_page, local,
                           sorted_facts)
from ...query.text import readable
from .index import documented_terms, entity_iris, page_iris, records
from .layout import Links, Place, document, esc, external_link, rdf_files, short
from .records import render_record_page

# the entity's place in the SKOS hierarchy of materials and battery types, stated either way round
_HIERARCHY = PREFIXES + """SELECT DISTINCT ?e ?dir ?other ?label WHERE {
  { ?e skos:broader ?other BIND("broader" AS ?dir) } UNION { ?other skos:narrower ?e BIND("broader" AS ?dir) }
  UNION { ?other skos:broader ?e BIND("narrower" AS ?dir) } UNION { ?e skos:narrower ?other BIND("narrower" AS ?dir) }
  FILTER(isIRI(?other)) OPTIONAL { ?other rdfs:label ?label } }"""


@dataclass(frozen=True)
class Hierarchy:
    broader: list[str]  # IRIs, by label
    narrower: list[str]
    labels: dict[str, str]


def hierarchy(engine: Engine, iri: str) -> Hierarchy:
    """What the entity is a kind of (skos:broader) and its kinds (skos:narrower), with their labels."""
    rows = engine.select(_HIERARCHY, {"e": Term("uri", iri)}).rows
    labels: dict[str, str] = {}
    for r in rows:
        labels.setdefault(r["other"].value, r["label"].value if "label" in r else local(r["other"].value))

    def side(direction: str) -> list[str]:
        found = {r["other"].value for r in rows if r["dir"].value == direction}
        return sorted(found, key=lambda o: (labels[o].casefold(), o))
    return Hierarchy(side("broader"), side("narrower"), labels)


def render_entity_page(engine: Engine, local_id: str, *, suffix: str = ".html") -> str:
    """The HTML page of one entity (bgr:LOCAL_ID): names, classes (asserted and inferred), every statement
    with its claims (stance, quote, section, references with DOI links), external identifiers, links to the
    other entities' pages. A claim, reference or section (bgr:claim-s2-006, ...) gets its record page
    (`render_record_page`); an id that is neither is a QueryError."""
    iri = BGR + local_id
    place = Place(f"resource/{local_id}{suffix}", suffix)
    if iri in records(engine):  # a claim, a reference, a section: its properties
        return render_record_page(engine, iri, suffix=suffix)
    if iri not in entity_iris(engine):
        hint = did_you_mean(local_id, entity_names(engine))
        raise QueryError(f"unknown entity {local_id!r}: no named individual {iri}{hint}")
    page = entity_page(engine, Term("uri", iri), evidence=True)
    tree = hierarchy(engine, iri)
    ctx = Links(place, page_iris(engine), documented_terms(engine), {**tree.labels, **page.labels})
    return document(place, page.label, _entity_body(page, tree, ctx))


def _entity_body(page: EntityPage, tree: Hierarchy, ctx: Links) -> str:
    place = ctx.place
    head = [f'<h1>{esc(page.label)} <span class="id">({esc(page.id)})</span></h1>',
            f'<p class="iri"><code>{esc(page.iri)}</code>{rdf_files(place, page.iri)}</p>']
    meta = []
    if page.alt_labels:
        meta.append(("also", esc(", ".join(page.alt_labels))))
    if page.definition:
        meta.append(("definition", esc(readable(page.definition))))
    meta.append(("classes", _term_list(page.classes, page.labels, place)))
    if page.inferred:
        meta.append(("inferred classes", _term_list(page.inferred, page.labels, place)))
    for what, iris in (("broader", tree.broader), ("narrower", tree.narrower)):
        if iris:
            meta.append((what, ", ".join(ctx.iri(i) for i in iris)))
    head.append('<dl class="meta">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in meta) + "</dl>")
    return "\n".join(head + _fact_sections(page, ctx) + [_summary(page)])


def _term_list(iris: list[str], labels: dict[str, str], place: Place) -> str:
    return ", ".join(f'<a href="{place.term(c)}">{esc(labels.get(c, local(c)))}</a>' for c in iris) or "none"


def _fact_sections(page: EntityPage, ctx: Links) -> list[str]:
    out, section = [], None
    for f in sorted_facts(page.facts):
        if f.section != section:
            if section is not None:
                out.append("</ul>")
            section = f.section
            out += [f"<h2>{esc(section)}</h2>", '<ul class="facts">']
        out.append(_fact(page, f, ctx))
    return out + (["</ul>"] if section is not None else [])


def _fact(page: EntityPage, f: Fact, ctx: Links) -> str:
    stance = f'<span class="stance {esc(f.stance)}">{esc(f.stance)}</span>' if f.stance != "positive" else ""
    claims = f'<span class="claims">⟨{_claim_links(f.claims, ctx)}⟩</span>' if f.claims else ""
    # the section's own relation is not repeated on each line (as in `bindergraph show`)
    lead = "" if SECTION_RELATION.get(f.section) == f.relation else f'<span class="rel">{esc(f.relation)}:</span> '
    line = f"{lead}{_other(page, f, ctx)}{stance}{claims}"
    return f'<li class="{esc(f.stance)}">{line}{_evidence(page, f.claims, ctx)}</li>'


def _other(page: EntityPage, f: Fact, ctx: Links) -> str:
    """The other side of a fact: a link to its page, its ontology entry or its external site; or a value."""
    if not f.other:
        return esc(readable(f.value or ""))
    if f.section == "external identifiers":  # CURIE and the external term's label
        label = page.labels.get(f.other)
        return external_link(f.other, short(f.other)) + (f" {esc(label)}" if label else "")
    return ctx.iri(f.other)


def _claim_links(ids: list[str], ctx: Links) -> str:
    return ", ".join(f'<a href="{ctx.place.entity(BGR + c)}">{esc(c)}</a>' if BGR + c in ctx.pages else esc(c)
                     for c in ids)


def _evidence(page: EntityPage, claims: list[str], ctx: Links) -> str:
    """Each distinct sentence behind a fact once, with the claims that quote it, its section and references."""
    items = []
    for ids, ev in distinct_quotes(page, claims):
        refs = "; ".join(f"[{n}]" + (" " + external_link(f"https://doi.org/{urllib.parse.quote(doi, safe='/')}",
                                                          f"doi:{doi}") if doi else "") for n, doi in ev.cited)
        items.append(f'<div class="evidence"><span class="claims">{_claim_links(ids, ctx)} §{esc(ev.section)}</span>'
                     f"<blockquote>“{esc(readable(ev.quote))}”</blockquote>"
                     + (f'<span class="refs">{refs}</span>' if refs else "") + "</div>")
    return "".join(items)


def _summary(page: EntityPage) -> str:
    n_claims = len({c for f in page.facts for c in f.claims})
    return f'<p class="muted">{len(page.facts)} facts from {n_claims} claims.</p>'
