"""What the shipped graph says follows what the review says: the examples of issue 10 the other way
round, read against the text, and the model's invariants on every claim."""
from __future__ import annotations

from collections import defaultdict

import pytest

from bindergraph import paths
from bindergraph.curate.curation import check_records
from bindergraph.graph.derive import comparison_wins, entailed

from test_queries import col, rows_where, run


@pytest.fixture(scope="module")
def claims(tbox, review):
    return check_records(paths.RECORDS_DIR, tbox, review).claims


def _members(engine, cls: str) -> set[str]:
    return col(run(engine, "binders-by-class", **{"class": cls}), "binder")


SI_FAILS = "PVDF, CMC and SBR fulfill most of the requirements until some novel AMs"


def test_binders_that_stop_working_on_silicon_are_not_silicon_anode_binders(engine):
    """"PVDF, CMC and SBR fulfill most of the requirements until ... Si and Sn" says they fail there: it
    makes none of them a silicon-anode binder. SBR is used on silicon nowhere in the review; PVDF is, once:
    Meng's micro-Si solid-state electrode "only 0.1% PVDF was used in their work" [181]."""
    si = _members(engine, "SiliconAnodeBinder")
    assert {"PAA", "SA", "PR-PAA"} <= si  # binders the review does report on silicon
    assert "SBR" not in si
    res = run(engine, "binders-for-material", material="Si")
    assert not [r for r in res.rows if SI_FAILS in r["quote"].value]
    pvdf = {r["quote"].value for r in rows_where(res, binder="PVDF", relation="appliedIn")}
    assert pvdf == {"In fact, only 0.1% PVDF was used in their work."}


def test_lnmo_binders_are_those_the_text_puts_on_lnmo(engine):
    res = run(engine, "binders-for-material", material="LNMO")
    positive = {r["binder"].value.rsplit("/", 1)[-1] for r in res.rows if r["stance"].value == "positive"}
    assert {"PAALi", "CMC", "SA", "sericin", "lignin", "P-MVE-LMA"} <= positive  # Table 1 rows on LNMO
    assert not {"GG", "FPI", "PAA"} & positive  # "effective toward LNMO and LLO" is a collective statement
    llo = run(engine, "binders-for-material", material="LLO")
    assert {"GG", "FPI", "PAA", "XG"} <= col(llo, "binder")  # Table 1 puts them on LLO


def test_sic_binders_do_not_conduct_electrons_and_cp_binders_do_not_conduct_ions(engine):
    assert "SIC-binders" not in col(run(engine, "binders-for-mechanism", mechanism="ElectronicConduction"), "binder")
    assert "CP-binders" not in col(run(engine, "binders-for-mechanism", mechanism="IonTransport"), "binder")
    assert "SIC-binders" not in _members(engine, "ElectronConductingBinder")
    assert "CP-binders" not in _members(engine, "IonConductingBinder")


def test_mixed_conductors_are_in_both_conducting_classes(engine):
    electron, ion = _members(engine, "ElectronConductingBinder"), _members(engine, "IonConductingBinder")
    for binder in ("P3HT", "PEDOT-PSS"):
        assert binder in _members(engine, "MixedConductingBinder")
        assert binder in electron and binder in ion


def test_conductive_network_construction_is_not_electronic_conduction(engine):
    """PR-PAA helps build the conductive network; the review never says it conducts electrons."""
    assert "PR-PAA" not in _members(engine, "ElectronConductingBinder")


def test_drawback_with_a_garnet_is_no_application(engine):
    """PVDF loses HF on contact with LLZTO: a reaction, not a use of PVDF in LLZTO."""
    res = run(engine, "binders-for-component", component="LLZTO")
    assert not rows_where(res, binder="PVDF", relation="appliedIn")
    assert rows_where(res, binder="PVDF", relation="incompatibleWith", stance="positive")  # listed as what it is


def test_counter_electrode_is_no_application(engine):
    res = run(engine, "binders-for-material", material="LTO")
    assert not {"SSC-Nafion-Li", "Nafion-Li"} & col(res, "binder")


def test_catechol_binder_is_found_by_its_group(engine):
    assert "PAA-P-HEA-co-DMA" in col(run(engine, "binders-with-group", group="catechol"), "binder")
    # the review's "dopa group" resolves to the same concept
    assert "PAA-P-HEA-co-DMA" in col(run(engine, "binders-with-group", group="dopa group"), "binder")


def test_surfactant_and_electrode_phase_are_not_binders(engine):
    binders = col(run(engine, "binder-classes"), "members")
    members = {m for v in binders for m in v.split(", ")}
    assert "PEG-300" not in members and "CBD" not in members


def test_no_binder_beats_another_and_loses_to_it_on_one_aspect(claims):
    wins = defaultdict(list)
    for c in claims:
        if entailed(c):
            for winner, loser in comparison_wins(c):
                wins[(winner, loser, c.aspect.id)].append(c)
    for (winner, loser, aspect), cs in wins.items():
        opposite = wins.get((loser, winner, aspect), [])
        for a in cs:
            for b in opposite:
                assert a.conditions and b.conditions, (a.record.id, b.record.id)


def test_outlook_and_design_comparisons_derive_no_wins(engine, claims):
    res = run(engine, "binder-comparisons")
    dominate = [r for r in res.rows if "will still dominate" in r["quote"].value]
    assert dominate and all(r["kind"].value != "head_to_head" for r in dominate)
    no_direct = [c for c in claims if c.record.relation == "compared_with"
                 and "no direct comparison" in (c.record.note or "") + c.record.quote_parts[-1]]
    assert all(c.record.comparison.kind != "head_to_head" for c in no_direct)


def test_every_claim_says_whose_finding_it_is(engine, claims):
    kinds = {k: n for k, n, _ in _attribution(engine)}
    assert set(kinds) == {"reported finding", "review synthesis", "background statement"}
    assert sum(kinds.values()) == len(claims)


def _attribution(engine):
    from bindergraph.checks.coverage import compute_coverage, load_ignore
    from bindergraph.curate.source import Review

    report = compute_coverage(engine, Review.load(paths.REVIEW_FILE), load_ignore(paths.COVERAGE_IGNORE))
    return report.claims_per_attribution


def test_primary_studies_behind_a_statement(engine):
    """"How many independent studies support carboxyl H-bonding on Si?" — the supporting studies, and
    fewer independent ones where the review names one group for several papers."""
    res = run(engine, "statement-support", subject="carboxyl", object="hydrogen-bonding", material="Si")
    (row,) = res.rows
    assert int(row["studies"].value) >= 1 and 1 <= int(row["independent"].value) <= int(row["studies"].value)
    bruce = run(engine, "statement-support", subject="P3HT", object="mixed-conduction")
    (row,) = bruce.rows
    # "Bruce et al. [132, 133]": two papers, one group
    assert {"[132]", "[133]"} <= {s.split(" ")[0] for s in row["studyList"].value.split("; ")}
    assert int(row["studies"].value) == 2 and int(row["independent"].value) == 1
