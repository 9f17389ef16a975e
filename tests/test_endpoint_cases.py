"""The catalogue cases every store must answer alike, and how answers are compared (as sets).

Cases: every catalogue query with its defaults, plus every parameter variant that tests/test_queries.py
runs (read from its `run(engine, "id", k=v)` calls, so the two lists cannot drift apart). An answer is
compared as a set of rows, each row a set of (variable, term) pairs, where a GROUP_CONCAT column is
the set of its items: stores order rows, ties and concatenated lists as they like. A case that fails
(an unknown name, a bad unit) must fail with the same message everywhere.

Used by tests/test_endpoint_stores.py (Oxigraph server) and benchmarks/bench_engines.py (Jena, Virtuoso).
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from bindergraph.errors import QueryError
from bindergraph.query.catalogue import bind_params, catalogue, get_query
from bindergraph.query.engine import Engine, Result, Term

TEST_QUERIES = Path(__file__).with_name("test_queries.py")
# a GROUP_CONCAT's separator and the variable it is projected as: the first `AS ?v` after it
# (REPLACE(GROUP_CONCAT(…; separator=""), ", $", "") AS ?v too: each item ends in the suffix REPLACE cuts)
_CONCAT = re.compile(r"GROUP_CONCAT\s*\(.*?separator\s*=\s*\"([^\"]*)\".*?\bAS\s+\?(\w+)", re.I | re.S)
_SUFFIX = re.compile(r"separator\s*=\s*\"\"\s*\)\s*,\s*\"([^\"]+)\$\"")
# numbers compare by value: stores write 0.85e0 or 0.85, 500.0 or 500, and MIN over xsd:nonNegativeInteger
# as xsd:integer or as itself, all allowed by SPARQL
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + n for n in ("integer", "decimal", "double", "float", "int", "long", "short", "byte",
                             "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
                             "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}


@dataclass(frozen=True, order=True)
class Case:
    qid: str
    params: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return self.qid + "".join(f" {k}={v}" for k, v in self.params)


def _variant(call: ast.Call) -> Case | None:
    """run(engine, "id", k="v", **{"k": "v"}) with constant arguments, else None."""
    if not (isinstance(call.func, ast.Name) and call.func.id == "run" and len(call.args) == 2
            and isinstance(call.args[1], ast.Constant) and isinstance(call.args[1].value, str)):
        return None
    params: dict[str, str] = {}
    for kw in call.keywords:
        if kw.arg and isinstance(kw.value, ast.Constant):
            params[kw.arg] = kw.value.value
        elif kw.arg is None and isinstance(kw.value, ast.Dict) and all(
                isinstance(x, ast.Constant) for x in [*kw.value.keys, *kw.value.values]):
            params.update({k.value: v.value for k, v in zip(kw.value.keys, kw.value.values)})
        else:
            return None  # a variable (a hostile string, a loop's value): not a fixed case
    return Case(call.args[1].value, tuple(sorted(params.items())))


def catalogue_cases() -> list[Case]:
    tree = ast.parse(TEST_QUERIES.read_text(encoding="utf-8"))
    variants = {c for node in ast.walk(tree) if isinstance(node, ast.Call) and (c := _variant(node))}
    return sorted(variants | {Case(qid) for qid in catalogue()})


CASES = catalogue_cases()


def answer(engine: Engine, case: Case) -> Result | str:
    """The rows, or the one-line error of a case that fails."""
    try:
        bound = bind_params(get_query(case.qid), dict(case.params), engine)
        return engine.select(bound.query, bound.bindings)
    except QueryError as exc:
        return f"error: {exc}"


def _concat_columns(qid: str) -> dict[str, str]:
    """Each GROUP_CONCAT column's separator (for separator="", the suffix its REPLACE cuts)."""
    out = {}
    for m in _CONCAT.finditer(get_query(qid).text):
        suffix = _SUFFIX.search(m.group(0))
        out[m.group(2)] = m.group(1) or (suffix.group(1) if suffix else "")
    return out


def _cell(term: Term, sep: str | None):
    if sep and term.kind == "literal":
        return frozenset(term.value.split(sep)) if term.value else frozenset()
    if term.datatype in NUMERIC:
        try:
            return ("number", Decimal(term.value))
        except InvalidOperation:
            return term
    return term


def answer_key(qid: str, ans: Result | str):
    """The answer as a set of rows (each a frozenset of (variable, cell)), or its error message."""
    if isinstance(ans, str):
        return ans
    seps = _concat_columns(qid)
    # a GROUP_CONCAT over no value is "" on some stores and unbound on others: no items either way
    return frozenset(frozenset({(v, _cell(t, seps.get(v))) for v, t in row.items()} - {(v, frozenset()) for v in seps})
                     for row in ans.rows)


def differences(qid: str, expected: Result | str, got: Result | str) -> str:
    """"" when the answers agree; else a short account (counts and one row each side lacks)."""
    a, b = answer_key(qid, expected), answer_key(qid, got)
    if a == b:
        return ""
    if isinstance(a, str) or isinstance(b, str):
        return f"expected {a if isinstance(a, str) else f'{len(a)} rows'}, got {b if isinstance(b, str) else f'{len(b)} rows'}"
    missing, extra = sorted(a - b, key=str), sorted(b - a, key=str)
    head = f"{len(a)} rows expected, {len(b)} got, {len(missing)} missing, {len(extra)} unexpected"
    if not (missing and extra):
        return head + f"; e.g. {dict(missing[0] if missing else extra[0])}"
    # the unexpected row closest to the first missing one, and the cells where they differ
    want = dict(missing[0])
    near = dict(max(extra, key=lambda row: len(row & missing[0])))
    cells = {v: (want.get(v), near.get(v)) for v in sorted(set(want) | set(near)) if want.get(v) != near.get(v)}
    return head + f"; e.g. {cells} (expected, got)"


# ------------------------------------------------------------------------------- the helpers' own tests
def test_cases_cover_catalogue_and_variants():
    ids = {c.qid for c in CASES}
    assert ids == set(catalogue())
    assert Case("binders-for-material", (("material", "LiFePO4"),)) in CASES
    assert Case("binders-by-class", (("class", "SelfHealingBinder"),)) in CASES
    assert len(CASES) >= 40


def test_group_concat_compared_as_sets_and_rows_unordered():
    qid = "binders-by-class"  # GROUP_CONCAT(... separator=", ") AS ?names
    assert _concat_columns(qid) == {"names": ", "}
    assert set(_concat_columns("binders-for-mechanism")) == {"claims", "groups", "targets", "materials", "refs"}
    assert _concat_columns("statement-support")["studyList"] == "; "
    assert _concat_columns("binders-for-mechanism")["groups"] == ", "
    assert _concat_columns("table1") == {"binders": " and ", "mechanisms": "; ", "refs": ", ", "claims": ", "}
    lit = lambda v: Term("literal", v)  # noqa: E731
    one = Result(["class", "names"], [{"class": Term("uri", "x"), "names": lit("PAA, CMC")},
                                        {"class": Term("uri", "y"), "names": lit("SA")}])
    two = Result(["class", "names"], [{"class": Term("uri", "y"), "names": lit("SA")},
                                        {"class": Term("uri", "x"), "names": lit("CMC, PAA")}])
    assert differences(qid, one, two) == ""
    three = Result(["class", "names"], [{"class": Term("uri", "x"), "names": lit("CMC")}])
    diff = differences(qid, one, three)
    assert diff.startswith("2 rows expected, 1 got, 2 missing, 1 unexpected; e.g. {") and "'names': (frozenset({" in diff
    assert differences(qid, one, "error: no") == "expected 2 rows, got error: no"
    empty = Result(["class", "names"], [{"class": Term("uri", "z"), "names": lit("")}])
    assert differences(qid, empty, Result(["class", "names"], [{"class": Term("uri", "z")}])) == ""


def test_numbers_compared_by_value():
    num = lambda v, t: Result(["n"], [{"n": Term("literal", v, XSD + t)}])  # noqa: E731
    assert differences("external-ids", num("0.85", "double"), num("0.85e0", "double")) == ""
    assert differences("claim-evidence", num("30288", "integer"), num("30288", "nonNegativeInteger")) == ""
    assert differences("external-ids", num("0.85", "double"), num("0.86", "double"))
