"""The TBox: parses, every term labelled and defined, consistent under HermiT."""
from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from bindergraph.errors import InconsistentOntologyError, JavaMissingError
from bindergraph.graph.ontology import BG, BGR, ONTOLOGY_IRI
from bindergraph.checks.reason import classify, semantic_layer


def test_ontology_header(tbox):
    g = tbox.graph
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    assert g.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef("https://w3id.org/bindergraph/ontology/0.1.0")
    assert g.value(ONTOLOGY_IRI, URIRef("http://purl.org/dc/terms/license")) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/")
    assert g.value(ONTOLOGY_IRI, URIRef("http://purl.org/dc/terms/source")) == URIRef(
        "https://doi.org/10.1007/s41918-023-00198-2")


@pytest.mark.parametrize("kind", [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty])
def test_every_own_term_is_labelled_and_defined(tbox, kind):
    g = tbox.graph
    own = [s for s in g.subjects(RDF.type, kind) if str(s).startswith(str(BG))]
    assert len(own) > 10
    unlabelled = [s for s in own if g.value(s, RDFS.label) is None]
    undefined = [s for s in own if g.value(s, SKOS.definition) is None]
    assert unlabelled == [] and undefined == []


def test_required_hierarchy(tbox):
    # the mechanism hierarchy and taxonomy the foundation issue asks for
    for child, parent in [("HydrogenBonding", "Adhesion"), ("LithiumIonTransport", "ChargeTransport"),
                          ("TransitionMetalTrapping", "Scavenging"), ("PolysulfideTrapping", "Scavenging"),
                          ("SelfHealing", "Mechanics"), ("Thickening", "Processing"),
                          ("FlameRetardancy", "Safety"), ("CEIFormation", "InterphaseFunction"),
                          ("SingleIonConductor", "Polyelectrolyte"), ("Polysaccharide", "NaturalBinder"),
                          ("SolidStateLithiumSulfurBattery", "LithiumSulfurBattery"),
                          ("SulfideSolidElectrolyte", "SolidElectrolyte"), ("EthyleneOxideGroup", "EtherGroup")]:
        assert tbox.is_a(child, parent), (child, parent)


def test_hermit_finds_shipped_tbox_consistent(tbox):
    assert isinstance(classify(semantic_layer(tbox.graph, Graph())), Graph)


def test_hermit_reports_contradiction(tbox):
    data = Graph()
    x = BGR["not-a-binder"]
    data.add((x, RDF.type, OWL.NamedIndividual))
    data.add((x, RDF.type, BG.Binder))
    data.add((x, RDF.type, BG.Mechanism))  # disjoint with Binder
    with pytest.raises(InconsistentOntologyError, match="inconsistent"):
        classify(semantic_layer(tbox.graph, data))


def test_missing_java_is_not_inconsistency(tbox, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(JavaMissingError, match="Java runtime not found"):
        classify(semantic_layer(tbox.graph, Graph()))


def test_defined_class_via_hermit(tbox):
    data = Graph()
    b, grp = BGR["demo-binder"], BGR["carboxyl"]
    for s, t in ((b, BG.Binder), (grp, BG.CarboxylGroup)):
        data.add((s, RDF.type, OWL.NamedIndividual))
        data.add((s, RDF.type, t))
    data.add((b, BG.hasFunctionalGroup, grp))
    data.add((b, RDFS.label, Literal("demo")))
    inferred = classify(semantic_layer(tbox.graph, data))
    assert (b, RDF.type, BG.CarboxylBearingBinder) in inferred
    assert (b, RDF.type, BG.SelfHealingBinder) not in inferred


def test_every_term_is_documented_for_every_tool(engine):
    """Each bg: class and property has a label and a definition, which OBO tools (pronto, oaklib) read as
    IAO:0000115 and SKOS tools as skos:definition (the same text), and says which ontology defines it."""
    from bindergraph.query.engine import PREFIXES

    rows = engine.select(PREFIXES + """SELECT ?t ?label ?skos ?iao ?by WHERE {
        VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty }
        GRAPH <https://w3id.org/bindergraph/graph/ontology> { ?t a ?kind }
        FILTER(STRSTARTS(STR(?t), STR(bg:)))
        OPTIONAL { ?t rdfs:label ?label } OPTIONAL { ?t skos:definition ?skos }
        OPTIONAL { ?t <http://purl.obolibrary.org/obo/IAO_0000115> ?iao } OPTIONAL { ?t rdfs:isDefinedBy ?by } }""").rows
    assert len({r["t"].value for r in rows}) > 200
    undocumented = sorted({r["t"].value.rsplit("#", 1)[-1] for r in rows
                           if not {"label", "skos", "iao", "by"} <= set(r) or r["skos"] != r["iao"]
                           or r["by"].value != "https://w3id.org/bindergraph/ontology"})
    assert undocumented == []
    binder = next(r for r in rows if r["t"].value.endswith("#Binder"))
    assert binder["iao"].value.startswith(binder["skos"].value[:20])
