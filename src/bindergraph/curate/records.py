"""Curated records: the YAML files curators edit, as typed models.

A record file is a mapping with two optional lists, ``entities`` and ``claims``.
See docs/curation.md for the format; this module only parses and checks the shape of
each record. Cross-record checks (ids, quotes, units) live in validate_records.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import RecordError, RecordErrors

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._+-]*$"

Relation = Literal[
    "has_functional_group", "has_function", "applied_in", "processed_with", "has_drawback",
    "compared_with", "compatible_with", "incompatible_with", "interacts_with", "composed_of",
    "measured",
]
RELATIONS: tuple[str, ...] = Relation.__args__  # type: ignore[attr-defined]

Stance = Literal["positive", "negative", "hedged"]
Attribution = Literal["study", "review", "background"]
ComparisonKind = Literal["head_to_head", "cross_study", "design", "outlook"]
PairingMode = Literal["all", "respectively", "collective"]


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Entity(_Model):
    id: str = Field(pattern=ID_PATTERN)
    type: list[str] = Field(min_length=1)
    label: str = Field(min_length=1)
    alt: list[str] = []
    definition: str | None = None
    broader: list[str] = []
    composed_of: list[str] = []
    defined_at: str | None = None  # verbatim quote where the review introduces the name
    note: str | None = None

    _lists = field_validator("type", "alt", "broader", "composed_of", mode="before")(_as_list)


class Figure(_Model):
    """A measured figure (or a condition of one): metric, value or range, unit, text as written."""
    metric: str = Field(pattern=ID_PATTERN)
    value: float | None = None
    min: float | None = None
    max: float | None = None
    unit: str = Field(min_length=1)
    as_written: str = Field(min_length=1)
    approx: bool = False
    of: str | None = Field(default=None, pattern=ID_PATTERN)  # the subject or comparator the figure belongs to

    @model_validator(mode="after")
    def _value_or_range(self):
        if self.value is None and self.min is None and self.max is None:
            raise ValueError("give `value`, or `min` and/or `max` (a range or an open bound)")
        if self.value is not None and (self.min is not None or self.max is not None):
            raise ValueError("give either `value` or `min`/`max`, not both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("`min` is greater than `max`")
        return self


class Measurement(Figure):
    conditions: list[Union[str, Figure]] = []

    _lists = field_validator("conditions", mode="before")(_as_list)


class Context(_Model):
    active_material: list[str] = []
    component: list[str] = []
    battery_type: list[str] = []
    counter_electrode: list[str] = []
    via_group: list[str] = []
    target: list[str] = []
    solvent: list[str] = []
    compared_with: list[str] = []
    conditions: list[Union[str, Figure]] = []

    _lists = field_validator("active_material", "component", "battery_type", "counter_electrode", "via_group",
                             "target", "solvent", "compared_with", "conditions", mode="before")(_as_list)


class Comparison(_Model):
    """What a `compared_with` claim compares: the aspect, the result for the subject, and how."""
    aspect: str = Field(pattern=ID_PATTERN)  # a Metric or Mechanism id: capacity-retention, adhesion, cost, ...
    outcome: Literal["better", "worse", "similar"]
    kind: ComparisonKind  # only head_to_head (same work, binders swapped) derives bg:outperforms


Pairing = Union[PairingMode, list[tuple[str, str]]]


class Claim(_Model):
    id: str = Field(pattern=ID_PATTERN)
    quote: Union[str, list[str]]  # one verbatim span, or the parts of a sentence a caption or table interrupts
    section: str | None = None
    refs: list[int] = []
    subject: list[str] = Field(min_length=1)
    relation: Relation
    object: list[str] = []
    pairing: Pairing | None = None  # how several subjects pair with several objects/contexts
    stance: Stance = "positive"
    attribution: Attribution  # whose finding: a cited study's, the review's own, or background
    sources: list[int] = []  # for a study: the references whose finding it is (default: refs)
    comparison: Comparison | None = None
    context: Context = Context()
    measurements: list[Measurement] = []
    table_row: int | None = None
    note: str | None = None

    _lists = field_validator("subject", "object", "refs", "sources", mode="before")(_as_list)

    @property
    def quote_parts(self) -> list[str]:
        return [self.quote] if isinstance(self.quote, str) else list(self.quote)

    @field_validator("quote")
    @classmethod
    def _quote_length(cls, v):
        parts = [v] if isinstance(v, str) else v
        if not parts or any(len(p.strip()) < 8 for p in parts):
            raise ValueError("a quote (and every part of one) needs at least 8 characters")
        return v

    @field_validator("section", mode="before")
    @classmethod
    def _section_str(cls, v):
        return None if v is None else str(v)

    @model_validator(mode="after")
    def _shape(self):
        if self.relation == "measured":
            if not self.measurements:
                raise ValueError("relation `measured` needs at least one measurement")
        elif not self.object:
            raise ValueError(f"relation `{self.relation}` needs an `object`")
        if (self.relation == "compared_with") != (self.comparison is not None):
            raise ValueError("relation `compared_with` needs a `comparison` (aspect, outcome, kind), "
                             "and only it may have one")
        if self.sources and self.attribution != "study":
            raise ValueError("`sources` name the studies whose finding a claim reports: only for `attribution: study`")
        return self


@dataclass(frozen=True)
class Located:
    """A record with the file (and line) it came from, for error messages."""
    record: Entity | Claim
    file: Path
    line: int
    display: str  # the file as error messages name it (see _display)


def _yaml_loader():
    class Loader(yaml.SafeLoader):
        pass

    def construct_mapping(loader, node, deep=False):
        mapping = loader.construct_mapping_plain(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping

    Loader.construct_mapping_plain = yaml.SafeLoader.construct_mapping  # type: ignore[attr-defined]
    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return Loader


_LOADER = _yaml_loader()


def _strip_lines(obj):
    if isinstance(obj, dict):
        return {k: _strip_lines(v) for k, v in obj.items() if k != "__line__"}
    if isinstance(obj, list):
        return [_strip_lines(v) for v in obj]
    return obj


def _format_validation(err: ValidationError) -> tuple[str, str]:
    first = err.errors()[0]
    loc = ".".join(str(p) for p in first["loc"]) or "(record)"
    msg = first["msg"].removeprefix("Value error, ")
    return loc, msg


_KINDS = (("entities", Entity), ("claims", Claim))


def load_file(path: Path, display: str | None = None, kinds: tuple[str, ...] = ("entities", "claims")) -> list[Located]:
    """Parse one record file (only the lists named in `kinds`); raise RecordError(s) naming the file,
    record and field on bad input."""
    name = display or str(path)
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RecordError(name, None, None, f"not valid YAML at{where}: {problem}") from None
    except UnicodeDecodeError:
        raise RecordError(name, None, None, "not UTF-8 text") from None
    if doc is None:
        return []
    if not isinstance(doc, dict) or set(doc) - {"entities", "claims", "__line__"}:
        raise RecordError(name, None, None, "top level must be a mapping with `entities` and/or `claims` lists")
    out: list[Located] = []
    errors: list[RecordError] = []
    for key, model in _KINDS:
        if key not in kinds:
            continue
        items = doc.get(key) or []
        if not isinstance(items, list):
            raise RecordError(name, None, key, f"`{key}` must be a list")
        for i, raw in enumerate(items):
            if not isinstance(raw, dict):
                raise RecordError(name, f"{key}[{i}]", None, "each record must be a mapping")
            line = raw.get("__line__", 0)
            rid = raw.get("id") if isinstance(raw.get("id"), str) else f"{key}[{i}]"
            try:
                rec = model.model_validate(_strip_lines(raw))
            except ValidationError as exc:
                field, msg = _format_validation(exc)
                errors.append(RecordError(name, rid, field, msg, line))
                continue
            out.append(Located(rec, path, line, name))
    if errors:  # every malformed record of the file, not just the first
        raise RecordErrors(errors)
    return out


def record_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.yaml") if p.is_file())


def load_records(root: Path, kinds: tuple[str, ...] = ("entities", "claims")) -> list[Located]:
    """Every record under `root`; raise RecordErrors listing the malformed records of every file."""
    located: list[Located] = []
    errors: list[RecordError] = []
    for path in record_files(root):
        try:
            located.extend(load_file(path, display=_display(path, root), kinds=kinds))
        except RecordErrors as exc:
            errors.extend(exc.errors)
        except RecordError as exc:
            errors.append(exc)
    if errors:
        raise RecordErrors(errors)
    return located


def _display(path: Path, root: Path) -> str:
    """The file as a curator opens it: relative to the working directory when it lies below it
    (`data/records/claims/x.yaml` in a checkout), else below the records directory's parent."""
    for base in (Path.cwd(), root.parent):
        try:
            return str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return str(path)
