"""The competency-query catalogue: `queries/*.rq` with their headers, and parameters bound as RDF terms.

Parameters are bound as RDF terms (pyoxigraph substitutions, rdflib initBindings); user text is
never spliced into a query. A parameter value is resolved first (an id, a label, a class name, a
unit symbol, a number: `names.py` matches names), then handed to the engine (`engine.py`).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .. import paths
from ..errors import QueryError
from .engine import PREFIXES, XSD, Engine, Term, _check_iri
from .names import DASHES, Name, did_you_mean, find_name, local_name, resolve_class, resolve_entity_or_class

PARAM_KINDS = ("entity", "class", "entity-or-class", "unit", "number", "string")


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # one of PARAM_KINDS
    default: str | None
    doc: str
    var: str = ""  # the query variable it binds, when it differs from the name (`# param: mechanism as ?family`)

    @property
    def variable(self) -> str:
        return self.var or self.name


@dataclass(frozen=True)
class CatalogueQuery:
    id: str
    title: str
    question: str
    params: tuple[Param, ...]
    text: str
    path: Path
    # `# alternatives: subject, claim`: once one of them is given, the defaults of the others do not apply
    alternatives: tuple[tuple[str, ...], ...] = ()
    # `# needs: min, max -> unit`: each of min and max is given only with unit
    needs: tuple[tuple[str, str], ...] = ()

    @property
    def body(self) -> str:
        return PREFIXES + self.text


_HEADER = re.compile(r"^#\s*(id|title|question|param|alternatives|needs):\s*(.*)$")
_PARAM_NAME = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)(?:\s+as\s+\?([A-Za-z][A-Za-z0-9_]*))?$")


def parse_header(path: Path) -> CatalogueQuery:
    text = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    params: list[Param] = []
    alternatives: list[tuple[str, ...]] = []
    needs: list[tuple[str, str]] = []
    for line in text.splitlines():
        m = _HEADER.match(line)
        if not m:
            continue
        key, value = m.group(1), m.group(2).strip()
        if key == "param":
            params.append(_parse_param(path, value))
        elif key == "alternatives":
            alternatives.append(tuple(_names(value)))
        elif key == "needs":
            given, _, needed = value.partition("->")
            needs += [(n, needed.strip()) for n in _names(given)]
        else:
            meta[key] = value
    for key in ("id", "title", "question"):
        if key not in meta:
            raise QueryError(f"{path.name}: header lacks `# {key}:`")
    if meta["id"] != path.stem:
        raise QueryError(f"{path.name}: header id {meta['id']!r} differs from the file name")
    declared = {p.name for p in params}
    for name in [n for group in alternatives for n in group] + [n for pair in needs for n in pair]:
        if name not in declared:
            raise QueryError(f"{path.name}: `# alternatives:` or `# needs:` names {name!r}, which is no `# param:`")
    return CatalogueQuery(meta["id"], meta["title"], meta["question"], tuple(params), text, path,
                          tuple(alternatives), tuple(needs))


def _parse_param(path: Path, value: str) -> Param:
    """`name [as ?var] | kind | default (or -) | description`"""
    parts = [p.strip() for p in value.split("|")]
    name = _PARAM_NAME.match(parts[0]) if len(parts) == 4 else None
    if name is None:
        raise QueryError(f"{path.name}: malformed param header {value!r}")
    if parts[1] not in PARAM_KINDS:
        raise QueryError(f"{path.name}: param {name.group(1)}: unknown kind {parts[1]!r} "
                         f"(known: {', '.join(PARAM_KINDS)})")
    return Param(name.group(1), parts[1], None if parts[2] in ("", "-") else parts[2], parts[3], name.group(2) or "")


def _names(value: str) -> list[str]:
    return [n.strip() for n in value.split(",") if n.strip()]


def catalogue(directory: Path = paths.QUERIES_DIR) -> dict[str, CatalogueQuery]:
    return {q.id: q for q in (parse_header(p) for p in sorted(directory.glob("*.rq")))}


# Queries merged into others: where an old name now leads.
RETIRED_QUERIES = {
    name: f"binders-for-mechanism --param mechanism={family}" for name, family in (
        ("electron-conducting-binders", "ElectronicConduction"), ("interphase-forming-binders", "InterphaseFunction"),
        ("li-ion-conducting-binders", "IonTransport"), ("polysulfide-trapping-binders", "PolysulfideTrapping"),
        ("self-healing-binders", "SelfHealing"), ("tm-trapping-binders", "TransitionMetalTrapping"))}


def get_query(name: str, directory: Path = paths.QUERIES_DIR) -> CatalogueQuery:
    cat = catalogue(directory)
    if name in cat:
        return cat[name]
    if name in RETIRED_QUERIES:
        raise QueryError(f"query {name!r} was merged into binders-for-mechanism; run `bindergraph query "
                         f"{RETIRED_QUERIES[name]}`")
    hint = did_you_mean(name, [Name.of(n, n, n) for n in cat])
    if not hint:
        close = [n for n in cat if name.lower() in n.lower()]
        hint = f"; did you mean {', '.join(close[:3])}?" if close else "; run `bindergraph queries` for the list"
    raise QueryError(f"unknown query {name!r}{hint}")


# ------------------------------------------------------------------------------------ running
@dataclass
class Bound:
    query: str
    bindings: dict[str, Term] = field(default_factory=dict)


def bind_params(q: CatalogueQuery, given: dict[str, str], engine: Engine) -> Bound:
    known = {p.name: p for p in q.params}
    for name in sorted(given):
        if name not in known:
            hint = did_you_mean(name, [Name.of(n, n, n) for n in known])
            raise QueryError(f"query {q.id} has no parameter {name!r}{hint}; it takes: {', '.join(known) or 'none'}")
    # a default gives way to a given alternative (claim-evidence: a claim, or else the default subject)
    overridden = {n for group in q.alternatives if set(group) & set(given) for n in group}
    bindings: dict[str, Term] = {}
    for p in q.params:
        value = given.get(p.name, None if p.name in overridden else p.default)
        if value is not None:
            bindings[p.variable] = _param_term(p, value, engine, q.id)
    for name, needed in q.needs:
        if name in given and known[needed].variable not in bindings:
            raise QueryError(f"query {q.id}: parameter {name} needs {needed} too (--param {needed}=…)")
    return Bound(q.body, bindings)


def _param_term(p: Param, value: str, engine: Engine, qid: str) -> Term:
    try:
        if p.kind == "entity":
            return engine.resolve_entity(value)
        if p.kind == "class":
            return resolve_class(engine, value)
        if p.kind == "entity-or-class":
            return resolve_entity_or_class(engine, value)
        if p.kind == "unit":
            return _unit_term(value)
        if p.kind == "number":
            return _number_term(value)
        return Term("literal", value)
    except QueryError as exc:
        raise QueryError(f"query {qid}: parameter {p.name}: {exc}") from None


def _number_term(value: str) -> Term:
    """An xsd:decimal in plain notation (1e-4 -> 0.0001), so that it compares with the graph's figures."""
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise QueryError(f"must be a number, got {value!r}") from None
    if not number.is_finite():
        raise QueryError(f"must be a finite number, got {value!r}")
    return Term("literal", format(number, "f"), XSD + "decimal")


def _unit_term(value: str) -> Term:
    """A unit symbol (%, S/cm, S cm⁻¹), a QUDT local name (PERCENT) or a unit IRI -> the unit's IRI."""
    from ..curate.units import UNITS, lookup

    if value.startswith(("http://", "https://")):
        return Term("uri", _check_iri(value))
    for spelling in (value, unicodedata.normalize("NFKC", value).translate(DASHES)):
        try:
            return Term("uri", lookup(spelling).iri)
        except KeyError:
            pass
    names = [Name.of(u.iri, u.symbol, u.symbol) for u in UNITS.values()]
    names += [Name.of(u.iri, local_name(u.iri), u.symbol) for u in UNITS.values()]
    found = find_name(value, names)
    if found is None:
        raise QueryError(f"unknown unit {value!r}{did_you_mean(value, names)}")
    return Term("uri", found[1])


def parse_param_args(args: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for a in args:
        if "=" not in a:
            raise QueryError(f"parameter {a!r} must look like key=value")
        k, v = a.split("=", 1)
        k = k.strip()
        if not k:
            raise QueryError(f"parameter {a!r} has no name before '='")
        if k in out:
            raise QueryError(f"parameter {k!r} given twice (--param {k}={out[k]} and --param {k}={v}); give it once")
        out[k] = v
    return out
