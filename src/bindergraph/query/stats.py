"""`bindergraph stats`: counts per class and relation, and external-link coverage."""
from __future__ import annotations

from .engine import PREFIXES, XSD, Engine, Result, Term
from .results import Report

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


def stats_output(engine: Engine) -> Report:
    """The four counts as tables (classes, relations, triples, links), and the text that lists them."""
    links = engine.select(_LINK_COVERAGE)
    for row in links.rows:  # the share the text shows, as a number
        total, linked = int(row["total"].value), int(row["with_link"].value)
        row["share"] = Term("literal", f"{100.0 * linked / total if total else 0.0:.1f}", XSD + "decimal")
    tables = {"classes": engine.select(_CLASS_COUNTS), "relations": engine.select(_RELATION_COUNTS),
              "triples": engine.select(_DIRECT_COUNTS), "links": Result([*links.variables, "share"], links.rows)}
    lines = ["Instances per class (asserted and inferred):"]
    lines += [f"  {_local(r['class'].value):34s} {int(r['n'].value):6d}" for r in tables["classes"].rows]
    lines.append("Claims per relation:")
    lines += [f"  {_local(r['relation'].value):34s} {int(r['claims'].value):6d}" for r in tables["relations"].rows]
    lines.append("Direct (semantic-layer) triples per property:")
    lines += [f"  {_local(r['p'].value):34s} {int(r['n'].value):6d}" for r in tables["triples"].rows]
    lines.append("External links (share of entities with at least one verified link):")
    lines += [f"  {_local(r['category'].value):34s} {int(r['with_link'].value):4d}/{int(r['total'].value):<4d} "
              f"{float(r['share'].value):5.1f} %" for r in links.rows]
    return Report("\n".join(lines) + "\n", tables)


def compute_stats(engine: Engine) -> str:
    return stats_output(engine).text
