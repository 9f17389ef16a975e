"""Exports are byte-identical from run to run, hold the graph, and open in the tools ontology engineers use."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import pytest
from rdflib import OWL, RDF, RDFS, BNode, Dataset, Graph, Literal, URIRef

from bindergraph import paths
from bindergraph.cli import EXPORT_FORMATS
from bindergraph.graph.ontology import BG, BGR, ONTOLOGY_IRI
from bindergraph.publish.export import FORMATS, TERMINOLOGY, export_bytes, owl_graph

GRAPHS = ("data", "references", "links", "imports", "ontology", "inferred")
GRAPH_BASE = "https://w3id.org/bindergraph/graph/"


def _export(build, fmt: str, tmp_path, seed: str = "0"):
    out = tmp_path / f"g{seed}.{fmt}"
    env = {**os.environ, "PYTHONHASHSEED": seed}
    subprocess.run([sys.executable, "-m", "bindergraph", "--out", str(build), "export", "--format", fmt,
                    "--output", str(out)], check=True, env=env, capture_output=True)
    return out


def _quads_per_graph(build_dir) -> Counter:
    return Counter(line.rstrip().rsplit(" ", 2)[-2].strip("<>") for line in open(build_dir / "graph.nq", encoding="utf-8"))


def test_cli_offers_every_file_format():
    assert set(EXPORT_FORMATS) == set(FORMATS) | {"nanopub"} and "nanopub" not in FORMATS


@pytest.mark.parametrize("fmt", ["jsonld", "trig", "owl", "ofn"])
def test_exports_are_deterministic_across_processes(small_build, tmp_path, fmt):
    """Two processes with different hash seeds (rdflib and horned-owl follow hash sets) write the same bytes."""
    outs = [_export(small_build, fmt, tmp_path, seed).read_bytes() for seed in ("1", "2")]
    assert outs[0] == outs[1]


def test_turtle_uses_at_prefix(full_build):
    """Turtle 1.0 `@prefix` (the OWL API rejects SPARQL-style PREFIX); and it is the whole graph."""
    build_dir = paths.current_build(full_build)
    text = (build_dir / "graph.ttl").read_text(encoding="utf-8")
    head = text.split("\n\n", 1)[0].splitlines()
    assert head and all(line.startswith("@prefix ") and line.endswith(" .") for line in head)
    assert "\nPREFIX " not in text and "ns1:" not in text  # sssom: and obo: are bound
    ttl = Graph().parse(data=text, format="turtle")
    nt = Graph().parse(build_dir / "graph.nt", format="nt")
    assert len(ttl) == len(nt) and _values(ttl) == _values(nt)  # longturtle writes "1"^^xsd:decimal as 1.0


def _values(g: Graph) -> set:
    return {(s, p, (o.datatype, o.toPython()) if isinstance(o, Literal) and o.datatype else o)
            for s, p, o in g if not any(isinstance(n, BNode) for n in (s, p, o))}


@pytest.mark.parametrize("fmt,rdflib_format", [("trig", "trig"), ("jsonld", "json-ld")])
def test_datasets_keep_the_six_named_graphs(full_build, fmt, rdflib_format):
    """TriG and JSON-LD hold the six named graphs with as many triples each as graph.nq."""
    build_dir = paths.current_build(full_build)
    ds = Dataset()
    ds.parse(data=export_bytes(build_dir, fmt), format=rdflib_format)
    counts = {str(g.identifier): len(g) for g in ds.graphs() if len(g)}
    expected = _quads_per_graph(build_dir)
    assert sorted(counts) == sorted(GRAPH_BASE + g for g in GRAPHS)
    assert counts == dict(expected)


def test_jsonld_context_has_rdfs_and_xsd(small_build):
    doc = json.loads(export_bytes(paths.current_build(small_build), "jsonld"))
    assert doc["@context"]["rdfs"] == str(RDFS) and doc["@context"]["xsd"] == "http://www.w3.org/2001/XMLSchema#"
    assert sorted(g["@id"] for g in doc["@graph"]) == sorted(GRAPH_BASE + g for g in GRAPHS)


def test_owl_export_is_the_whole_graph_without_imports(full_build):
    """RDF/XML of the whole graph; the import modules are inside, so nothing is left to fetch."""
    build_dir = paths.current_build(full_build)
    g = Graph().parse(data=export_bytes(build_dir, "owl"), format="xml")
    nt = Graph().parse(build_dir / "graph.nt", format="nt")
    assert list(g.subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY_IRI]
    assert (ONTOLOGY_IRI, OWL.imports, None) not in g and (ONTOLOGY_IRI, OWL.imports, None) in nt
    module_triples = {t for m in nt.subjects(RDF.type, OWL.Ontology) if m != ONTOLOGY_IRI for t in nt.triples((m, None, None))}
    assert len(g) == len(nt) - len(module_triples) - len(list(nt.triples((ONTOLOGY_IRI, OWL.imports, None))))


def test_owl_export_loads_in_owlready2(full_build, tmp_path):
    """owlready2 reads the RDF/XML offline: the classes, the binders and their definitions."""
    owlready2 = pytest.importorskip("owlready2")
    path = tmp_path / "bindergraph.owl"
    path.write_bytes(export_bytes(paths.current_build(full_build), "owl"))
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    binder = world[str(BG.Binder)]
    assert binder is not None and onto.imported_ontologies == []
    paa = world[str(BGR.PAA)]
    assert paa is not None and "poly(acrylic acid)" in [str(x) for x in paa.label]
    assert any(c.iri == str(BG.Binder) for c in paa.is_a) or any(
        str(BG.Binder) in {a.iri for a in c.ancestors()} for c in paa.is_a)


def test_ofn_opens_in_horned_owl_and_holds_the_ontology(full_build, tmp_path):
    """py-horned-owl reads the functional syntax back; every axiom of the terminology survives (compared as
    ground triples: horned-owl names axiom annotation nodes with blank nodes and types plain strings)."""
    pyhornedowl = pytest.importorskip("pyhornedowl")
    build_dir = paths.current_build(full_build)
    text = export_bytes(build_dir, "ofn").decode("utf-8")
    assert text.splitlines()[0].startswith("Prefix(") and "Ontology(<https://w3id.org/bindergraph/ontology>" in text
    path = tmp_path / "bindergraph.ofn"
    path.write_text(text, encoding="utf-8")
    onto = pyhornedowl.open_ontology_from_file(str(path))
    back = Graph().parse(data=onto.save_to_string("rdf"), format="xml")
    assert _ground(back) == _ground(owl_graph(build_dir, TERMINOLOGY))
    assert (BG.Binder, RDFS.label, Literal("binder", lang="en")) in back


def _ground(g: Graph) -> set:
    axioms = set(g.subjects(RDF.type, OWL.Axiom))
    out = set()
    for s, p, o in g:
        if s in axioms or any(isinstance(n, BNode) for n in (s, p, o)):
            continue
        out.add((s, p, Literal(str(o), lang=o.language) if isinstance(o, Literal) and o.datatype == URIRef(
            "http://www.w3.org/2001/XMLSchema#string") else o))
    return out


def test_owl_export_opens_in_pronto_with_definitions(full_build, tmp_path):
    """pronto (OBO tools) reads the RDF/XML and finds a definition for every bg: class."""
    pronto = pytest.importorskip("pronto")
    path = tmp_path / "bindergraph.owl"
    path.write_bytes(export_bytes(paths.current_build(full_build), "owl"))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        onto = pronto.Ontology(str(path), import_depth=0)
    own = [t for t in onto.terms() if t.id.startswith(str(BG))]
    assert len(own) > 150
    assert [t.id for t in own if not t.definition] == []
    assert onto[str(BG.Binder)].definition.startswith("A material, usually a polymer")


def test_merged_graph_declares_every_term(full_build):
    """No undeclared term (an OWL 2 DL requirement): every property used and every class instantiated in
    the merged graph is declared in it, apart from the RDF, RDFS and OWL vocabularies themselves."""
    g = Graph().parse(paths.current_build(full_build) / "graph.nt", format="nt")
    declared = {s for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
                for s in g.subjects(RDF.type, kind)}
    builtin = (str(OWL), str(RDFS), "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
               "http://www.w3.org/1999/02/22-rdf-syntax-ns#first", "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest")
    used = {p for p in g.predicates()} | {o for o in g.objects(None, RDF.type)}
    undeclared = sorted(str(t) for t in used if t not in declared and not str(t).startswith(builtin))
    assert undeclared == []
    assert (URIRef("https://w3id.org/sssom/MappingSet"), RDF.type, OWL.Class) in g


def test_jsonld_dataset_round_trips_in_pyld(small_build):
    """pyld (the reference JSON-LD processor) reads the same quads per named graph as graph.nq holds."""
    jsonld = pytest.importorskip("pyld.jsonld")
    build_dir = paths.current_build(small_build)
    nquads = jsonld.to_rdf(json.loads(export_bytes(build_dir, "jsonld")), {"format": "application/n-quads"})
    counts = Counter(line.rsplit(" ", 2)[-2].strip("<>") for line in nquads.splitlines() if line)
    assert counts == _quads_per_graph(build_dir) and len(counts) == len(GRAPHS)
