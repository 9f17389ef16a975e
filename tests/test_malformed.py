"""Malformed records are refused with one error line naming file, record and field, by `check` and by
`build`, without a traceback and without touching the previous build; expansion, nesting and size
guards refuse hostile files in bounded time and memory.

Each file of tests/input/malformed is one case: its header says where the test drops it (`into`:
claims/ or entities/ of a copy of tests/input/records) and the error it must give (record, field,
message fragment; `-` for none). Files too large to ship are generated here.
"""
from __future__ import annotations

import hashlib
import json
import re
import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from bindergraph.cli import main
from bindergraph.curate import records as rec
from bindergraph.curate.curation import disagreement
from bindergraph.curate.records import MAX_DEPTH, MAX_FILE_BYTES, MAX_SCALAR_CHARS, Figure
from bindergraph.curate.units import lookup
from bindergraph.errors import RecordError

INPUT = Path(__file__).parent / "input"
MALFORMED = INPUT / "malformed"
GOOD = b"""claims:
  - id: x-001
    quote: "Sericin was applied by Chen's group in LNMO electrodes [99]."
    refs: [99]
    attribution: study
    subject: sericin
    relation: applied_in
    object: LNMO
"""


@dataclass(frozen=True)
class Case:
    name: str
    into: str  # claims | entities: the folder of the records copy the file goes into
    data: bytes
    record: str | None
    field: str | None
    error: str


def _from_file(path: Path) -> Case:
    data = path.read_bytes()
    head = {k.decode(): v.decode() for k, v in re.findall(rb"^# (into|record|field|error): (.*)$", data, re.M)}
    none = lambda v: None if v == "-" else v  # noqa: E731
    return Case(path.stem, head["into"], data, none(head["record"]), none(head["field"]), head["error"])


def _generated() -> list[Case]:
    """Cases too large to ship: a huge scalar (under the file limit) and a file over the limit."""
    huge_note = GOOD + b"    note: '" + b"x" * (MAX_SCALAR_CHARS + 1) + b"'\n"
    big_note = GOOD + b"    note: '" + b"x" * (4 * 1024 * 1024) + b"'\n"  # 4 MiB: a file under the limit
    huge_file = GOOD + b"".join(b"  # padding line of a record file that is far too large ..........\n"
                                for _ in range(MAX_FILE_BYTES // 64 + 1))
    return [
        Case("huge-scalar", "claims", huge_note, "x-001", "note",
             f"a value of {MAX_SCALAR_CHARS + 1:,} characters is longer than the limit of {MAX_SCALAR_CHARS:,}"),
        Case("big-scalar", "claims", big_note, "x-001", "note", "is longer than the limit"),
        Case("huge-file", "claims", huge_file, None, None, f"is larger than the limit of {MAX_FILE_BYTES:,}: split it"),
    ]


CASES = [_from_file(p) for p in sorted(MALFORMED.glob("*.yaml"))] + _generated()
BY_NAME = {c.name: c for c in CASES}


def test_the_corpus_is_large_and_every_file_says_what_it_expects():
    shipped = sorted(MALFORMED.glob("*.yaml"))
    assert len(shipped) >= 60
    for path in shipped:
        case = _from_file(path)
        assert case.into in ("claims", "entities") and case.error, path.name


def _tree_digest(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def previous_build(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A good build of the fixture records, and the digest of every file it wrote."""
    out = tmp_path_factory.mktemp("previous")
    res = CliRunner().invoke(main, ["--out", str(out), "build", "--records", str(INPUT / "records"), "--no-reason"])
    assert res.exit_code == 0, res.output
    return out, _tree_digest(out)


def _drop(case: Case, tmp_path: Path) -> Path:
    records = tmp_path / "records"
    shutil.copytree(INPUT / "records", records)
    (records / case.into / "zz-bad.yaml").write_bytes(case.data)  # after the fixture files: a duplicate is here
    return records


def _assert_one_error(res, case: Case) -> None:
    assert res.exit_code != 0
    assert isinstance(res.exception, SystemExit), res.exception  # a BindergraphError, not a crash
    assert "Traceback" not in res.output
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    line = lines[0]
    assert re.match(rf"error: records/{case.into}/zz-bad\.yaml(:\d+)?[,:] ", line), line
    assert (f", record {case.record}," in line or f", record {case.record}:" in line) if case.record \
        else ", record " not in line
    assert f", field {case.field}: " in line if case.field else ", field " not in line
    assert case.error in line


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_record_is_refused_by_check_and_build(case, previous_build, tmp_path):
    out, before = previous_build
    records = _drop(case, tmp_path)
    _assert_one_error(CliRunner().invoke(main, ["check", "--records", str(records)]), case)
    _assert_one_error(CliRunner().invoke(main, ["--out", str(out), "build", "--records", str(records),
                                                "--no-reason"]), case)
    assert _tree_digest(out) == before  # the failed build left the earlier outputs as they were


# ------------------------------------------------------------------ bounded time and memory
_PROBE = """
import json, re, sys, time
from pathlib import Path
from bindergraph.curate.records import load_file
from bindergraph.errors import RecordError
start = time.perf_counter()
try:
    load_file(Path(sys.argv[1]), "bad.yaml")
    error = None
except RecordError as exc:
    error = str(exc)
# the peak resident memory of this program (ru_maxrss would count the forked test runner's too)
peak = int(re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text()).group(1))
print(json.dumps({"seconds": time.perf_counter() - start, "error": error, "peak_kib": peak}))
"""
_GIB = 1 << 30


def _limit_memory() -> None:  # a guard that failed must not take the machine down with it
    resource.setrlimit(resource.RLIMIT_AS, (_GIB, _GIB))


@pytest.mark.parametrize("name", ["alias-bomb-alt", "billion-laughs-note", "deep-flow-nesting", "deep-block-nesting",
                                  "huge-scalar", "big-scalar", "huge-file"])
def test_hostile_files_are_refused_in_bounded_time_and_memory(name, tmp_path):
    case = BY_NAME[name]
    path = tmp_path / "bad.yaml"
    path.write_bytes(case.data)
    proc = subprocess.run([sys.executable, "-c", _PROBE, str(path)], capture_output=True, text=True, timeout=60,
                          preexec_fn=_limit_memory)
    assert proc.returncode == 0, proc.stderr
    probe = json.loads(proc.stdout)
    assert case.error in probe["error"]
    assert probe["seconds"] < 1.0  # the bomb expanded takes minutes and gigabytes
    assert probe["peak_kib"] < 256 * 1024


def test_the_bomb_is_refused_by_the_cli_under_a_memory_limit(tmp_path):
    records = _drop(BY_NAME["billion-laughs-note"], tmp_path)
    proc = subprocess.run([sys.executable, "-m", "bindergraph", "check", "--records", str(records)],
                          capture_output=True, text=True, timeout=120, preexec_fn=_limit_memory)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [proc.stderr.splitlines()[0]]
    assert "record x-001, field note: YAML anchor &l0 is not allowed" in proc.stderr


# ------------------------------------------------------------------ the loader's rules
@pytest.mark.skipif(rec._CEvents is None, reason="PyYAML without libyaml: only the Python parser is used")
def test_both_event_parsers_give_the_same_data_or_refusal():
    """libyaml's parser is used where PyYAML has it; PyYAML's Python parser must behave the same
    (syntax errors may be worded differently)."""
    python_loader = rec._make_loader(rec._PyEvents)
    for path in sorted(MALFORMED.glob("*.yaml")):
        results = []
        for loader in (rec._RecordLoader, python_loader):
            try:
                results.append(rec.parse_yaml(path, path.name, loader))
            except RecordError as exc:
                results.append(str(exc))
        if not any("not valid YAML" in str(r) for r in results):
            assert results[0] == results[1], path.name


def _load(tmp_path: Path, text: bytes) -> dict:
    path = tmp_path / "x.yaml"
    path.write_bytes(text)
    return rec.parse_yaml(path, "x.yaml")


def test_plain_words_stay_text_and_decimal_numbers_are_numbers(tmp_path):
    doc = _load(tmp_path, b"a: yes\nb: on\nc: 2023-01-01\nd: 1e-7\ne: 1.0e-4\nf: 12\ng: true\nh: ~\ni: '0x1F'\n")
    assert doc == {"a": "yes", "b": "on", "c": "2023-01-01", "d": 1e-7, "e": 1e-4, "f": 12, "g": True, "h": None,
                   "i": "0x1F", "__line__": 1}


def test_a_leading_byte_order_mark_is_accepted(fixture_records):
    (fixture_records / "claims" / "bom.yaml").write_bytes(b"\xef\xbb\xbf" + GOOD)
    res = CliRunner().invoke(main, ["check", "--records", str(fixture_records)])
    assert res.exit_code == 0, res.output
    assert "5 claims" in res.output


def test_shipped_records_are_within_the_limits():
    depth = lambda v: 1 + max(map(depth, v.values() if isinstance(v, dict) else v), default=0) \
        if isinstance(v, (dict, list)) else 0  # noqa: E731
    for path in rec.record_files(Path(__file__).parents[1] / "data" / "records"):
        assert path.stat().st_size < MAX_FILE_BYTES / 10
        doc = rec.parse_yaml(path, path.name)
        assert depth(doc) < MAX_DEPTH / 2
        quotes = [c["quote"] for c in doc.get("claims", [])]
        assert max((len(q) for q in quotes if isinstance(q, str)), default=0) < MAX_SCALAR_CHARS / 10


# ------------------------------------------------------------------ empty or partial folders
def test_empty_folder_is_refused_unless_allowed(tmp_path):
    empty = tmp_path / "records"
    empty.mkdir()
    out = tmp_path / "out"
    for args in (["check", "--records", str(empty)], ["--out", str(out), "build", "--records", str(empty), "--no-reason"]):
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 1
        assert res.stderr == (f"error: {empty}: no record files (*.yaml): refusing to check or build a graph "
                              "without them (pass --allow-empty to accept)\n")
    assert not out.exists() or not (out / "manifest.json").exists()
    res = CliRunner().invoke(main, ["check", "--records", str(empty), "--allow-empty"])
    assert res.exit_code == 0 and res.output == "ok: 0 entities, 0 claims\n"


def test_folder_without_claims_is_refused_unless_allowed(tmp_path, previous_build):
    out, before = previous_build
    records = tmp_path / "records"
    shutil.copytree(INPUT / "records" / "entities", records / "entities")
    res = CliRunner().invoke(main, ["--out", str(out), "build", "--records", str(records), "--no-reason"])
    assert res.exit_code == 1 and f"error: {records}: no claim records" in res.stderr
    assert _tree_digest(out) == before
    res = CliRunner().invoke(main, ["check", "--records", str(records), "--allow-empty"])
    assert res.exit_code == 0 and res.output.endswith(" entities, 0 claims\n")


def test_folder_without_entities_is_refused(tmp_path):
    records = tmp_path / "records"
    shutil.copytree(INPUT / "records" / "claims", records / "claims")
    (records / "claims" / "slice.yaml").write_text("claims: []\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["check", "--records", str(records)])
    assert res.exit_code == 1 and "no entity and no claim records" in res.stderr


# ------------------------------------------------------------------ figures agree with their text
# as_written forms the shipped records use, with the figures the review states (data/source/review.txt)
AGREEING = [
    ("wt%", "between 2.5% and 10%", {"min": 2.5, "max": 10}),
    ("nm", "~ 10 nm", {"value": 10}),
    ("1", "between 1.9×10^5 and 3.1×10^6", {"min": 1.9e5, "max": 3.1e6}),
    ("cycles", "more than 400 cycles", {"min": 400}),
    ("1", "6:4", {"value": 1.5}),
    ("1", "20:3", {"value": 6.667}),
    ("S/cm", "10⁻⁷-10⁻⁵ S cm⁻¹", {"min": 1e-7, "max": 1e-5}),
    ("S/cm", r"$2.23 \times 10^{-5} \text{ S cm}^{-1}$", {"value": 2.23e-5}),
    ("°C", r"$30\text{--}100 \text{ }^\circ\text{C}$", {"min": 30, "max": 100}),
    ("µm", r"$60\text{-}\mu\text{m}$", {"value": 60}),
    ("mAh/g", "More than 110 mAh g ⁻¹", {"min": 110}),
    ("cycles", "1 000th cycle", {"value": 1000}),
    ("mAh/g", "6 Ah g^{-1}", {"value": 6000}),  # the same unit with another prefix
    ("µm", "1 mm", {"value": 1000}),
    ("%", "no capacity decay", {"value": 0}),
    ("mg/cm2", "14 and 7.5 mg cm^{-2}", {"value": 14}),
    ("S/cm", "0.50", {"value": 0.5}),  # the unit follows later in the sentence
]
DISAGREEING = [
    ("Ah", "1.5 Ah", {"value": 2.5}, ("value", "value 2.5 is not a number as_written '1.5 Ah' states")),
    ("mAh", "1.5 Ah", {"value": 1.5}, ("unit", "unit 'mAh' does not agree with as_written '1.5 Ah'")),
    ("wt%", "between 2.5% and 10%", {"min": 2.5, "max": 12}, ("max", "max 12 is not a number as_written "
                                                              "'between 2.5% and 10%' states")),
    ("mS/cm", "10⁻⁷-10⁻⁵ S cm⁻¹", {"min": 1e-7, "max": 1e-5}, ("unit", "unit 'mS/cm' does not agree with "
                                                                "as_written '10⁻⁷-10⁻⁵ S cm⁻¹'")),
    ("1", "20:3", {"value": 6.5}, ("value", "value 6.5 is not a number as_written '20:3' states")),
    ("C", "55 °C", {"value": 55}, ("unit", "unit 'C' does not agree with as_written '55 °C'")),
    ("%", "1% Darvan 7N", {"value": 7}, ("unit", "unit '%' does not agree with as_written '1% Darvan 7N'")),
]


@pytest.mark.parametrize("unit,written,numbers", AGREEING, ids=[w for _, w, _ in AGREEING])
def test_figure_agrees_with_its_text(unit, written, numbers):
    assert disagreement(Figure(metric="m", unit=unit, as_written=written, **numbers), lookup(unit)) is None


@pytest.mark.parametrize("unit,written,numbers,problem", DISAGREEING, ids=[f"{w}-{n}" for _, w, n, _ in DISAGREEING])
def test_figure_that_disagrees_with_its_text(unit, written, numbers, problem):
    assert disagreement(Figure(metric="m", unit=unit, as_written=written, **numbers), lookup(unit)) == problem
