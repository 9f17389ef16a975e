"""The TBox (ontology/bindergraph.ttl) as Python data: classes, their ancestors and labels."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS

BG = Namespace("https://w3id.org/bindergraph/ontology#")
BGR = Namespace("https://w3id.org/bindergraph/resource/")
ONTOLOGY_IRI = URIRef("https://w3id.org/bindergraph/ontology")

# The semantic layer: plain triples between entities that claims entitle (derive.py) and HermiT sees.
SEMANTIC_PROPERTIES = frozenset(BG[p] for p in (
    "hasFunctionalGroup", "hasFunction", "appliedIn", "processedWith", "hasDrawback", "comparedWith",
    "outperforms", "compatibleWith", "incompatibleWith", "interactsWith", "composedOf"))

# Top-level categories an entity record may belong to (one per entity).
CATEGORIES = ("Binder", "FunctionalGroup", "Mechanism", "ActiveMaterial", "CellComponent", "BatteryType",
              "ChemicalEntity", "Solvent", "ProcessingRoute", "Drawback", "Metric")


@dataclass(frozen=True)
class TBox:
    graph: Graph
    ancestors: dict[str, frozenset[str]]  # local class name -> itself and all named superclasses
    labels: dict[str, str]

    def is_class(self, name: str) -> bool:
        return name in self.ancestors

    def category(self, name: str) -> str | None:
        anc = self.ancestors.get(name, frozenset())
        for cat in CATEGORIES:
            if cat in anc:
                return cat
        return None

    def is_a(self, name: str, ancestor: str) -> bool:
        return ancestor in self.ancestors.get(name, frozenset())


def _local(iri: URIRef) -> str | None:
    s = str(iri)
    return s[len(BG):] if s.startswith(str(BG)) else None


@lru_cache(maxsize=4)
def load_tbox(path: Path) -> TBox:
    g = Graph()
    g.parse(path, format="turtle")
    parents: dict[str, set[str]] = {}
    labels: dict[str, str] = {}
    for cls in g.subjects(RDF.type, OWL.Class):
        name = _local(cls)
        if name is None:
            continue
        parents.setdefault(name, set())
        for sup in g.objects(cls, RDFS.subClassOf):
            sup_name = _local(sup)
            if sup_name:
                parents[name].add(sup_name)
        label = g.value(cls, RDFS.label)
        labels[name] = str(label) if label else name

    def closure(name: str, seen: frozenset[str] = frozenset()) -> frozenset[str]:
        out = {name}
        for p in parents.get(name, ()):
            if p not in seen:
                out |= closure(p, seen | {name})
        return frozenset(out)

    return TBox(g, {n: closure(n) for n in parents}, labels)


# Definitions where every tool looks: OBO tools (pronto, oaklib, ROBOT) read IAO:0000115, SKOS tools
# skos:definition; the hand-edited TBox writes skos:definition once and the build adds the rest.
IAO_DEFINITION = URIRef("http://purl.obolibrary.org/obo/IAO_0000115")
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


def documented(tbox: Graph) -> Graph:
    """A copy of the TBox in which every bg: term also carries its definition as IAO:0000115 and
    rdfs:isDefinedBy the ontology (the cached TBox itself is left as it is)."""
    g = Graph()
    for prefix, ns in tbox.namespaces():
        g.bind(prefix, ns)
    g.bind("obo", "http://purl.obolibrary.org/obo/")
    for triple in tbox:
        g.add(triple)
    g.add((IAO_DEFINITION, RDF.type, OWL.AnnotationProperty))
    g.add((IAO_DEFINITION, RDFS.label, Literal("definition", lang="en")))
    for term in sorted(terms(tbox)):
        g.add((term, RDFS.isDefinedBy, ONTOLOGY_IRI))
        for definition in tbox.objects(term, SKOS.definition):
            g.add((term, IAO_DEFINITION, definition))
    return g


def terms(tbox: Graph) -> set[URIRef]:
    """The classes and properties the ontology defines in its own namespace."""
    return {s for kind in TERM_TYPES for s in tbox.subjects(RDF.type, kind) if str(s).startswith(str(BG))}
