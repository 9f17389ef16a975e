"""Bad records get one message naming file, record and field."""
from __future__ import annotations

from pathlib import Path

import pytest

from bindergraph.curation import check_records
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
    subject: sericin
    relation: applied_in
    object: LNMO
"""


def test_fixture_records_pass(fixture_records, tbox, review):
    cur = check_records(fixture_records, tbox, review)
    assert {c.record.id for c in cur.claims} == {"t1-r01", "s3.1.1-001"}
    claim = next(c for c in cur.claims if c.record.id == "t1-r01")
    assert claim.section == "3.1.2"  # Table 1 sits in section 3.1.2 of the text
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
    _write(fixture_records, GOOD.replace("refs: [99]", "refs: [99, 12]"))
    (err,) = _errors(fixture_records, tbox, review)
    assert "field refs" in err and "[12]" in err


def test_value_without_unit(fixture_records, tbox, review):
    _write(fixture_records, GOOD + "    measurements:\n      - {metric: capacity-retention, value: 80, as_written: '80%'}\n")
    with pytest.raises(RecordError) as info:
        check_records(fixture_records, tbox, review)
    assert "record x-001, field measurements.0.unit: Field required" in str(info.value)


def test_unknown_unit(fixture_records, tbox, review):
    _write(fixture_records, GOOD + "    measurements:\n      - {metric: capacity-retention, value: 80, unit: furlongs, as_written: '80%'}\n")
    (err,) = _errors(fixture_records, tbox, review)
    assert "field measurements[0].unit: unknown unit 'furlongs'" in err


def test_malformed_yaml(fixture_records, tbox, review):
    _write(fixture_records, "claims:\n  - id: [unclosed\n")
    with pytest.raises(RecordError) as info:
        check_records(fixture_records, tbox, review)
    assert str(info.value).startswith("records/claims/extra.yaml") or "extra.yaml" in str(info.value)
    assert "not valid YAML" in str(info.value)


def test_hostile_string_is_just_text(fixture_records, tbox, review):
    _write(fixture_records, GOOD.replace("x-001", "'<script>alert(1)</script>'"))
    with pytest.raises(RecordError) as info:
        check_records(fixture_records, tbox, review)
    assert "field id" in str(info.value)
