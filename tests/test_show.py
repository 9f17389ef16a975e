"""`bindergraph show` / `compare` and the Python API, on the shipped graph, read against the review."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import bindergraph
from bindergraph.cli import main
from bindergraph.query.show import compare, entity_page


@pytest.fixture(scope="module")
def run(full_build):
    runner = CliRunner(env={"COLUMNS": "100"})

    def invoke(*args):
        return runner.invoke(main, ["--out", str(full_build), *args], catch_exceptions=False)
    return invoke


def _facts(page, section):
    return {(page.labels.get(f.other, f.other) if f.other else f.value, f.stance): f.claims
            for f in page.facts if f.section == section}


def test_show_binder_lines_carry_their_claims(engine):
    page = entity_page(engine, engine.resolve_entity("PAA"))
    assert page.label == "poly(acrylic acid)" and "polyacrylic acid" in page.alt_labels
    # "PAA and PAALi ... carboxyl groups" (4.2.2): the group, with the claim that says so
    assert _facts(page, "functional groups")[("carboxyl group", "positive")] == ["claim-s4.2.2-013"]
    # Choi's group [38]: "PR-PAA showed less stress but higher strain ... than PAA": PAA is the loser,
    # on elasticity, head to head; the win is not repeated as a separate "outperforms" line
    comparisons = {f.relation: f for f in page.facts if f.section == "comparisons"}
    worse = comparisons["worse than, on elasticity and flexibility (head to head)"]
    assert page.labels[worse.other] == "polyrotaxane-linked polyacrylic acid" and worse.claims == ["claim-s3.2.2-052"]
    assert not any("outperform" in f.relation for f in page.facts)
    # the reasoner's classes are listed apart from the asserted ones
    assert any(c.endswith("#SiliconAnodeBinder") for c in page.inferred)
    assert page.classes == ["https://w3id.org/bindergraph/ontology#Polyacrylate"]


def test_show_keeps_stance_and_never_turns_a_failure_into_an_application(engine):
    page = entity_page(engine, engine.resolve_entity("SBR"))
    applications = _facts(page, "applications")
    # "PVDF, CMC and SBR fulfill most of the requirements until ... Si and Sn": a drawback, not a use
    assert not any(label == "silicon" for label, _ in applications)
    drawbacks = _facts(page, "drawbacks")
    assert drawbacks[("cannot keep the integrity of electrodes with large volume change", "positive")] == ["claim-s1-042"]
    # hedged lines stay hedged: "may lead to ..." (4.2.2)
    assert ("loss of particle contact during cycling", "hedged") in drawbacks


def test_show_group_and_mechanism_read_incoming_statements(engine):
    carboxyl = entity_page(engine, engine.resolve_entity("carboxyl"))
    carriers = {label for label, _ in _facts(carboxyl, "carried by")}
    assert {"carboxymethyl cellulose", "poly(acrylic acid)", "sodium alginate", "fluorinated polyimide"} <= carriers
    # "it is the carboxyl groups in CMC that form dynamic H-bonds ... with the hydroxyl groups on the Si surfaces [50]"
    assert "claim-s1-029" in _facts(carboxyl, "functions")[("hydrogen bonding", "positive")]
    hbond = entity_page(engine, engine.resolve_entity("hydrogen bonding"))
    assert ("carboxyl group", "positive") in _facts(hbond, "provided by")


def test_show_cli_page_and_evidence(run):
    res = run("show", "carboxyl", "--evidence")
    assert res.exit_code == 0
    out = res.output
    assert out.startswith("carboxyl group (carboxyl)\n")
    # one sentence quoted once for the claims that share it, with its section, reference and DOI
    assert ("claim-s1-030, claim-s1-031 §1: “In Si-based electrodes, it is the carboxyl groups in CMC that"
            in out)
    assert "[50] doi:10.1149/1.2888173" in out
    assert max(len(line) for line in out.splitlines()) <= 100


def test_show_json_rows_name_entities_and_claims(run):
    res = run("show", "LNMO", "--format", "json")
    assert res.exit_code == 0
    rows = json.loads(res.output)["results"]["bindings"]
    used = {r["other"]["value"].rsplit("/", 1)[-1]: r["claims"]["value"] for r in rows
            if r["section"]["value"] == "binders used with it"}
    # Table 1 row 1: PAALi on LNMO
    assert "claim-t1-r01" in used["PAALi"].split()
    assert "GG" not in used and "FPI" not in used


def test_show_unknown_entity_is_one_line(run):
    bad = run("show", "PDVF")
    assert bad.exit_code != 0
    lines = bad.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: unknown id or label 'PDVF'")


def test_compare_head_to_head_first_then_aspects(engine):
    res, _ = compare(engine, [engine.resolve_entity("CMC"), engine.resolve_entity("SBR")])
    aspects = [r["aspect"].value for r in res.rows]
    # "SBR just provides steric hindrance ..., while CMC simultaneously exhibits steric and electrostatic
    # repulsions, which are effective for the dispersion of LFP" [67]: CMC wins on dispersion, head to head
    first = res.rows[0]
    assert first["aspect"].value == "dispersion"
    assert first["CMC"].value == "better than SBR, head to head" and first["SBR"].value == "worse than CMC, head to head"
    assert first["claims"].value == "claim-s2.1-014"
    kinds = [r["CMC"].value.rsplit(", ", 1)[-1] for r in res.rows if "claims" in r]
    assert kinds == sorted(kinds, key=["head to head", "cross study", "design", "outlook"].index)
    assert all("claims" in r for r in res.rows[:len(kinds)])  # the comparisons come first
    assert aspects.index("functions") >= len(kinds)
    functions = next(r for r in res.rows if r["aspect"].value == "functions")
    assert "adhesion" in functions["CMC"].value and "physical interlocking" in functions["SBR"].value


def test_compare_cli_needs_two_entities(run):
    res = run("compare", "PAA", "PAA")
    assert res.exit_code != 0 and res.output.strip() == "error: compare needs at least two different entities"
    ok = run("compare", "PAA", "PR-PAA", "--format", "csv")
    assert ok.exit_code == 0
    assert ok.output.splitlines()[0].startswith("aspect,PAA")


def test_python_api_rows_are_plain_dicts(full_build):
    g = bindergraph.open(full_build)
    rows = g.query("binders-for-material", material="LNMO")
    assert rows and all(isinstance(r, dict) for r in rows)
    binders = {r["binder"].rsplit("/", 1)[-1]: r["binder_label"] for r in rows}
    assert binders["PAALi"] == "lithium polyacrylate"
    count = g.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?c a bg:Claim }")[0]["n"]
    assert isinstance(count, int) and count > 900
    page = g.show("PAA")
    assert {"section": "functional groups", "other_label": "carboxyl group"}.items() <= next(
        r for r in page if r["section"] == "functional groups").items()
    assert g.compare("CMC", "SBR")[0]["aspect"] == "dispersion"
    hits = g.search("Inada", kind="claim")
    assert hits[0]["id"] == "claim-s4.1-066" and hits[0]["snippet"].startswith("Inada et al. investigated")
    nxg = g.to_networkx()
    pvdf = "https://w3id.org/bindergraph/resource/PVDF"
    assert nxg.nodes[pvdf]["label"] == "poly(vinylidene fluoride)"
    assert any(d["claims"] for _, _, d in nxg.out_edges(pvdf, data=True))
