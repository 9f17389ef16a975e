"""`bindergraph stats`: counts per class and relation, and external-link coverage."""
from __future__ import annotations

from .engine import PREFIXES, Engine

_CLASS_COUNTS = PREFIXES + """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a ?class . FILTER(STRSTARTS(STR(?class), "https://w3id.org/bindergraph/ontology#"))
} GROUP BY ?class ORDER BY DESC(?n) ?class"""

_RELATION_COUNTS = PREFIXES + """
SELECT ?relation (COUNT(*) AS ?claims) WHERE { ?c a bg:Claim ; bg:claimRelation ?relation }
GROUP BY ?relation ORDER BY DESC(?claims) ?relation"""

_DIRECT_COUNTS = PREFIXES + """
SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o .
  FILTER(?p IN (bg:hasFunctionalGroup, bg:hasFunction, bg:appliedIn, bg:processedWith, bg:hasDrawback,
                bg:comparedWith, bg:outperforms, bg:compatibleWith, bg:incompatibleWith, bg:interactsWith,
                bg:composedOf)) } GROUP BY ?p ORDER BY DESC(?n) ?p"""

_LINK_COVERAGE = PREFIXES + """
SELECT ?category (COUNT(DISTINCT ?e) AS ?total) (COUNT(DISTINCT ?linked) AS ?with_link) WHERE {
  VALUES ?category { bg:Binder bg:FunctionalGroup bg:Solvent bg:ActiveMaterial bg:ChemicalEntity }
  ?e a ?category .
  FILTER NOT EXISTS { ?e a bg:GenericBinderFamily }
  OPTIONAL { ?e skos:exactMatch|skos:closeMatch|skos:broadMatch|skos:narrowMatch|skos:relatedMatch ?x . BIND(?e AS ?linked) }
} GROUP BY ?category ORDER BY ?category"""


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def compute_stats(engine: Engine) -> str:
    lines = ["Instances per class (asserted and inferred):"]
    for row in engine.select(_CLASS_COUNTS).rows:
        lines.append(f"  {_local(row['class'].value):34s} {int(row['n'].value):6d}")
    lines.append("Claims per relation:")
    for row in engine.select(_RELATION_COUNTS).rows:
        lines.append(f"  {_local(row['relation'].value):34s} {int(row['claims'].value):6d}")
    lines.append("Direct (semantic-layer) triples per property:")
    for row in engine.select(_DIRECT_COUNTS).rows:
        lines.append(f"  {_local(row['p'].value):34s} {int(row['n'].value):6d}")
    lines.append("External links (share of entities with at least one verified link):")
    for row in engine.select(_LINK_COVERAGE).rows:
        total, linked = int(row["total"].value), int(row["with_link"].value)
        share = 100.0 * linked / total if total else 0.0
        lines.append(f"  {_local(row['category'].value):34s} {linked:4d}/{total:<4d} {share:5.1f} %")
    return "\n".join(lines) + "\n"
