"""`bindergraph show` and `bindergraph compare`: what the graph says about an entity, line by line,
each line with the claims behind it; and several entities side by side, head-to-head claims first.

Both read the statements layer (`rdf:Statement`s derived from claims), not the plain triples, so that
negative and hedged claims are shown with their stance instead of disappearing, and every line can name
its claims. Facts are gathered once (`entity_page`) and rendered as a page (terminal) or as rows
(`Result`, for JSON and CSV).
"""
from __future__ import annotations

import textwrap
from collections import defaultdict
from dataclasses import dataclass, field

from .engine import PREFIXES, Engine, Result, Term
from .results import curie
from .store import graph_iri
from .text import readable

BG = "https://w3id.org/bindergraph/ontology#"
BGR = "https://w3id.org/bindergraph/resource/"
INFERRED_GRAPH = graph_iri("inferred")

# predicate local name -> (section as subject, section as object, how an incoming line reads)
_SECTIONS: dict[str, tuple[str, str, str]] = {
    "composedOf": ("composition", "constituent of", "part of"),
    "hasFunctionalGroup": ("functional groups", "carried by", "carried by"),
    "hasFunction": ("functions", "provided by", "provided by"),
    "appliedIn": ("applications", "binders used with it", "used in it"),
    "processedWith": ("processing", "processes", "processes"),
    "compatibleWith": ("compatibility and interactions", "compatibility and interactions", "compatible with"),
    "incompatibleWith": ("compatibility and interactions", "compatibility and interactions", "incompatible with"),
    "interactsWith": ("compatibility and interactions", "compatibility and interactions", "interacts with"),
    "comparedWith": ("comparisons", "comparisons", "compared with"),
    "hasDrawback": ("drawbacks", "drawback of", "drawback of"),
}
SECTION_ORDER = ["composition", "functional groups", "functions", "applications", "processing",
                 "compatibility and interactions", "comparisons", "drawbacks", "figures", "carried by",
                 "provided by", "binders used with it", "constituent of", "processes", "drawback of",
                 "external identifiers", "other claims"]

_HEADER = PREFIXES + """SELECT ?e ?label ?alt ?definition WHERE {
  OPTIONAL { ?e rdfs:label ?label } OPTIONAL { ?e skos:altLabel ?alt } OPTIONAL { ?e skos:definition ?definition } }"""
_CLASSES = PREFIXES + """SELECT ?e ?class ?inferred WHERE {
  ?e a ?class . FILTER(STRSTARTS(STR(?class), STR(bg:)))
  BIND(EXISTS { GRAPH <""" + INFERRED_GRAPH + """> { ?e a ?class } } AS ?inferred) }"""
# statements with the entity on either side; comparisons carry the claim's aspect, outcome and kind
_STATEMENTS = PREFIXES + """SELECT ?e ?dir ?p ?other ?stance ?claim ?aspect ?outcome ?kind ?subject WHERE {
  { ?st rdf:subject ?e ; rdf:object ?other . BIND("out" AS ?dir) }
  UNION { ?st rdf:object ?e ; rdf:subject ?other . BIND("in" AS ?dir) }
  ?st rdf:predicate ?p ; prov:wasDerivedFrom ?claim . ?claim bg:stance ?stance .
  OPTIONAL { ?claim bg:aspect ?a OPTIONAL { ?a rdfs:label ?aspect } } OPTIONAL { ?claim bg:outcome ?outcome }
  OPTIONAL { ?claim bg:comparisonKind ?kind } OPTIONAL { ?claim bg:claimSubject ?subject FILTER(?subject = ?e) } }"""
# constituents recorded on the entity itself (no claim), and external identifiers
_PLAIN = PREFIXES + """SELECT ?e ?p ?other WHERE {
  { ?e bg:composedOf ?other . BIND(bg:composedOf AS ?p) FILTER NOT EXISTS {
      ?st rdf:subject ?e ; rdf:predicate bg:composedOf ; rdf:object ?other } }
  UNION { ?e ?p ?other . VALUES ?p { skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch
                                     skos:relatedMatch } } }"""
_FIGURES = PREFIXES + """SELECT ?e ?claim ?metric ?written ?stance (GROUP_CONCAT(?cw; separator=", ") AS ?conditions) WHERE {
  ?m bg:measurementOf ?e ; bg:metric/rdfs:label ?metric ; bg:asWritten ?written . ?claim bg:hasMeasurement ?m ; bg:stance ?stance .
  OPTIONAL { ?m bg:hasCondition ?cond OPTIONAL { ?cond bg:asWritten ?cw } } }
  GROUP BY ?e ?claim ?metric ?written ?stance"""
# claims about the entity that name no statement and no figure of it (a collective or class statement, ...)
_OTHER = PREFIXES + """SELECT ?e ?claim ?relation ?stance (GROUP_CONCAT(?ol; separator=", ") AS ?objects) WHERE {
  ?claim bg:claimSubject ?e ; bg:claimRelation ?relation ; bg:stance ?stance .
  FILTER NOT EXISTS { ?st prov:wasDerivedFrom ?claim ; rdf:subject ?e }
  FILTER NOT EXISTS { ?claim bg:hasMeasurement/bg:measurementOf ?e }
  OPTIONAL { ?claim bg:claimObject/rdfs:label ?ol } } GROUP BY ?e ?claim ?relation ?stance"""
_EVIDENCE = PREFIXES + """SELECT ?claim ?quote ?section ?n ?doi WHERE {
  ?claim bg:quote ?quote ; bg:inSection/bg:sectionNumber ?section .
  OPTIONAL { ?claim dcterms:references ?r OPTIONAL { ?r bg:referenceNumber ?n } OPTIONAL { ?r bibo:doi ?doi } } }"""


@dataclass
class Fact:
    """One line of an entity page: how the entity relates to another entity (or a figure), per stance."""
    section: str
    relation: str
    other: str | None = None  # IRI of the other entity
    value: str | None = None  # a figure as written, or the objects of an other claim
    stance: str = "positive"
    claims: list[str] = field(default_factory=list)  # claim ids, in order


@dataclass
class Evidence:
    claim: str
    section: str
    quote: str
    references: list[str]  # "[43] doi:10.…"
    cited: list[tuple[int, str | None]] = field(default_factory=list)  # the same as (number, DOI), for links


@dataclass
class EntityPage:
    iri: str
    label: str
    alt_labels: list[str]
    definition: str | None
    classes: list[str]  # asserted bg: classes
    inferred: list[str]  # classes the reasoner added
    facts: list[Fact]
    labels: dict[str, str]  # IRI -> label, for everything the page names
    evidence: dict[str, Evidence] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return local(self.iri)


def local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def entity_page(engine: Engine, entity: Term, evidence: bool = False) -> EntityPage:
    """Everything the graph says about one entity, grouped into sections, each fact with its claims."""
    bind = {"e": entity}
    header = engine.select(_HEADER, bind).rows
    label = next((r["label"].value for r in header if "label" in r), local(entity.value))
    alts = sorted({r["alt"].value for r in header if "alt" in r} - {label})
    definition = next((r["definition"].value for r in header if "definition" in r), None)
    classes = engine.select(_CLASSES, bind).rows
    asserted = sorted({r["class"].value for r in classes if r["inferred"].value != "true"})
    inferred = sorted({r["class"].value for r in classes if r["inferred"].value == "true"} - set(asserted))
    facts = _statement_facts(engine, bind) + _plain_facts(engine, bind) + _figure_facts(engine, bind)
    facts += _other_facts(engine, bind)
    iris = {entity.value, *asserted, *inferred, *(f.other for f in facts if f.other)}
    page = EntityPage(entity.value, label, alts, definition, asserted, inferred, facts, _labels(engine, iris))
    if evidence:
        page.evidence = _evidence(engine, {c for f in facts for c in f.claims})
    return page


def _statement_facts(engine: Engine, bind: dict) -> list[Fact]:
    grouped: dict[tuple, list[str]] = defaultdict(list)
    for r in engine.select(_STATEMENTS, bind).rows:
        p = local(r["p"].value)
        if p == "outperforms" or p not in _SECTIONS:
            continue  # a win is shown on its comparedWith line, with the aspect
        out = r["dir"].value == "out"
        section = _SECTIONS[p][0 if out else 1]
        relation = _relation_text(p, out, r)
        key = (section, relation, r["other"].value, r["stance"].value)
        grouped[key].append(local(r["claim"].value))
    return [Fact(s, rel, other, None, stance, sorted(set(c))) for (s, rel, other, stance), c in grouped.items()]


_RELATION_LABELS = {"composedOf": "composed of", "hasFunctionalGroup": "has group", "hasFunction": "has function",
                    "appliedIn": "applied in", "processedWith": "processed with", "compatibleWith": "compatible with",
                    "incompatibleWith": "incompatible with", "interactsWith": "interacts with",
                    "comparedWith": "compared with", "hasDrawback": "has drawback"}


def _relation_text(p: str, out: bool, row: dict) -> str:
    """How a line reads from the entity's side: 'applied in', 'carried by', 'better than, on adhesion (head to head)'."""
    if p != "comparedWith" or "outcome" not in row:
        return _RELATION_LABELS[p] if out else _SECTIONS[p][2]
    outcome = row["outcome"].value
    if "subject" not in row:  # the entity is the comparator: the claim's outcome is the other side's
        outcome = {"better": "worse", "worse": "better"}.get(outcome, outcome)
    aspect = row["aspect"].value if "aspect" in row else "?"
    kind = row["kind"].value.replace("_", " ") if "kind" in row else ""
    return f"{_versus(outcome)}, on {aspect}" + (f" ({kind})" if kind else "")


def _plain_facts(engine: Engine, bind: dict) -> list[Fact]:
    facts = []
    for r in engine.select(_PLAIN, bind).rows:
        p = local(r["p"].value)
        if p == "composedOf":
            facts.append(Fact("composition", "composed of (recorded on the entity)", r["other"].value))
        else:
            facts.append(Fact("external identifiers", p.replace("Match", " match"), r["other"].value))
    return facts


def _figure_facts(engine: Engine, bind: dict) -> list[Fact]:
    facts = []
    for r in engine.select(_FIGURES, bind).rows:
        written = readable(r["written"].value)
        cond = r["conditions"].value if "conditions" in r and r["conditions"].value else ""
        facts.append(Fact("figures", r["metric"].value, None, written + (f" ({readable(cond)})" if cond else ""),
                          r["stance"].value, [local(r["claim"].value)]))
    return facts


def _other_facts(engine: Engine, bind: dict) -> list[Fact]:
    return [Fact("other claims", local(r["relation"].value), None, r["objects"].value if "objects" in r else None,
                 r["stance"].value, [local(r["claim"].value)]) for r in engine.select(_OTHER, bind).rows]


def _labels(engine: Engine, iris: set[str]) -> dict[str, str]:
    if not iris:
        return {}
    values = " ".join(f"<{i}>" for i in sorted(iris))
    rows = engine.select(PREFIXES + f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {values} }} ?s rdfs:label ?l }}").rows
    out: dict[str, str] = {}
    for r in rows:
        out.setdefault(r["s"].value, r["l"].value)
    return out


def _evidence(engine: Engine, claims: set[str]) -> dict[str, Evidence]:
    out: dict[str, Evidence] = {}
    if not claims:
        return out
    values = " ".join(f"<{BGR}{c}>" for c in sorted(claims))
    for r in engine.select(_EVIDENCE.replace("WHERE {", f"WHERE {{ VALUES ?claim {{ {values} }}", 1)).rows:
        cid = local(r["claim"].value)
        ev = out.setdefault(cid, Evidence(cid, r["section"].value, r["quote"].value, []))
        if "n" in r:
            cited = (int(r["n"].value), r["doi"].value if "doi" in r else None)
            if cited not in ev.cited:
                ev.cited.append(cited)
    for ev in out.values():
        ev.cited.sort(key=lambda c: c[0])
        ev.references = [f"[{n}]" + (f" doi:{doi}" if doi else "") for n, doi in ev.cited]
    return out


# ------------------------------------------------------------------------------------ rendering
def name(iri: str, labels: dict[str, str]) -> str:
    """'poly(acrylic acid) (PAA)', 'carboxy group (CHEBI:46883)': the label, with the id when it differs."""
    label = labels.get(iri)
    ident = local(iri) if iri.startswith(BGR) else curie(iri)
    return f"{label} ({ident})" if label and label != ident else (label or ident)


# the relation every line of a section has: not repeated on each line
SECTION_RELATION = {"composition": "composed of", "functional groups": "has group", "functions": "has function",
                    "applications": "applied in", "processing": "processed with", "drawbacks": "has drawback",
                    "carried by": "carried by", "provided by": "provided by", "binders used with it": "used in it",
                    "constituent of": "part of", "processes": "processes", "drawback of": "drawback of"}


def sorted_facts(facts: list[Fact]) -> list[Fact]:
    order = {s: i for i, s in enumerate(SECTION_ORDER)}
    stances = {"positive": 0, "hedged": 1, "negative": 2}
    return sorted(facts, key=lambda f: (order.get(f.section, 99), f.relation, stances.get(f.stance, 3),
                                        f.value or "", f.other or ""))


def render_page(page: EntityPage, width: int = 100, max_claims: int = 3) -> str:
    """The terminal page: a header, then one line per fact with its claim ids (and the quotes with evidence)."""
    labels = page.labels
    out = [f"{page.label} ({page.id})" if page.label != page.id else page.id]
    if page.alt_labels:
        out += _wrap("also: " + ", ".join(page.alt_labels), width, "  ")
    if page.definition:
        out += _wrap(readable(page.definition), width, "  ")
    out += _wrap("classes: " + ", ".join(labels.get(c, local(c)) for c in page.classes), width, "  ")
    if page.inferred:
        out += _wrap("inferred: " + ", ".join(labels.get(c, local(c)) for c in page.inferred), width, "  ")
    section = None
    for f in sorted_facts(page.facts):
        if f.section != section:
            section = f.section
            out.append(f"{section}:")
        what = name(f.other, labels) if f.other else (f.value or "")
        stance = "" if f.stance == "positive" else f" [{f.stance}]"
        shown = f.claims if page.evidence else f.claims[:max_claims]
        more = f" +{len(f.claims) - len(shown)} more" if len(f.claims) > len(shown) else ""
        claims = f"  ⟨{', '.join(shown)}{more}⟩" if f.claims else ""
        lead = "" if SECTION_RELATION.get(f.section) == f.relation else f"{f.relation}: "
        out += _wrap(f"{lead}{what}{stance}{claims}", width, "  ", "      ")
        for ids, ev in distinct_quotes(page, f.claims):
            refs = f"  {'; '.join(ev.references)}" if ev.references else ""
            out += _wrap(f"{', '.join(ids)} §{ev.section}: “{readable(ev.quote)}”{refs}", width, "      ", "        ")
    n_claims = len({c for f in page.facts for c in f.claims})
    out.append(f"({len(page.facts)} facts from {n_claims} claims; --evidence prints the quotes)"
               if not page.evidence else f"({len(page.facts)} facts from {n_claims} claims)")
    return "\n".join(out) + "\n"


def distinct_quotes(page: EntityPage, claims: list[str]) -> list[tuple[list[str], Evidence]]:
    """The evidence of a fact's claims, one entry per distinct sentence (several claims often quote one)."""
    by_quote: dict[str, tuple[list[str], Evidence]] = {}
    for cid in claims:
        ev = page.evidence.get(cid)
        if ev is not None:
            by_quote.setdefault(ev.quote, ([], ev))[0].append(cid)
    return list(by_quote.values())


def _wrap(text: str, width: int, indent: str, subsequent: str | None = None) -> list[str]:
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=subsequent or indent,
                         break_on_hyphens=False) or [indent.rstrip()]


def page_result(page: EntityPage) -> Result:
    """The page as rows, for JSON and CSV: one per fact (one per fact and claim with evidence)."""
    variables = ["entity", "section", "relation", "other", "value", "stance", "claims"]
    if page.evidence:
        variables += ["claim", "claim_section", "quote", "references"]
    ent = Term("uri", page.iri)
    rows = []
    for f in sorted_facts(page.facts):
        row = {"entity": ent, "section": Term("literal", f.section), "relation": Term("literal", f.relation),
               "stance": Term("literal", f.stance), "claims": Term("literal", " ".join(f.claims))}
        if f.other:
            row["other"] = Term("uri", f.other)
        if f.value:
            row["value"] = Term("literal", f.value)
        if not page.evidence or not f.claims:
            rows.append(row)
            continue
        for cid in f.claims:
            ev = page.evidence[cid]
            rows.append({**row, "claim": Term("uri", BGR + cid), "claim_section": Term("literal", ev.section),
                         "quote": Term("literal", ev.quote), "references": Term("literal", "; ".join(ev.references))})
    return Result(variables, rows)


# ------------------------------------------------------------------------------------ comparing
_HEAD_TO_HEAD = PREFIXES + """SELECT ?claim ?a ?b ?aspect ?outcome ?kind ?stance (GROUP_CONCAT(?cw; separator=", ") AS ?conditions)
WHERE {
  ?claim bg:claimRelation bg:comparedWith ; bg:claimSubject ?a ; bg:stance ?stance ; bg:outcome ?outcome ;
         bg:comparisonKind ?kind ; bg:aspect/rdfs:label ?aspect .
  { ?claim bg:claimObject ?b } UNION { ?claim bg:comparator ?b }
  FILTER(?a IN (%(ids)s) && ?b IN (%(ids)s) && ?a != ?b)
  OPTIONAL { ?claim bg:hasCondition/bg:asWritten ?cw } }
GROUP BY ?claim ?a ?b ?aspect ?outcome ?kind ?stance"""
_KIND_ORDER = {"head_to_head": 0, "cross_study": 1, "design": 2, "outlook": 3}
# sections compared side by side, in this order; comparisons among the entities come first
COMPARED_SECTIONS = ["composition", "functional groups", "functions", "applications", "processing",
                     "compatibility and interactions", "drawbacks", "figures"]


def compare(engine: Engine, entities: list[Term]) -> tuple[Result, list[EntityPage]]:
    """Rows: first each comparison claim between two of the entities (head to head first; each cell says
    how they were compared), then one row per compared aspect (functions, applications, ..., each figure
    metric), a cell per entity."""
    if len({e.value for e in entities}) < 2:
        raise ValueError("compare needs at least two different entities")
    pages = [entity_page(engine, e) for e in entities]
    ids = [p.id for p in pages]
    variables = ["aspect", *ids, "claims"]
    return Result(variables, _comparison_rows(engine, pages) + _side_by_side_rows(pages)), pages


def _comparison_rows(engine: Engine, pages: list[EntityPage]) -> list[dict]:
    iris = ", ".join(f"<{p.iri}>" for p in pages)
    rows = engine.select(_HEAD_TO_HEAD % {"ids": iris}).rows
    rows.sort(key=lambda r: (_KIND_ORDER.get(r["kind"].value, 9), r["aspect"].value, r["claim"].value))
    names = {p.iri: p.id for p in pages}
    out = []
    for r in rows:
        a, b, outcome = names[r["a"].value], names[r["b"].value], r["outcome"].value
        other = {"better": "worse", "worse": "better"}.get(outcome, outcome)
        kind = r["kind"].value.replace("_", " ")
        stance = "" if r["stance"].value == "positive" else f" [{r['stance'].value}]"
        cond = f" ({readable(r['conditions'].value)})" if "conditions" in r and r["conditions"].value else ""
        row = {"aspect": Term("literal", f"{r['aspect'].value}{cond}"),
               a: Term("literal", f"{_versus(outcome)} {b}, {kind}{stance}"),
               b: Term("literal", f"{_versus(other)} {a}, {kind}{stance}"),
               "claims": Term("literal", local(r["claim"].value))}
        out.append(row)
    return out


def _versus(outcome: str) -> str:
    return "similar to" if outcome == "similar" else f"{outcome} than"


def _side_by_side_rows(pages: list[EntityPage]) -> list[dict]:
    rows = []
    for section in COMPARED_SECTIONS:
        keys = _aspect_keys(pages, section)
        for key in keys:
            row = {"aspect": Term("literal", key if section == "figures" else section)}
            for p in pages:
                cell = _cell(p, section, key)
                if cell:
                    row[p.id] = Term("literal", cell)
            if len(row) > 1:
                rows.append(row)
    return rows


def _aspect_keys(pages: list[EntityPage], section: str) -> list[str]:
    """One row per section; figures get one row per metric."""
    if section != "figures":
        return [section]
    return sorted({f.relation for p in pages for f in p.facts if f.section == "figures"})


def _cell(page: EntityPage, section: str, key: str) -> str:
    """The entity's values in one compared aspect: labels (with a stance mark), figures with their claim."""
    items = []
    for f in sorted_facts(page.facts):
        if f.section != section or (section == "figures" and f.relation != key):
            continue
        if section == "comparisons":
            continue
        text = page.labels.get(f.other, local(f.other)) if f.other else (f.value or "")
        if section == "compatibility and interactions":
            text = f"{f.relation} {text}"
        if section == "figures":
            text += f" [{f.claims[0]}]"
        if f.stance != "positive":
            text += f" ({f.stance})"
        if text not in items:
            items.append(text)
    return "; ".join(items)
