"""Evidence check on the built graph: every quote selector must match the review at its offsets, and
every claim's bg:quote shortcut must equal its selector's quote."""
from __future__ import annotations

from rdflib import RDF, Graph
from rdflib.namespace import PROV

from .errors import EvidenceError
from .graph import OA
from .ontology import BG
from .source import Review, fold


def check_evidence(data: Graph, review: Review) -> int:
    """Raise EvidenceError naming the first claim whose quote and offsets disagree with the review."""
    count = 0
    for owner, exact, start, end in sorted(_anchors(data), key=lambda r: str(r[0])):
        s, e = int(start), int(end)
        if not (0 <= s < e <= len(review.text)) or review.text[s:e] != str(exact):
            found = "outside the text" if not (0 <= s < e <= len(review.text)) else repr(fold(review.text[s:e])[:60])
            raise EvidenceError(f"evidence of {_name(owner)}: oa:exact does not match the review at offsets {s}-{e} "
                                f"(text there: {found})")
        shortcut = data.value(owner, BG.quote)
        if (owner, RDF.type, BG.Claim) in data and (shortcut is None or str(shortcut) != str(exact)):
            raise EvidenceError(f"evidence of {_name(owner)}: bg:quote differs from its quote selector")
        count += 1
    bare = sorted(c for c in data.subjects(RDF.type, BG.Claim) if (c, PROV.wasDerivedFrom, None) not in data)
    if bare:
        raise EvidenceError(f"{_name(bare[0])}: claim has no evidence span")
    return count


def _name(iri) -> str:
    return str(iri).rsplit("/", 1)[-1]


def _anchors(data: Graph):
    """(owner, exact, start, end) for every claim span and entity definition span."""
    for link in (PROV.wasDerivedFrom, BG.definedAt):
        for owner, span in data.subject_objects(link):
            exact = start = end = None
            for sel in data.objects(span, OA.hasSelector):
                if (sel, RDF.type, OA.TextQuoteSelector) in data:
                    exact = data.value(sel, OA.exact)
                elif (sel, RDF.type, OA.TextPositionSelector) in data:
                    start, end = data.value(sel, OA.start), data.value(sel, OA.end)
            if exact is None or start is None or end is None:
                raise EvidenceError(f"evidence of {_name(owner)}: span lacks a quote or position selector")
            yield owner, exact, start, end
