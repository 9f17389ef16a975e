"""The derivation rules (derive.py, docs/curation.md): which plain triples a claim entitles, one test per rule,
on tiny records written next to the fixture records."""
from __future__ import annotations

import pytest

from bindergraph.curate.curation import check_records
from bindergraph.graph.derive import Derived, entailed, statements
from bindergraph.errors import RecordErrors

RESPECTIVELY = """
  - id: x-resp
    quote: "PVDF and CMC + SBR are the most commonly used binders in SOA battery industry for cathodes and anodes, respectively."
    refs: []
    attribution: background
    subject: [PVDF, CMC-SBR]
    relation: applied_in
    object: [cathode, anode]
    pairing: respectively
"""

SI_QUOTE = ("PVDF, CMC and SBR fulfill most of the requirements until some novel AMs with large volume expansion "
            "during the lithiation process were developed, such as the alloy-type Si and Sn, the conversion-type "
            "sulfur, and their derivatives.")

NAFION = """
  - id: x-nafion
    quote: "Creager's group [113] used a short-side-chain analog of lithiated Nafion (having a PTFE-like backbone and simpler $-OCF_2CF_2SO_3Li$ pendant side chains, as shown in Fig. 6e) as the binder for an LFP electrode and tested it in LFP||LTO full cells."
    refs: [113]
    attribution: study
    subject: Nafion-Li
    relation: applied_in
    object: LFP
    context: {counter_electrode: LTO, battery_type: LIB}
"""

STERIC = """
  - id: x-steric
    quote: "They believed that the amorphous polymers such as CMC and sodium alginate (SA) have better contact with AMs and can be classified as steric binders."
    refs: []
    attribution: study
    sources: [93, 94]
    subject: [CMC, SA]
    relation: compared_with
    object: PVDF
    comparison: {aspect: adhesion, outcome: better, kind: KIND}
    context: {active_material: LNMO}
"""

LNMO_LLO = """
  - id: x-lnmo
    quote: "Latterly, many other polymers including the guar gum (GG) [95], fluorinated polyimide (FPI) [96], PAA [97], etc., were found to be effective toward LNMO and LLO."
    refs: [95, 96, 97]
    attribution: study
    subject: [GG, FPI, PAA]
    relation: applied_in
    object: [LNMO, LLO]
"""


def _claims(records, text: str, tbox, review) -> dict:
    (records / "claims" / "extra.yaml").write_text("claims:" + text, encoding="utf-8")
    return {c.record.id: c for c in check_records(records, tbox, review).claims}


def _errors(records, text: str, tbox, review) -> list[str]:
    (records / "claims" / "extra.yaml").write_text("claims:" + text, encoding="utf-8")
    with pytest.raises(RecordErrors) as info:
        check_records(records, tbox, review)
    return [str(e) for e in info.value.errors]


def _triples(claim) -> set[tuple[str, str, str]]:
    """The plain triples the claim entitles."""
    return {(d.subject, d.prop, d.object) for d in entailed(claim)}


def test_respectively_derives_only_its_pairs(fixture_records, tbox, review):
    c = _claims(fixture_records, RESPECTIVELY, tbox, review)["x-resp"]
    assert _triples(c) == {("PVDF", "appliedIn", "cathode"), ("CMC-SBR", "appliedIn", "anode")}


def test_all_pairing_crosses_subjects_and_objects(fixture_records, tbox, review):
    c = _claims(fixture_records, RESPECTIVELY.replace("respectively\n", "all\n"), tbox, review)["x-resp"]
    assert ("PVDF", "appliedIn", "anode") in _triples(c) and len(_triples(c)) == 4


def test_explicit_pairs(fixture_records, tbox, review):
    text = RESPECTIVELY.replace("pairing: respectively", "pairing: [[CMC-SBR, anode]]")
    assert _triples(_claims(fixture_records, text, tbox, review)["x-resp"]) == {("CMC-SBR", "appliedIn", "anode")}


def test_ambiguous_pairing_is_rejected(fixture_records, tbox, review):
    (err,) = _errors(fixture_records, RESPECTIVELY.replace("    pairing: respectively\n", ""), tbox, review)
    assert "record x-resp, field pairing: 2 subjects and several objects: say how they pair" in err


def test_respectively_needs_as_many_objects_as_subjects(fixture_records, tbox, review):
    text = RESPECTIVELY.replace("object: [cathode, anode]", "object: [cathode, anode, electrode]")
    (err,) = _errors(fixture_records, text, tbox, review)
    assert "there are 2 subjects and 3 objects" in err


def test_collective_statement_derives_nothing_per_member(fixture_records, tbox, review):
    c = _claims(fixture_records, LNMO_LLO + "    pairing: collective\n", tbox, review)["x-lnmo"]
    assert statements(c) == []
    (err,) = _errors(fixture_records, LNMO_LLO, tbox, review)
    assert "3 subjects and several objects" in err


def test_drawback_in_a_silicon_context_derives_no_applied_in(fixture_records, tbox, review):
    text = f"""
  - id: x-si
    quote: "{SI_QUOTE}"
    refs: []
    attribution: background
    subject: [PVDF, CMC, SBR]
    relation: has_drawback
    object: swelling
    pairing: all
    context: {{active_material: [Si, Sn]}}
"""
    c = _claims(fixture_records, text, tbox, review)["x-si"]
    assert {t[1] for t in _triples(c)} == {"hasDrawback"}


def test_negative_and_hedged_claims_derive_nothing(fixture_records, tbox, review):
    for stance in ("negative", "hedged"):
        text = f"""
  - id: x-si
    quote: "{SI_QUOTE}"
    refs: []
    attribution: background
    stance: {stance}
    subject: [PVDF, CMC, SBR]
    relation: applied_in
    object: [Si, Sn]
    pairing: all
"""
        c = _claims(fixture_records, text, tbox, review)["x-si"]
        assert c.record.stance == stance and entailed(c) == []
        # the pairs it speaks of stay named, so a query can show the claim with its stance
        assert Derived("SBR", "appliedIn", "Si") in statements(c)


def test_counter_electrode_derives_nothing(fixture_records, tbox, review):
    c = _claims(fixture_records, NAFION, tbox, review)["x-nafion"]
    assert _triples(c) == {("Nafion-Li", "appliedIn", "LFP"), ("Nafion-Li", "appliedIn", "LIB")}


@pytest.mark.parametrize("relation,obj", [("has_drawback", "swelling"), ("incompatible_with", "LTO"),
                                          ("interacts_with", "LTO")])
def test_context_of_non_use_relations_derives_no_applied_in(fixture_records, tbox, review, relation, obj):
    text = NAFION.replace("relation: applied_in", f"relation: {relation}").replace("object: LFP", f"object: {obj}")
    text = text.replace("context: {counter_electrode: LTO, battery_type: LIB}", "context: {active_material: LFP}")
    c = _claims(fixture_records, text, tbox, review)["x-nafion"]
    assert not any(p == "appliedIn" for _, p, _ in _triples(c))


def test_head_to_head_comparison_derives_outperforms(fixture_records, tbox, review):
    c = _claims(fixture_records, STERIC.replace("KIND", "head_to_head"), tbox, review)["x-steric"]
    t = _triples(c)
    assert {("CMC", "outperforms", "PVDF"), ("SA", "outperforms", "PVDF")} <= t
    assert {("PVDF", "comparedWith", "CMC"), ("CMC", "comparedWith", "PVDF")} <= t
    assert ("PVDF", "appliedIn", "LNMO") in t  # both sides were used in the same electrode


@pytest.mark.parametrize("kind", ["cross_study", "design", "outlook"])
def test_comparison_that_is_not_head_to_head_derives_no_outperforms(fixture_records, tbox, review, kind):
    c = _claims(fixture_records, STERIC.replace("KIND", kind), tbox, review)["x-steric"]
    assert _triples(c) == set()
    assert c.record.comparison.kind == kind and c.aspect.id == "adhesion"
    # the pairs stay named (so the comparison is listed), but no win and no use follows
    assert {d.prop for d in statements(c)} == {"comparedWith"}


def test_worse_outcome_reverses_the_winner(fixture_records, tbox, review):
    text = STERIC.replace("KIND", "head_to_head").replace("outcome: better", "outcome: worse")
    assert ("PVDF", "outperforms", "CMC") in _triples(_claims(fixture_records, text, tbox, review)["x-steric"])


ROW2 = """
  - id: x-row2-ID
    quote: "CMC and SA\tLNMO\tServe as a protective film to inhibit the serious Ni and Mn dissolution at elevated temperatures\t1 C/CMC: 94.1%; SA: 98.1% after 100 cycles, 55 °C\t[93]"
    refs: [93]
    attribution: study
    subject: SA
    relation: compared_with
    object: CMC
    comparison: {aspect: capacity-retention, outcome: OUTCOME, kind: head_to_head}
    context: {active_material: LNMO, conditions: CONDITIONS}
"""


def _row2(ident: str, outcome: str, conditions: str) -> str:
    return ROW2.replace("ID", ident).replace("OUTCOME", outcome).replace("CONDITIONS", conditions)


def test_opposite_wins_on_one_aspect_are_rejected_unless_each_has_conditions(fixture_records, tbox, review):
    win, loss = _row2("a", "better", '["55 °C"]'), _row2("b", "worse", "[]")
    (err,) = _errors(fixture_records, win + loss, tbox, review)
    assert "record x-row2-b, field comparison: CMC beats SA on capacity-retention here, but x-row2-a says the opposite" in err
    both = win + _row2("b", "worse", '["1 C"]')
    assert {"x-row2-a", "x-row2-b"} <= set(_claims(fixture_records, both, tbox, review))
    other_aspect = win + loss.replace("aspect: capacity-retention", "aspect: cost")
    assert {"x-row2-a", "x-row2-b"} <= set(_claims(fixture_records, other_aspect, tbox, review))


def test_figures_name_their_side(fixture_records, tbox, review):
    text = _row2("a", "better", "[]") + """    measurements:
      - {metric: capacity-retention, value: 94.1, unit: "%", as_written: "CMC: 94.1%", of: CMC}
      - {metric: capacity-retention, value: 98.1, unit: "%", as_written: "SA: 98.1%", of: SA}
"""
    c = _claims(fixture_records, text, tbox, review)["x-row2-a"]
    assert [(m.of, m.value) for m in c.measurements] == [("CMC", 94.1), ("SA", 98.1)]
    (err,) = _errors(fixture_records, text.replace("of: SA", "of: PAA"), tbox, review)
    assert "field measurements[1].of: 'PAA' is not a subject, object or comparator of this claim" in err


def test_groups_derive_group_functions_and_binder_groups(fixture_records, tbox, review):
    claims = check_records(fixture_records, tbox, review).claims
    c = next(c for c in claims if c.record.id == "s3.1.1-001")
    assert {("PAA", "hasFunctionalGroup", "carboxyl"), ("carboxyl", "hasFunction", "protective-coating"),
            ("PAA", "hasFunction", "protective-coating"), ("PAA", "appliedIn", "LLO")} == _triples(c)


def test_class_subject_derives_nothing(fixture_records, tbox, review):
    text = f"""
  - id: x-class
    quote: "{SI_QUOTE}"
    refs: []
    attribution: review
    subject: Binder
    relation: applied_in
    object: Si
"""
    assert statements(_claims(fixture_records, text, tbox, review)["x-class"]) == []


def test_derived_is_sorted_and_unique(fixture_records, tbox, review):
    c = _claims(fixture_records, RESPECTIVELY.replace("respectively\n", "all\n"), tbox, review)["x-resp"]
    out = statements(c)
    assert out == sorted(set(out)) and all(isinstance(d, Derived) for d in out) and entailed(c) == out
