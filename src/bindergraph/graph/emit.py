"""Curated records + reference list -> RDF (entities, claims with evidence, references).

Two layers: the claim layer (one bg:Claim node per statement, with its quote, position, section,
cited references, context and figures) and the semantic layer (direct triples such as
`bgr:PAN bg:hasFunction bgr:coordination`) that the reasoner and most queries use. Every direct
triple is backed by at least one claim. No blank nodes: every node has a stable IRI, so the
output is byte-identical from identical inputs.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from ..curate.curation import RELATION_RULES, Curated, ResolvedClaim, ResolvedFigure
from ..curate.references import Reference, shared_authorship
from ..curate.source import REVIEW_DOI, REVIEW_IRI, REVIEW_TITLE, Review, Span
from ..curate.units import PROJECT as PROJECT_UNIT, PROJECT_KINDS, UNITS
from .derive import asserts, statements
from .ontology import BG, BGR

OA = Namespace("http://www.w3.org/ns/oa#")
QUDT = Namespace("http://qudt.org/schema/qudt/")
BIBO = Namespace("http://purl.org/ontology/bibo/")
REVIEW = URIRef(REVIEW_IRI)
REVIEW_AUTHORS = BGR["review-authors"]  # the prov:Agent a review synthesis is attributed to
QUOTE_PART_SEPARATOR = " […] "  # joins the parts of a quote that a caption or table interrupts
ATTRIBUTION_CLASSES = {"study": BG.ReportedFinding, "review": BG.ReviewSynthesis, "background": BG.BackgroundStatement}
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")

PREFIXES = {"bg": BG, "bgr": BGR, "oa": OA, "qudt": QUDT, "unit": Namespace("http://qudt.org/vocab/unit/"),
            "bibo": BIBO, "prov": PROV, "skos": SKOS, "dcterms": DCTERMS, "owl": OWL,
            "bgunit": Namespace("https://w3id.org/bindergraph/unit/")}


def entity_iri(ident: str) -> URIRef:
    return BGR[ident]


def claim_iri(ident: str) -> URIRef:
    return BGR[f"claim-{ident}"]


def section_iri(number: str) -> URIRef:
    return BGR[f"section-{number}"]


def reference_iri(number: int) -> URIRef:
    return BGR[f"ref-{number}"]


def new_graph() -> Graph:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    return g


def _decimal(x: float) -> Literal:
    return Literal(format(Decimal(repr(x)), "f"), datatype=XSD.decimal)


@dataclass
class GraphParts:
    data: Graph        # entities, claims, evidence, sections, units
    references: Graph  # the review and its reference list


def build_graph(cur: Curated, refs: list[Reference], review: Review) -> GraphParts:
    data, bib = new_graph(), new_graph()
    _review_and_sections(data, bib, review, refs)
    for ident, entity in sorted(cur.entities.items()):
        _entity(data, cur, ident, entity, review)
    _units(data)
    for claim in cur.claims:
        _claim(data, claim, review)
    return GraphParts(data, bib)


# ---------------------------------------------------------------------------------------- review
def _review_and_sections(data: Graph, bib: Graph, review: Review, refs: list[Reference]) -> None:
    bib.add((REVIEW, RDF.type, BIBO.AcademicArticle))
    bib.add((REVIEW, DCTERMS.title, Literal(REVIEW_TITLE, lang="en")))
    bib.add((REVIEW, BIBO.doi, Literal(REVIEW_DOI)))
    bib.add((REVIEW, DCTERMS.license, CC_BY))
    bib.add((REVIEW, DCTERMS.issued, Literal("2023", datatype=XSD.gYear)))
    bib.add((REVIEW, BG.authors, Literal("Lan Zhang, Xiangkun Wu, Weiwei Qian, Kecheng Pan, Xiaoyan Zhang, "
                                         "Liyuan Li, Mengmin Jia, Suojiang Zhang")))
    bib.add((REVIEW, BG.venue, Literal("Electrochemical Energy Reviews")))
    bib.add((REVIEW_AUTHORS, RDF.type, PROV.Agent))
    bib.add((REVIEW_AUTHORS, RDFS.label, Literal("the review's authors (Zhang et al. 2023)", lang="en")))
    bib.add((REVIEW, DCTERMS.creator, REVIEW_AUTHORS))
    for ref in refs:
        r = reference_iri(ref.number)
        bib.add((REVIEW, DCTERMS.references, r))
        bib.add((r, RDF.type, BG.Reference))
        bib.add((r, BG.referenceNumber, Literal(ref.number)))
        bib.add((r, RDFS.label, Literal(f"[{ref.number}] " + _short_ref(ref))))
        bib.add((r, DCTERMS.bibliographicCitation, Literal(ref.text)))
        for prop, value in ((BG.authors, ref.authors), (DCTERMS.title, ref.title), (BG.venue, ref.venue)):
            if value:
                bib.add((r, prop, Literal(value)))
        if ref.year:
            bib.add((r, BG.year, Literal(ref.year)))
        if ref.doi:
            bib.add((r, BIBO.doi, Literal(ref.doi)))
            bib.add((r, RDFS.seeAlso, URIRef("https://doi.org/" + ref.doi)))
        elif ref.url:
            bib.add((r, RDFS.seeAlso, URIRef(ref.url)))
    for a, b in sorted(shared_authorship(review, refs)):  # for counting independent studies
        bib.add((reference_iri(a), BG.sharesAuthorWith, reference_iri(b)))
        bib.add((reference_iri(b), BG.sharesAuthorWith, reference_iri(a)))
    for sec in review.sections:
        if sec.number == "refs":
            continue
        s = section_iri(sec.number)
        data.add((s, RDF.type, BG.ReviewSection))
        data.add((s, BG.sectionNumber, Literal(sec.number)))
        data.add((s, RDFS.label, Literal(f"{sec.number} {sec.title}" if sec.number != "0" else sec.title)))
        data.add((s, DCTERMS.isPartOf, REVIEW))


def _short_ref(ref: Reference) -> str:
    first = (ref.authors or ref.text).split(",")[0]
    return f"{first} et al. {ref.year or ''}".strip() if ref.authors and "," in ref.authors else f"{first} {ref.year or ''}".strip()


# -------------------------------------------------------------------------------------- entities
def _entity(g: Graph, cur: Curated, ident: str, e, review: Review) -> None:
    s = entity_iri(ident)
    g.add((s, RDF.type, OWL.NamedIndividual))
    for t in e.type:
        g.add((s, RDF.type, BG[t]))
    g.add((s, RDFS.label, Literal(e.label, lang="en")))
    for alt in e.alt:
        g.add((s, SKOS.altLabel, Literal(alt, lang="en")))
    if e.definition:
        g.add((s, SKOS.definition, Literal(e.definition, lang="en")))
    if e.note:
        g.add((s, SKOS.editorialNote, Literal(e.note, lang="en")))
    for b in e.broader:
        g.add((s, SKOS.broader, entity_iri(b)))
    for c in e.composed_of:
        g.add((s, BG.composedOf, entity_iri(c)))
    span = cur.entity_spans.get(ident)
    if span is not None:
        node = BGR[f"{ident}-definition-span"]
        _span(g, node, span, review)
        g.add((s, BG.definedAt, node))


def _units(g: Graph) -> None:
    """Every unit a figure or a query may name (the first spelling of an IRI: % before wt%), with what
    converting between them needs: QUDT's conversion multiplier, offset and quantity kind."""
    for iri_text, u in sorted({u.iri: u for u in reversed(UNITS.values())}.items()):
        iri = URIRef(iri_text)
        g.add((iri, RDF.type, QUDT.Unit))
        g.add((iri, RDFS.label, Literal(u.label, lang="en")))
        g.add((iri, QUDT.symbol, Literal(u.symbol)))
        if iri_text.startswith(PROJECT_UNIT):
            g.add((iri, SKOS.definition, Literal(
                f"{u.label}. Project unit: no QUDT unit for this quantity was available to verify offline.", lang="en")))
        conv = u.conversion
        if conv.multiplier is not None:
            g.add((iri, QUDT.conversionMultiplier, _exact_number(conv.multiplier)))
        if conv.offset is not None:
            g.add((iri, QUDT.conversionOffset, _exact_number(conv.offset)))
        if conv.kind is not None:
            g.add((iri, QUDT.hasQuantityKind, URIRef(conv.kind)))
    for kind, label in PROJECT_KINDS.items():
        g.add((URIRef(kind), RDF.type, QUDT.QuantityKind))
        g.add((URIRef(kind), RDFS.label, Literal(label, lang="en")))


def _exact_number(text: str) -> Literal:
    """A definition as written: xsd:decimal, or xsd:double where it needs an exponent (1 eV = 1.602176634E-19 J),
    as a decimal that small is beyond the 18 fractional digits of oxigraph's xsd:decimal."""
    return Literal(text, datatype=XSD.double if "E" in text else XSD.decimal)


# ---------------------------------------------------------------------------------------- claims
def _span(g: Graph, node: URIRef, span: Span, review: Review) -> None:
    quote, pos = URIRef(node + "-quote"), URIRef(node + "-position")
    g.add((node, RDF.type, OA.SpecificResource))
    g.add((node, OA.hasSource, REVIEW))
    g.add((node, OA.hasSelector, quote))
    g.add((node, OA.hasSelector, pos))
    g.add((quote, RDF.type, OA.TextQuoteSelector))
    g.add((quote, OA.exact, Literal(span.exact)))
    g.add((quote, OA.prefix, Literal(review.text[max(0, span.start - 32):span.start])))
    g.add((quote, OA.suffix, Literal(review.text[span.end:span.end + 32])))
    g.add((pos, RDF.type, OA.TextPositionSelector))
    g.add((pos, OA.start, Literal(span.start, datatype=XSD.nonNegativeInteger)))
    g.add((pos, OA.end, Literal(span.end, datatype=XSD.nonNegativeInteger)))


def _figure(g: Graph, node: URIRef, f: ResolvedFigure, owners: list[str] = ()) -> None:
    g.add((node, RDF.type, BG.Measurement))
    g.add((node, BG.metric, entity_iri(f.metric)))
    if f.value is not None:
        g.add((node, QUDT.numericValue, _decimal(f.value)))
    if f.min is not None:
        g.add((node, BG.minimumValue, _decimal(f.min)))
    if f.max is not None:
        g.add((node, BG.maximumValue, _decimal(f.max)))
    g.add((node, QUDT.unit, URIRef(f.unit.iri)))
    g.add((node, BG.asWritten, Literal(f.as_written)))
    if f.approx:
        g.add((node, BG.approximate, Literal(True)))
    for owner in owners:
        g.add((node, BG.measurementOf, entity_iri(owner)))
    for j, cond in enumerate(f.conditions, start=1):
        cnode = URIRef(f"{node}-c{j}")
        g.add((node, BG.hasCondition, cnode))
        _figure(g, cnode, cond)


_CONTEXT_PROPS = {"active_material": BG.activeMaterial, "component": BG.cellComponent,
                  "battery_type": BG.batteryType, "counter_electrode": BG.counterElectrode, "via_group": BG.viaGroup,
                  "target": BG.target, "solvent": BG.solvent, "compared_with": BG.comparator}


def _claim(g: Graph, c: ResolvedClaim, review: Review) -> None:
    rec = c.record
    node = claim_iri(rec.id)
    prop = BG[RELATION_RULES[rec.relation][2]] if RELATION_RULES[rec.relation][2] else None
    g.add((node, RDF.type, BG.Claim))
    g.add((node, RDF.type, ATTRIBUTION_CLASSES[rec.attribution]))
    g.add((node, RDFS.label, Literal(_claim_label(c), lang="en")))
    g.add((node, BG.stance, Literal(rec.stance)))
    if isinstance(rec.pairing, str):
        g.add((node, BG.pairing, Literal(rec.pairing)))
    elif rec.pairing:
        g.add((node, BG.pairing, Literal("pairs")))
    g.add((node, BG.claimRelation, prop if prop is not None else BG.hasMeasurement))
    for s in c.subjects:
        g.add((node, BG.aboutClass if s.is_class else BG.claimSubject, BG[s.id] if s.is_class else entity_iri(s.id)))
    for o in c.objects:
        g.add((node, BG.claimObject, entity_iri(o.id)))
    for key, refs in c.context.items():
        for r in refs:
            g.add((node, _CONTEXT_PROPS[key], entity_iri(r.id)))
            g.add((node, BG.claimContext, entity_iri(r.id)))  # rdfs:subPropertyOf, materialised
    if rec.comparison is not None:
        g.add((node, BG.outcome, Literal(rec.comparison.outcome)))
        g.add((node, BG.comparisonKind, Literal(rec.comparison.kind)))
        g.add((node, BG.aspect, entity_iri(c.aspect.id)))  # type: ignore[union-attr]
    for r in c.sources:
        g.add((node, PROV.hadPrimarySource, reference_iri(r)))
    if rec.attribution == "review":
        g.add((node, PROV.wasAttributedTo, REVIEW_AUTHORS))
    for i, cond in enumerate(c.conditions, start=1):
        cnode = URIRef(f"{node}-c{i}")
        g.add((node, BG.hasCondition, cnode))
        _figure(g, cnode, cond)
    for i, m in enumerate(c.measurements, start=1):
        mnode = URIRef(f"{node}-m{i}")
        g.add((node, BG.hasMeasurement, mnode))
        # whose figure: the side it names, else every entity subject of the claim
        _figure(g, mnode, m, [m.of] if m.of else [s.id for s in c.subjects if not s.is_class])
    g.add((node, BG.inSection, section_iri(c.section)))
    for r in rec.refs:
        g.add((node, DCTERMS.references, reference_iri(r)))
    for i, span in enumerate(c.spans, start=1):
        span_node = URIRef(f"{node}-span" + (str(i) if i > 1 else ""))
        _span(g, span_node, span, review)
        g.add((node, PROV.wasDerivedFrom, span_node))
    # shortcut to the selectors' oa:exact (parts joined), for queries; the evidence step checks it
    g.add((node, BG.quote, Literal(quote_of(c.spans))))
    if rec.note:
        g.add((node, SKOS.editorialNote, Literal(rec.note, lang="en")))
    if rec.table_row is not None:
        g.add((node, BG.tableRow, Literal(rec.table_row)))
    _statements(g, c, node)


def quote_of(spans) -> str:
    """A claim's quote: its span, or the parts of a sentence a caption interrupts, joined by […]."""
    return QUOTE_PART_SEPARATOR.join(s.exact for s in spans)


def _claim_label(c: ResolvedClaim) -> str:
    subj = ", ".join(s.id for s in c.subjects)
    obj = ", ".join(o.id for o in c.objects)
    rel = c.record.relation.replace("_", " ")
    return f"{subj} {rel} {obj}".strip()


def _statements(g: Graph, c: ResolvedClaim, node: URIRef) -> None:
    """The semantic layer: an rdf:Statement for each triple the claim speaks of (derive.py), naming the
    claim, so that a query follows any triple to its evidence and stance; the plain triple itself only
    when the claim asserts it (positive; a comparison only head to head): a reified statement asserts nothing."""
    asserted = asserts(c)
    for i, d in enumerate(statements(c), start=1):
        s, p, o = entity_iri(d.subject), BG[d.prop], entity_iri(d.object)
        if asserted:
            g.add((s, p, o))
        st = URIRef(f"{node}-s{i}")
        g.add((st, RDF.type, RDF.Statement))
        g.add((st, RDF.subject, s))
        g.add((st, RDF.predicate, p))
        g.add((st, RDF.object, o))
        g.add((st, PROV.wasDerivedFrom, node))
