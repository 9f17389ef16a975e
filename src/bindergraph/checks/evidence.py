"""Evidence check on the built graph: every quote selector must match the review at its offsets, every
claim's bg:quote shortcut must equal its selectors' quote, and every plain triple of the semantic layer
must be named by an rdf:Statement derived from a positive claim (derive.py)."""
from __future__ import annotations

from rdflib import RDF, Graph
from rdflib.namespace import PROV

from ..curate.source import Review, fold
from ..errors import EvidenceError
from ..graph.derive import asserts_statements
from ..graph.emit import OA, QUOTE_PART_SEPARATOR
from ..graph.ontology import BG, BGR, SEMANTIC_PROPERTIES


def check_evidence(data: Graph, review: Review) -> int:
    """Raise EvidenceError naming the first claim whose quote and offsets disagree with the review."""
    count = 0
    parts: dict = {}
    for owner, exact, start, end in sorted(_anchors(data), key=lambda r: (str(r[0]), int(r[2]))):
        s, e = int(start), int(end)
        if not (0 <= s < e <= len(review.text)) or review.text[s:e] != str(exact):
            found = "outside the text" if not (0 <= s < e <= len(review.text)) else repr(fold(review.text[s:e])[:60])
            raise EvidenceError(f"evidence of {_name(owner)}: oa:exact does not match the review at offsets {s}-{e} "
                                f"(text there: {found})")
        parts.setdefault(owner, []).append(str(exact))
        count += 1
    for claim in sorted(data.subjects(RDF.type, BG.Claim)):
        shortcut = data.value(claim, BG.quote)
        if claim not in parts:
            raise EvidenceError(f"{_name(claim)}: claim has no evidence span")
        if shortcut is None or str(shortcut) != QUOTE_PART_SEPARATOR.join(parts[claim]):
            raise EvidenceError(f"evidence of {_name(claim)}: bg:quote differs from its quote selector")
    check_statements(data)
    return count


def check_statements(data: Graph) -> None:
    """Each semantic-layer triple between entities is named by a statement of a claim that asserts it (positive;
    a comparison only head to head), and each such claim's statements are in the graph. Constituents recorded
    on an entity (bg:composedOf) need no claim. Statements of other claims name triples that need not hold."""
    named = set()
    for st in sorted(data.subjects(RDF.type, RDF.Statement)):
        triple = (data.value(st, RDF.subject), data.value(st, RDF.predicate), data.value(st, RDF.object))
        claim = data.value(st, PROV.wasDerivedFrom)
        if claim is None or (claim, RDF.type, BG.Claim) not in data:
            raise EvidenceError(f"statement {_name(st)} is not derived from a claim")
        kind = data.value(claim, BG.comparisonKind)
        if asserts_statements(str(data.value(claim, BG.stance)), None if kind is None else str(kind)):
            if triple not in data:
                raise EvidenceError(f"statement {_name(st)} names a triple its claim asserts but the graph does not hold")
            named.add(triple)
    unnamed = sorted((s, p, o) for p in SEMANTIC_PROPERTIES - {BG.composedOf} for s, o in data.subject_objects(p)
                     if str(s).startswith(str(BGR)) and (s, p, o) not in named)
    if unnamed:
        s, p, o = unnamed[0]
        raise EvidenceError(f"{_name(s)} {str(p).rsplit('#', 1)[-1]} {_name(o)}: no claim entitles this triple")


def _name(iri) -> str:
    return str(iri).rsplit("/", 1)[-1]


def _anchors(data: Graph):
    """(owner, exact, start, end) for every claim span and entity definition span."""
    for link in (PROV.wasDerivedFrom, BG.definedAt):
        for owner, span in data.subject_objects(link):
            if (owner, RDF.type, RDF.Statement) in data:
                continue  # a semantic-layer statement derived from a claim, not from a text span
            exact = start = end = None
            for sel in data.objects(span, OA.hasSelector):
                if (sel, RDF.type, OA.TextQuoteSelector) in data:
                    exact = data.value(sel, OA.exact)
                elif (sel, RDF.type, OA.TextPositionSelector) in data:
                    start, end = data.value(sel, OA.start), data.value(sel, OA.end)
            if exact is None or start is None or end is None:
                raise EvidenceError(f"evidence of {_name(owner)}: span lacks a quote or position selector")
            yield owner, exact, start, end
