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


DCTERMS = "http://purl.org/dc/terms/"
# Properties whose values are too heterogeneous for a range narrower than owl:Thing; each says why.
NO_RANGE = {"bg:claimSubject", "bg:claimObject", "rdf:subject", "rdf:predicate", "rdf:object"}


def test_ontology_metadata(tbox):
    """Created, modified, version, creator, licence, citation, source and the imported modules."""
    g = tbox.graph
    value = lambda p: g.value(ONTOLOGY_IRI, URIRef(DCTERMS + p))  # noqa: E731
    assert str(value("created")) == "2026-11-25" and str(value("modified")) >= str(value("created"))
    assert str(g.value(ONTOLOGY_IRI, OWL.versionInfo)) == "0.1.0"
    assert str(value("creator")) == "bindergraph contributors"
    assert "10.1007/s41918-023-00198-2" in str(value("bibliographicCitation"))
    assert (ONTOLOGY_IRI, OWL.priorVersion, None) not in g  # no earlier version was ever released
    imports = sorted(str(o) for o in g.objects(ONTOLOGY_IRI, OWL.imports))
    assert imports == ["https://w3id.org/bindergraph/imports/chebi-import", "https://w3id.org/bindergraph/imports/emmo-import"]


def test_import_modules_have_ontology_and_version_iris():
    from bindergraph import paths

    for name in ("chebi-import", "emmo-import"):
        g = Graph().parse(paths.ONTOLOGY_FILE.parent / "imports" / f"{name}.ttl", format="turtle")
        iri = URIRef(f"https://w3id.org/bindergraph/imports/{name}")
        assert (iri, RDF.type, OWL.Ontology) in g
        assert g.value(iri, OWL.versionIRI) == URIRef(f"https://w3id.org/bindergraph/ontology/0.1.0/imports/{name}")


def test_every_property_has_a_range_or_a_reason(tbox):
    """Every object and datatype property the TBox declares has an rdfs:range, except exactly the ones whose
    values are any entity, and those carry a skos:editorialNote saying so."""
    g = tbox.graph
    props = {p for kind in (OWL.ObjectProperty, OWL.DatatypeProperty) for p in g.subjects(RDF.type, kind)}
    assert len(props) > 40
    without = {g.namespace_manager.normalizeUri(p) for p in props if g.value(p, RDFS.range) is None}
    assert without == NO_RANGE
    for p in props:
        if g.value(p, RDFS.range) is None:
            note = g.value(p, SKOS.editorialNote)
            assert note is not None and str(note).startswith("No range:"), p


def test_ranges_hold_for_every_use(full_build):
    """A range is an axiom HermiT uses to type every object: each value in the built graph is an instance
    of the range (a named class, a union's member, or the datatype), so no inferred type can be wrong."""
    from rdflib import Dataset

    from bindergraph import paths

    ds = Dataset()
    ds.parse(paths.current_build(full_build) / "graph.nq", format="nquads")
    g = Graph()
    for t in ds.triples((None, None, None)):
        g.add(t)
    types = {}
    for s, o in g.subject_objects(RDF.type):
        types.setdefault(s, set()).add(o)
    tbox = Graph().parse(paths.ONTOLOGY_FILE, format="turtle")
    sub = {}
    for c, sup in tbox.subject_objects(RDFS.subClassOf):
        sub.setdefault(c, set()).add(sup)
    wrong = []
    for p, rng in tbox.subject_objects(RDFS.range):
        members = set(tbox.items(tbox.value(rng, OWL.unionOf))) if tbox.value(rng, OWL.unionOf) else {rng}
        for o in g.objects(None, p):
            if isinstance(o, Literal):
                ok = (o.datatype or URIRef("http://www.w3.org/2001/XMLSchema#string")) in members
            else:
                ok = bool(_closure(types.get(o, set()), sub) & members)
            if not ok:
                wrong.append((str(p), str(o)))
    assert wrong == []


def _closure(classes: set, sub: dict) -> set:
    out, todo = set(), list(classes)
    while todo:
        c = todo.pop()
        if c not in out:
            out.add(c)
            todo.extend(sub.get(c, ()))
    return out


def test_hermit_runs_offline_despite_owl_imports(tbox):
    """owl:imports is not handed to owlready2 (it would fetch the module IRIs): the modules arrive merged."""
    layer = semantic_layer(tbox.graph, Graph())
    assert (ONTOLOGY_IRI, OWL.imports, None) in tbox.graph and (ONTOLOGY_IRI, OWL.imports, None) not in layer


def test_pronto_reads_a_definition_for_every_term(tmp_path):
    """pronto (which reads OWL as RDF/XML) finds a definition (IAO:0000115) for every bg: class and
    property of the documented ontology."""
    pronto = pytest.importorskip("pronto")
    import warnings

    from bindergraph import paths
    from bindergraph.graph.ontology import documented, terms
    from bindergraph.publish.export import rdfxml_bytes

    g = documented(Graph().parse(paths.ONTOLOGY_FILE, format="turtle"))
    g.remove((ONTOLOGY_IRI, OWL.imports, None))  # pronto would fetch them
    path = tmp_path / "bindergraph.owl"
    path.write_bytes(rdfxml_bytes(g))  # typed node elements (owl:Class, ...): pronto reads no rdf:Description
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        onto = pronto.Ontology(str(path), import_depth=0)
    seen = {t.id: t.definition for t in onto.terms()} | {r.id: r.definition for r in onto.relationships()}
    # pronto reads classes (terms) and object properties (relationships); it skips datatype and annotation
    # properties, whose IAO:0000115 test_every_term_is_documented_for_every_tool checks in the graph
    own = {str(t) for t in terms(g) if (t, RDF.type, OWL.Class) in g or (t, RDF.type, OWL.ObjectProperty) in g}
    missing = sorted(t for t in own if not seen.get(t))
    assert len(own) > 190 and missing == []
