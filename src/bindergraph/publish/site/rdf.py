"""The triples beside each page (an entity's or record's own, and those pointing at it) and the ontology
graph, as Turtle, N-Triples or JSON-LD: the site's RDF files and `serve`'s answers to RDF clients."""
from __future__ import annotations

from ...query.engine import BGR, Engine, Term, Triples
from ...query.results import to_graph
from .layout import ONTOLOGY_GRAPH


def entity_rdf(engine: Engine, local_id: str, fmt: str = "ttl") -> str:
    """The entity's (or record's) own triples (every graph) and those that point at it from other IRIs (its
    claims and statements), as Turtle, N-Triples or JSON-LD."""
    return resource_rdf(engine, BGR + local_id, fmt)


def resource_rdf(engine: Engine, resource: str, fmt: str = "ttl") -> str:
    """`entity_rdf` for any IRI (a unit, a mapping axiom)."""
    return to_graph(resource_triples(engine, resource), fmt)


def resource_triples(engine: Engine, resource: str) -> Triples:
    iri = Term("uri", resource)
    out = engine.run("CONSTRUCT { ?e ?p ?o } WHERE { ?e ?p ?o }", {"e": iri})
    into = engine.run("CONSTRUCT { ?s ?p ?e } WHERE { ?s ?p ?e FILTER(isIRI(?s)) }", {"e": iri})
    assert isinstance(out, Triples) and isinstance(into, Triples)
    return Triples(out.triples + into.triples)


def ontology_rdf(engine: Engine, fmt: str = "ttl") -> str:
    """The ontology graph alone (the TBox as built), as Turtle, N-Triples or JSON-LD."""
    answer = engine.run(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}")
    assert isinstance(answer, Triples)
    return to_graph(answer, fmt)
