"""Evidence check on the built graph: every quote selector must match the review at its offsets."""
from __future__ import annotations

from rdflib import RDF, Graph
from rdflib.namespace import PROV

from .errors import EvidenceError
from .ontology import BG
from .source import Review, fold

_QUERY = """
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?owner ?exact ?start ?end WHERE {
  ?owner ?link ?span .
  FILTER(?link IN (prov:wasDerivedFrom, <https://w3id.org/bindergraph/ontology#definedAt>))
  ?span oa:hasSelector ?q , ?p .
  ?q a oa:TextQuoteSelector ; oa:exact ?exact .
  ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
}"""


def check_evidence(data: Graph, review: Review) -> int:
    """Raise EvidenceError naming the first claim whose quote and offsets disagree with the review."""
    count = 0
    for owner, exact, start, end in sorted(data.query(_QUERY), key=lambda r: str(r[0])):
        s, e = int(start), int(end)
        if not (0 <= s < e <= len(review.text)) or review.text[s:e] != str(exact):
            name = str(owner).rsplit("/", 1)[-1]
            found = "outside the text" if not (0 <= s < e <= len(review.text)) else repr(fold(review.text[s:e])[:60])
            raise EvidenceError(f"evidence of {name}: oa:exact does not match the review at offsets {s}-{e} "
                                f"(text there: {found})")
        count += 1
    bare = sorted(c for c in data.subjects(RDF.type, BG.Claim) if (c, PROV.wasDerivedFrom, None) not in data)
    if bare:
        raise EvidenceError(f"{str(bare[0]).rsplit('/', 1)[-1]}: claim has no evidence span")
    return count
