"""Bad records get one message naming file, record and field."""
from __future__ import annotations

from pathlib import Path

import pytest

from bindergraph.curate.curation import check_records
from bindergraph.errors import RecordError, RecordErrors


def _write(records: Path, text: str) -> None:
    (records / "claims" / "extra.yaml").write_text(text, encoding="utf-8")


def _errors(records, tbox, review) -> list[str]:
    with pytest.raises(RecordErrors) as info:
        check_records(records, tbox, review)
    return [str(e) for e in info.value.errors]


GOOD = """claims:
  - id: x-001
    quote: "Sericin was applied by Chen's group in LNMO electrodes [99]."
    refs: [99]
    attribution: study
    subject: sericin
    relation: applied_in
    object: LNMO
"""


def test_fixture_records_pass(fixture_records, tbox, review):
    cur = check_records(fixture_records, tbox, review)
    assert {c.record.id for c in cur.claims} == {"t1-r01", "s3.1.1-001", "s3.1.2-p3ht", "s3.1.2-pedot"}
    claim = next(c for c in cur.claims if c.record.id == "t1-r01")
    # Table 1 is printed on a page of section 3.1.2 but belongs to 3.1.1, which cites it (floats.yaml)
    assert review.section_at(review.text.index("The percolated ion transportation")).number == "3.1.2"
    assert claim.span.start > review.text.index("The percolated ion transportation")
    assert claim.section == "3.1.1"
    assert review.text[claim.span.start:claim.span.end].startswith("PAALi\tLNMO/3.00–4.95 V")


def test_good_extra_claim(fixture_records, tbox, review):
    _write(fixture_records, GOOD)
    cur = check_records(fixture_records, tbox, review)
    assert "x-001" in {c.record.id for c in cur.claims}


def test_quote_altered_by_one_word_is_rejected(fixture_records, tbox, review):
    _write(fixture_records, GOOD.replace("was applied by", "was used by"))
    errs = _errors(fixture_records, tbox, review)
    assert len(errs) == 1
    assert "claims/extra.yaml" in errs[0] and "record x-001" in errs[0] and "field quote" in errs[0]
    assert "not found verbatim" in errs[0]


def test_unknown_id(fixture_records, tbox, review):
    _write(fixture_records, GOOD.replace("object: LNMO", "object: LNMO-9000"))
    (err,) = _errors(fixture_records, tbox, review)
    assert "record x-001, field object: unknown id 'LNMO-9000'" in err


def test_duplicate_id(fixture_records, tbox, review):
    _write(fixture_records, GOOD.replace("x-001", "t1-r01"))
    (err,) = _errors(fixture_records, tbox, review)
    assert "record t1-r01, field id: duplicate claim id" in err


def test_reference_not_cited_in_paragraph(fixture_records, tbox, review):
    _write(fixture_records, GOOD.replace("refs: [99]", "refs: [99, 12]").replace("attribution: study", "attribution: background"))
    (err,) = _errors(fixture_records, tbox, review)
    assert "field refs" in err and "[12]" in err


def test_value_without_unit(fixture_records, tbox, review):
    _write(fixture_records, GOOD + "    measurements:\n      - {metric: capacity-retention, value: 80, as_written: '80%'}\n")
    (err,) = _errors(fixture_records, tbox, review)
    assert "record x-001, field measurements.0.unit: Field required" in err


def test_unknown_unit(fixture_records, tbox, review):
    _write(fixture_records, GOOD + "    measurements:\n      - {metric: capacity-retention, value: 80, unit: furlongs, as_written: '80%'}\n")
    (err,) = _errors(fixture_records, tbox, review)
    assert "field measurements[0].unit: unknown unit 'furlongs'" in err


def test_malformed_yaml(fixture_records, tbox, review):
    _write(fixture_records, "claims:\n  - id: [unclosed\n")
    (err,) = _errors(fixture_records, tbox, review)
    assert "extra.yaml" in err and "not valid YAML" in err


def test_hostile_string_is_just_text(fixture_records, tbox, review):
    _write(fixture_records, GOOD.replace("x-001", "'<script>alert(1)</script>'"))
    (err,) = _errors(fixture_records, tbox, review)
    assert "field id" in err


# ------------------------------------------------------------------ quotes a float interrupts
PEO_PARTS = """claims:
  - id: x-peo
    quote: ["the working potential of the cathode (PEO", "usually suffers from oxidation beyond 4.0 V)."]
    refs: []
    attribution: background
    subject: PEO
    relation: has_drawback
    object: oxidation-above-4V
"""


def test_quote_interrupted_by_captions_is_kept_whole(fixture_records, tbox, review):
    _write(fixture_records, PEO_PARTS)
    c = next(c for c in check_records(fixture_records, tbox, review).claims if c.record.id == "x-peo")
    first, second = c.spans
    assert review.text[first.start:first.end] == "the working potential of the cathode (PEO"
    assert review.text[second.start:second.end] == "usually suffers from oxidation beyond 4.0 V)."
    assert "Fig. 5" in review.text[first.end:second.start]  # the caption lies between the parts
    assert c.section == "3.1.2"


def test_quote_parts_with_text_between_are_rejected(fixture_records, tbox, review):
    _write(fixture_records, PEO_PARTS.replace("the working potential of the cathode (PEO", "For SSBs, polyethylene oxide (PEO)"))
    (err,) = _errors(fixture_records, tbox, review)
    assert "record x-peo, field quote: between quote parts 1 and 2 the review has text that is not a figure caption" in err


def test_quote_parts_out_of_order_are_rejected(fixture_records, tbox, review):
    _write(fixture_records, PEO_PARTS.replace('["the working potential of the cathode (PEO", "usually suffers from oxidation beyond 4.0 V)."]',
                                              '["usually suffers from oxidation beyond 4.0 V).", "the working potential of the cathode (PEO"]'))
    (err,) = _errors(fixture_records, tbox, review)
    assert "quote part 2 does not follow part 1" in err


def test_caption_quote_gets_the_section_that_cites_the_figure(fixture_records, tbox, review):
    _write(fixture_records, GOOD.replace("Sericin was applied by Chen's group in LNMO electrodes [99].",
                                         "The rich functional groups on sericin not only").replace("refs: [99]", "refs: []")
           .replace("attribution: study", "attribution: background"))
    c = next(c for c in check_records(fixture_records, tbox, review).claims if c.record.id == "x-001")
    printed_after = review.text.index("The percolated ion transportation")  # first paragraph of 3.1.2
    assert c.span.start > printed_after and review.section_at(printed_after).number == "3.1.2"
    assert c.section == "3.1.1"  # Fig. 5 is cited in 3.1.1


# ------------------------------------------------------------------ attribution
def test_study_without_references_needs_sources(fixture_records, tbox, review):
    _write(fixture_records, GOOD.replace("Sericin was applied by Chen's group in LNMO electrodes [99].",
                                         "The rich functional groups on sericin not only").replace("refs: [99]", "refs: []"))
    (err,) = _errors(fixture_records, tbox, review)
    assert "record x-001, field sources: a study's finding needs the references it comes from" in err


def test_sources_must_be_cited_in_the_section(fixture_records, tbox, review):
    _write(fixture_records, GOOD + "    sources: [250]\n")
    (err,) = _errors(fixture_records, tbox, review)
    assert "field sources: reference(s) [250] are not cited in section 3.1.1" in err


def test_sources_only_for_a_study(fixture_records, tbox, review):
    _write(fixture_records, GOOD.replace("attribution: study", "attribution: review") + "    sources: [99]\n")
    (err,) = _errors(fixture_records, tbox, review)
    assert "`sources` name the studies whose finding a claim reports: only for `attribution: study`" in err


def test_every_claim_says_whose_finding_it_is(fixture_records, tbox, review):
    _write(fixture_records, GOOD.replace("    attribution: study\n", ""))
    (err,) = _errors(fixture_records, tbox, review)
    assert "record x-001, field attribution: Field required" in err
