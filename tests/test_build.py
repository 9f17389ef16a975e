"""The build: deterministic, evidence-checked, shape-validated, and atomic."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import PROV

from bindergraph import paths
from bindergraph.build import BuildOptions, build, validate_shapes
from bindergraph.curate.curation import check_records
from bindergraph.errors import EvidenceError, RecordErrors, ShapeViolationError
from bindergraph.checks.evidence import check_evidence
from bindergraph.graph.emit import build_graph
from bindergraph.graph.ontology import BG, BGR
from bindergraph.curate.references import parse_references


def _parts(records, tbox, review):
    return build_graph(check_records(records, tbox, review), parse_references(review), review)


def test_defined_classes_filled_by_reasoner(small_build):
    g = Graph().parse(small_build / "graph.nt", format="nt")
    # PAA: a carboxyl group (via_group) and a protective coating on LLO in the fixture claim
    assert (BGR.PAA, RDF.type, BG.CarboxylBearingBinder) in g
    assert (BGR.PAA, RDF.type, BG.InterphaseFormingBinder) in g
    assert (BGR.PAALi, RDF.type, BG.HighVoltageCathodeBinder) in g  # applied to LNMO, a HighVoltageCathode
    assert (BGR.PVDF, RDF.type, BG.CarboxylBearingBinder) not in g


def test_inferred_graph_holds_every_class_entailed(small_build):
    """P3HT does mixed conduction: HermiT's most specific class is MixedConductingBinder, and the inferred graph
    also holds the classes that entails (ion- and electron-conducting), not only the most specific one."""
    g = Graph().parse(small_build / "graph.nt", format="nt")
    for cls in (BG.MixedConductingBinder, BG.IonConductingBinder, BG.ElectronConductingBinder):
        assert (BGR.P3HT, RDF.type, cls) in g
        assert (BGR["PEDOT-PSS"], RDF.type, cls) in g


def test_a_blend_inherits_no_function_from_its_constituents(small_build):
    g = Graph().parse(small_build / "graph.nt", format="nt")
    blend = BGR["PEDOT-PSS-CMC"]
    assert (blend, BG.composedOf, BGR["PEDOT-PSS"]) in g
    assert (blend, RDF.type, BG.PolymerBlend) in g
    for cls in (BG.MixedConductingBinder, BG.IonConductingBinder, BG.ElectronConductingBinder):
        assert (blend, RDF.type, cls) not in g


def test_every_derived_triple_is_named_with_its_claim(small_build):
    g = Graph().parse(small_build / "graph.nt", format="nt")
    st = [s for s in g.subjects(RDF.type, RDF.Statement)
          if g.value(s, RDF.subject) == BGR.P3HT and g.value(s, RDF.predicate) == BG.hasFunction]
    assert len(st) == 1 and g.value(st[0], RDF.object) == BGR["mixed-conduction"]
    claim = g.value(st[0], PROV.wasDerivedFrom)
    assert claim == BGR["claim-s3.1.2-p3ht"]
    assert (claim, RDF.type, BG.ReportedFinding) in g
    assert set(g.objects(claim, PROV.hadPrimarySource)) == {BGR["ref-132"], BGR["ref-133"]}
    assert g.value(claim, BG.stance) == Literal("positive")


def test_evidence_check_rejects_a_triple_no_claim_entitles(fixture_records, tbox, review):
    parts = _parts(fixture_records, tbox, review)
    parts.data.add((BGR.PVDF, BG.appliedIn, BGR.Si))
    with pytest.raises(EvidenceError, match="PVDF appliedIn Si: no claim entitles this triple"):
        check_evidence(parts.data, review)


def test_evidence_check_rejects_a_triple_only_a_hedged_claim_names(fixture_records, tbox, review):
    parts = _parts(fixture_records, tbox, review)
    parts.data.set((BGR["claim-s3.1.1-001"], BG.stance, Literal("hedged")))
    with pytest.raises(EvidenceError, match="PAA appliedIn LLO: no claim entitles this triple"):
        check_evidence(parts.data, review)


def test_claim_carries_evidence(small_build, review):
    g = Graph().parse(small_build / "graph.nt", format="nt")
    claim = BGR["claim-s3.1.1-001"]
    span = g.value(claim, PROV.wasDerivedFrom)
    q = URIRef(str(span) + "-quote")
    exact = str(g.value(q, URIRef("http://www.w3.org/ns/oa#exact")))
    assert exact == "Cao's group proved that PAA could form a uniform coating layer with a thickness of ~ 10 nm on LLO"
    start = int(g.value(URIRef(str(span) + "-position"), URIRef("http://www.w3.org/ns/oa#start")))
    assert review.text[start:start + len(exact)] == exact
    assert (claim, URIRef("http://purl.org/dc/terms/references"), BGR["ref-97"]) in g
    assert g.value(claim, BG.inSection) == BGR["section-3.1.1"]


def test_build_is_deterministic(tmp_path, fixture_records):
    outs = []
    for name in ("a", "b"):
        out = tmp_path / name
        build(BuildOptions(records=fixture_records, out_dir=out))
        outs.append(out)
    for f in ("graph.nt", "graph.ttl", "graph.nq", "manifest.json"):
        assert (outs[0] / f).read_bytes() == (outs[1] / f).read_bytes(), f


def test_failed_build_keeps_previous_output(tmp_path, fixture_records):
    out = tmp_path / "out"
    build(BuildOptions(records=fixture_records, out_dir=out))
    before = {f: (out / f).read_bytes() for f in ("graph.nt", "graph.ttl", "manifest.json")}
    claims = fixture_records / "claims" / "slice.yaml"
    claims.write_text(claims.read_text().replace("Cao's group proved", "Cao's team proved"))
    with pytest.raises(RecordErrors, match="s3.1.1-001"):
        build(BuildOptions(records=fixture_records, out_dir=out))
    assert {f: (out / f).read_bytes() for f in before} == before
    assert (out / "store").is_dir()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary leftovers


def test_shacl_rejects_claim_without_evidence(fixture_records, tbox, review):
    parts = _parts(fixture_records, tbox, review)
    validate_shapes(parts, tbox.graph)  # the real graph conforms
    parts.data.remove((BGR["claim-t1-r01"], PROV.wasDerivedFrom, None))
    with pytest.raises(ShapeViolationError, match="claim-t1-r01.*evidence"):
        validate_shapes(parts, tbox.graph)


def test_shacl_rejects_measurement_without_unit(fixture_records, tbox, review):
    parts = _parts(fixture_records, tbox, review)
    parts.data.remove((BGR["claim-s3.1.1-001-m1"], URIRef("http://qudt.org/schema/qudt/unit"), None))
    with pytest.raises(ShapeViolationError, match="no unit"):
        validate_shapes(parts, tbox.graph)


def test_evidence_check_rejects_shifted_offsets(fixture_records, tbox, review):
    parts = _parts(fixture_records, tbox, review)
    assert check_evidence(parts.data, review) == 4
    pos = BGR["claim-s3.1.1-001-span-position"]
    oa_start = URIRef("http://www.w3.org/ns/oa#start")
    start = parts.data.value(pos, oa_start)
    parts.data.set((pos, oa_start, type(start)(int(start) + 1, datatype=start.datatype)))
    with pytest.raises(EvidenceError, match="claim-s3.1.1-001"):
        check_evidence(parts.data, review)


def test_evidence_check_rejects_a_quote_shortcut_that_drifted(fixture_records, tbox, review):
    """bg:quote copies the selector's oa:exact for one-pattern queries; the build checks both agree."""
    parts = _parts(fixture_records, tbox, review)
    claim = BGR["claim-s3.1.1-001"]
    assert "Cao's group proved" in str(parts.data.value(claim, BG.quote))
    parts.data.set((claim, BG.quote, Literal(str(parts.data.value(claim, BG.quote)).replace("proved", "showed"))))
    with pytest.raises(EvidenceError, match="claim-s3.1.1-001: bg:quote differs"):
        check_evidence(parts.data, review)


def test_shipped_review_is_the_source_file():
    src = Path(__file__).resolve().parents[2] / "shared" / "sources" / "000_4eb21847f69516f3.txt"
    if not src.exists():
        pytest.skip("shared/ sources not beside this checkout")
    assert src.read_bytes() == paths.REVIEW_FILE.read_bytes()
