"""The entity network and `bindergraph hubs`, checked against independent SPARQL counts."""
from __future__ import annotations

import networkx as nx
import pytest
from click.testing import CliRunner

from bindergraph.publish.analytics import (BG, KINDS, binder_material_graph, entity_graph, hubs_output, load_claims,
                                   local_name)
from bindergraph.query.results import Report
from bindergraph.cli import main
from bindergraph.query.engine import PREFIXES, Term

BGR = "https://w3id.org/bindergraph/resource/"
HEADINGS = ("Most multifunctional binders", "Most multifunctional functional groups",
            "Mechanisms with the most supporting binders", "Binders bridging application areas")


@pytest.fixture(scope="module")
def data(engine):
    return load_claims(engine)


@pytest.fixture(scope="module")
def report(engine) -> Report:
    return hubs_output(engine, 8)


def sections(report: Report) -> dict[str, list[list[str]]]:
    """Heading -> table rows (an entity as its id, other cells as their text), from the report's tables."""
    tables = dict(zip(HEADINGS, ("binders", "groups", "mechanisms", "bridges")))
    return {h: [[local_name(t.value) if t.kind == "uri" else t.value for t in (row.get(v) for v in res.variables) if t]
                 for row in res.rows] for h, res in ((h, report.tables[name]) for h, name in tables.items())}


def test_entity_graph_has_only_domain_entities(data):
    g = entity_graph(data)
    kinds = {k for k, _, _ in KINDS}
    assert 300 < g.number_of_nodes() < 600 and 1000 < g.number_of_edges() < 2500
    for n in g:
        assert n.startswith((BGR, BG)), n  # no literal, blank node or foreign IRI
        assert data.entities[n].kind in kinds
        assert "/claim-" not in n and "/ref-" not in n and "/section-" not in n
    claim_iris = {c.iri for c in data.claims}
    for _, _, attrs in g.edges(data=True):
        assert attrs["claims"] and set(attrs["claims"]) <= claim_iris


def test_a_claim_becomes_an_edge_with_its_relation(engine, data):
    """Every hasFunctionalGroup claim yields subject -> group, carrying that claim."""
    rows = engine.select(PREFIXES + """SELECT ?c ?s ?o WHERE { ?c a bg:Claim ; bg:claimRelation bg:hasFunctionalGroup ;
        bg:claimSubject ?s ; bg:claimObject ?o }""").rows
    g = entity_graph(data)
    assert len(rows) > 20
    for r in rows:
        s, o = r["s"].value, r["o"].value
        assert r["c"].value in g.edges[s, o, "hasFunctionalGroup"]["claims"]
        assert g.edges[s, o, "hasFunctionalGroup"]["label"] == "has functional group"


def test_context_entities_are_linked_to_the_subject(data):
    """PAN's nitrile-mediated claims link PAN to the nitrile group (context: via group)."""
    g = entity_graph(data)
    assert g.has_edge(BGR + "PAN", BGR + "nitrile", "ctx:viaGroup")
    assert data.entities[BGR + "nitrile"].kind == "group"


def test_report_has_all_sections(report):
    found = sections(report)
    assert set(found) == set(HEADINGS)
    for heading, rows in found.items():
        assert 1 <= len(rows) <= 8, heading


def _families_sparql(engine, subject: str) -> set[str]:
    # ?s is projected because Oxigraph substitutes only variables of the SELECT clause.
    rows = engine.select(PREFIXES + """SELECT DISTINCT ?s ?fam WHERE {
        ?c a bg:Claim ; bg:claimRelation bg:hasFunction ; bg:claimSubject ?s ; bg:claimObject ?m .
        ?m a ?fam . ?fam rdfs:subClassOf bg:Mechanism }""", {"s": Term("uri", subject)}).rows
    return {local_name(r["fam"].value) for r in rows}


def test_multifunctional_binders_match_sparql(engine, report):
    rows = sections(report)["Most multifunctional binders"]
    counts = [int(r[1]) for r in rows]
    assert counts == sorted(counts, reverse=True)
    pvdf = next(r for r in rows if r[0].startswith("PVDF"))
    fams = _families_sparql(engine, BGR + "PVDF")
    assert int(pvdf[1]) == len(fams) >= 3
    assert set(pvdf[4].split(", ")) == fams


def test_group_functions_include_claims_made_through_the_group(engine, report):
    rows = sections(report)["Most multifunctional functional groups"]
    carboxyl = next(r for r in rows if r[0].startswith("carboxyl"))
    via = engine.select(PREFIXES + """SELECT DISTINCT ?fam WHERE {
        ?c a bg:Claim ; bg:claimRelation bg:hasFunction ; bg:claimObject ?m .
        { ?c bg:claimSubject bgr:carboxyl } UNION { ?c bg:viaGroup bgr:carboxyl }
        ?m a ?fam . ?fam rdfs:subClassOf bg:Mechanism }""").rows
    assert int(carboxyl[1]) == len(via) >= 2


def test_mechanism_support_matches_sparql(engine, report):
    rows = sections(report)["Mechanisms with the most supporting binders"]
    top = rows[0]
    res = engine.select(PREFIXES + """SELECT ?m ?l (COUNT(DISTINCT ?b) AS ?n) WHERE {
        ?c a bg:Claim ; bg:claimRelation bg:hasFunction ; bg:claimSubject ?b ; bg:claimObject ?m .
        ?b a bg:Binder . ?m a bg:Mechanism ; rdfs:label ?l } GROUP BY ?m ?l ORDER BY DESC(?n)""")
    best = res.rows[0]
    assert top[0] == local_name(best["m"].value) and int(top[1]) == int(best["n"].value)
    assert [int(r[1]) for r in rows] == sorted((int(r[1]) for r in rows), reverse=True)


def test_bridges_span_several_application_areas(data, report):
    rows = sections(report)["Binders bridging application areas"]
    g = binder_material_graph(data)
    assert nx.is_bipartite(g)
    for r in rows:
        assert int(r[1]) >= 2 and len(r[4].split(", ")) == int(r[1])
    # PVDF, the reference binder, is used with the widest range of materials in the review.
    assert rows[0][0].startswith("PVDF")
    assert g.degree(BGR + "PVDF") == int(rows[0][3])


def test_top_limits_rows(engine):
    for rows in sections(hubs_output(engine, 2)).values():
        assert len(rows) <= 2


def test_cli_hubs(full_build):
    res = CliRunner(env={"COLUMNS": "100"}).invoke(main, ["--out", str(full_build), "hubs", "--top", "3"])
    assert res.exit_code == 0, res.output
    assert all(h in res.output for h in HEADINGS)
    assert max(len(line) for line in res.output.splitlines()) <= 100
