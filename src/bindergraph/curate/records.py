"""Curated records: the YAML files curators edit, as typed models.

A record file is a mapping with two optional lists, ``entities`` and ``claims``.
See docs/curation.md for the format; this module only parses and checks the shape of
each record. Cross-record checks (ids, quotes, units) live in curation.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, Union

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, MappingEndEvent, ScalarEvent, SequenceEndEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner
from pydantic import (AllowInfNan, BaseModel, ConfigDict, Discriminator, Field, Strict, StrictBool, StrictInt,
                      StrictStr, Tag, ValidationError, field_validator, model_validator)

from ..errors import RecordError, RecordErrors

try:
    from yaml._yaml import CParser as _CEvents  # libyaml's event parser
except ImportError:  # PyYAML built without libyaml
    _CEvents = None

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


# Strict types: a number is a finite number written as one (no `true`, no "2.5", no .nan or 1e400), an
# integer is not a float or a boolean, and text is text (no `123` read as "123").
Text = StrictStr
Number = Annotated[float, Strict(), AllowInfNan(False)]
Count = StrictInt
_TAGS = ("<text>", "<other>")  # union members, left out of the field a message names


def _text_or(other, text=Text):
    """Text, or `other`: validated as the one the value looks like, so an error names the field."""
    return Annotated[Union[Annotated[text, Tag(_TAGS[0])], Annotated[other, Tag(_TAGS[1])]],
                     Discriminator(lambda v: _TAGS[0] if isinstance(v, str) else _TAGS[1])]


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Entity(_Model):
    id: Text = Field(pattern=ID_PATTERN)
    type: list[Text] = Field(min_length=1)
    label: Text = Field(min_length=1)
    alt: list[Text] = []
    definition: Text | None = None
    broader: list[Text] = []
    composed_of: list[Text] = []
    defined_at: Text | None = None  # verbatim quote where the review introduces the name
    note: Text | None = None

    _lists = field_validator("type", "alt", "broader", "composed_of", mode="before")(_as_list)


class Figure(_Model):
    """A measured figure (or a condition of one): metric, value or range, unit, text as written."""
    metric: Text = Field(pattern=ID_PATTERN)
    value: Number | None = None
    min: Number | None = None
    max: Number | None = None
    unit: Text = Field(min_length=1)
    as_written: Text = Field(min_length=1)
    approx: StrictBool = False
    of: Text | None = Field(default=None, pattern=ID_PATTERN)  # the subject or comparator the figure belongs to

    @model_validator(mode="after")
    def _value_or_range(self):
        if self.value is None and self.min is None and self.max is None:
            raise ValueError("give `value`, or `min` and/or `max` (a range or an open bound)")
        if self.value is not None and (self.min is not None or self.max is not None):
            raise ValueError("give either `value` or `min`/`max`, not both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("`min` is greater than `max`")
        return self


Condition = _text_or(Figure)  # "300 cycles", parsed; or a full figure


class Measurement(Figure):
    conditions: list[Condition] = []

    _lists = field_validator("conditions", mode="before")(_as_list)


class Context(_Model):
    active_material: list[Text] = []
    component: list[Text] = []
    battery_type: list[Text] = []
    counter_electrode: list[Text] = []
    via_group: list[Text] = []
    target: list[Text] = []
    solvent: list[Text] = []
    compared_with: list[Text] = []
    conditions: list[Condition] = []

    _lists = field_validator("active_material", "component", "battery_type", "counter_electrode", "via_group",
                             "target", "solvent", "compared_with", "conditions", mode="before")(_as_list)


class Comparison(_Model):
    """What a `compared_with` claim compares: the aspect, the result for the subject, and how."""
    aspect: Text = Field(pattern=ID_PATTERN)  # a Metric or Mechanism id: capacity-retention, adhesion, cost, ...
    outcome: Literal["better", "worse", "similar"]
    kind: ComparisonKind  # only head_to_head (same work, binders swapped) derives bg:outperforms


Pairing = _text_or(list[tuple[Text, Text]], PairingMode)  # a mode, or explicit [subject, object] pairs


class Claim(_Model):
    id: Text = Field(pattern=ID_PATTERN)
    quote: _text_or(list[Text])  # one verbatim span, or the parts of a sentence a caption or table interrupts
    section: Text | None = None
    refs: list[Count] = []
    subject: list[Text] = Field(min_length=1)
    relation: Relation
    object: list[Text] = []
    pairing: Pairing | None = None  # how several subjects pair with several objects/contexts
    stance: Stance = "positive"
    attribution: Attribution  # whose finding: a cited study's, the review's own, or background
    sources: list[Count] = []  # for a study: the references whose finding it is (default: refs)
    comparison: Comparison | None = None
    context: Context = Context()
    measurements: list[Measurement] = []
    table_row: Count | None = Field(default=None, ge=1)
    note: Text | None = None

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
    def _section_text(cls, v):
        if v is not None and not isinstance(v, str):  # unquoted, 3.10 would be read as the number 3.1
            raise ValueError(f'write the section number as quoted text ("{v}"), not a number')
        return v

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


# ------------------------------------------------------------------ the safe YAML loader
# Limits a record file must stay within (docs/curation.md, "What the loader refuses"). The shipped
# records reach nesting depth 7, a 902-character quote and 111 kB per file: the limits leave a wide margin.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_SCALAR_CHARS = 20_000
MAX_DEPTH = 20

_STR, _INT, _FLOAT = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_NULL, _BOOL = "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool"
# Plain scalars that are numbers, booleans or null (the YAML 1.2 core schema, decimal only). Anything
# else is text: `yes`, `on`, `2023-01-01` stay strings, where YAML 1.1 would make booleans and dates.
_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_DEC_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_DEC_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_NON_DECIMAL = re.compile(r"[-+]?0[xob][0-9a-fA-F_]+")  # YAML 1.2 hex/octal/binary, which 1.1 reads as text
_YAML11 = yaml.resolver.Resolver()  # to recognise what PyYAML's YAML 1.1 would read as a number


class _Refused(yaml.MarkedYAMLError):
    """A construct the loader refuses before building anything from it."""

    def __init__(self, mark, problem: str):
        super().__init__(problem=problem, problem_mark=mark)


def _plain_tag(value: str, mark) -> str:
    """The tag of a plain (unquoted) scalar; refuses numbers not written in decimal, since after
    parsing `0x1F` and `31` look the same."""
    if value in _NULLS:
        return _NULL
    if value in _BOOLS:
        return _BOOL
    if _DEC_INT.fullmatch(value):
        return _INT
    if _DEC_FLOAT.fullmatch(value):
        return _FLOAT
    if _NON_DECIMAL.fullmatch(value) or _YAML11.resolve(ScalarNode, value, (True, False)) in (_INT, _FLOAT):
        raise _Refused(mark, f"{value!r} is not a finite number in decimal notation (YAML reads it as a "
                             "special or non-decimal number): write numbers in decimal, or quote text")
    return _STR


@dataclass
class _Frame:
    """A collection being composed, and the key (or index) of the item being composed in it."""
    node: Node
    key: str | int | None = None
    key_line: int | None = None  # where the key of a mapping item starts


class _GuardedComposer(Composer):
    """PyYAML's composer, refusing anchors, aliases, tags, merge and duplicate keys, deep nesting and
    huge scalars as their events arrive, so that nothing is expanded or built from them."""

    def __init__(self) -> None:
        super().__init__()
        self.frames: list[_Frame] = []

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            raise _Refused(event.start_mark, f"YAML alias *{event.anchor} is not allowed: record files "
                                             "use no anchors or aliases (they can expand a small file into gigabytes)")
        if event.anchor is not None:
            raise _Refused(event.start_mark, f"YAML anchor &{event.anchor} is not allowed: record files use no "
                                             "anchors or aliases")
        if event.tag is not None:
            tag = event.tag.replace("tag:yaml.org,2002:", "!!")
            raise _Refused(event.start_mark, f"YAML tag {tag} is not allowed: record files use no tags")
        if not isinstance(event, ScalarEvent) and len(self.frames) >= MAX_DEPTH:
            raise _Refused(event.start_mark, f"nested deeper than {MAX_DEPTH} levels")
        return super().compose_node(parent, index)

    def compose_scalar_node(self, anchor):
        event = self.get_event()
        if len(event.value) > MAX_SCALAR_CHARS:
            raise _Refused(event.start_mark, f"a value of {len(event.value):,} characters is longer than the "
                                             f"limit of {MAX_SCALAR_CHARS:,}")
        plain = event.implicit[0]  # neither quoted nor tagged
        tag = _plain_tag(event.value, event.start_mark) if plain else _STR
        return ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)

    def compose_sequence_node(self, anchor):
        start = self.get_event()
        node = SequenceNode(self.resolve(SequenceNode, None, start.implicit), [], start.start_mark, None,
                            flow_style=start.flow_style)
        frame = _Frame(node)
        self.frames.append(frame)
        while not self.check_event(SequenceEndEvent):
            frame.key = len(node.value)
            node.value.append(self.compose_node(node, frame.key))
        node.end_mark = self.get_event().end_mark
        self.frames.pop()
        return node

    def compose_mapping_node(self, anchor):
        start = self.get_event()
        node = MappingNode(self.resolve(MappingNode, None, start.implicit), [], start.start_mark, None,
                           flow_style=start.flow_style)
        frame = _Frame(node)
        self.frames.append(frame)
        seen: dict[str, int] = {}
        while not self.check_event(MappingEndEvent):
            frame.key = None  # between items: a syntax error here belongs to no field
            key = self.compose_node(node, None)
            frame.key = key.value if isinstance(key, ScalarNode) else None
            frame.key_line = key.start_mark.line
            _check_key(key, seen)
            node.value.append((key, self.compose_node(node, key)))
        node.end_mark = self.get_event().end_mark
        self.frames.pop()
        return node

    def where(self, syntax_line: int | None = None) -> tuple[str | None, str | None]:
        """The record (its id once read, else `claims[i]`) and field being composed, for messages.
        A syntax error names a field only on the line of its key: the scanner reads ahead."""
        f = self.frames
        if not f or f[0].key is None or not isinstance(f[0].node, MappingNode):
            return None, None
        if f[0].key not in ("entities", "claims") or len(f) < 2 or f[1].key is None:
            return None, str(f[0].key)
        return _record_name(f), _field_name(f[2:], syntax_line)


def _record_name(frames: list[_Frame]) -> str:
    """The id of the record being composed, if read yet, else its place (`claims[3]`)."""
    place = f"{frames[0].key}[{frames[1].key}]"
    if len(frames) < 3:
        return place
    ids = (v.value for k, v in frames[2].node.value
           if isinstance(k, ScalarNode) and k.value == "id" and isinstance(v, ScalarNode) and v.tag == _STR)
    return next(ids, place)


def _field_name(frames: list[_Frame], syntax_line: int | None) -> str | None:
    """The path of the field being composed inside its record (`measurements.0.value`)."""
    keyed = [x for x in frames if x.key is not None]
    if syntax_line is not None and not (keyed and keyed[-1].key_line == syntax_line):
        return None
    path = [str(x.key) for x in keyed]
    if len(path) > 4:  # deep nesting: the field and the first levels say enough
        path = path[:4] + ["…"]
    return ".".join(path) or None


def _check_key(key: Node, seen: dict[str, int]) -> None:
    """A mapping key is text, no merge key (`<<`), not reserved, and not given twice."""
    line = key.start_mark.line + 1
    if not isinstance(key, ScalarNode) or key.tag != _STR:
        raise _Refused(key.start_mark, "a mapping key must be text")
    if key.value == "<<" and not key.style:  # plain (libyaml says '', PyYAML None)
        raise _Refused(key.start_mark, "YAML merge keys (<<) are not allowed: write every field out")
    if key.value == "__line__":
        raise _Refused(key.start_mark, "`__line__` is reserved for the loader")
    if key.value in seen:
        raise _Refused(key.start_mark, f"duplicate key `{key.value}` (lines {seen[key.value]} and {line})")
    seen[key.value] = line


class _RecordConstructor(SafeConstructor):
    """Builds only plain data (text, decimal numbers, booleans, null, lists, mappings), and notes the
    line of each mapping in `__line__` for error messages."""
    yaml_constructors = {t: SafeConstructor.yaml_constructors[t] for t in (
        _NULL, _BOOL, _INT, _FLOAT, _STR, "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map")}
    yaml_constructors[None] = SafeConstructor.construct_undefined

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


class _PyEvents(Reader, Scanner, Parser):
    """PyYAML's event parser, in Python."""

    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)


def _make_loader(events: type) -> type:
    """A loader reading events from `events` (libyaml's or PyYAML's parser) into our composer."""

    class Loader(events, _GuardedComposer, _RecordConstructor, BaseResolver):  # type: ignore[valid-type, misc]
        get_single_node = Composer.get_single_node  # our composer, never libyaml's

        def __init__(self, text: str) -> None:
            events.__init__(self, text)
            _GuardedComposer.__init__(self)
            _RecordConstructor.__init__(self)
            BaseResolver.__init__(self)

    return Loader


# libyaml's event parser is about five times faster; either way only our composer builds nodes
_RecordLoader = _make_loader(_CEvents or _PyEvents)


def _read_text(path: Path, name: str) -> str:
    """The file as text, refusing it unread when it is too large."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise RecordError(name, None, None, f"a record file of {size:,} bytes is larger than the limit of "
                                            f"{MAX_FILE_BYTES:,}: split it")
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise RecordError(name, None, None, f"not UTF-8 text (byte 0x{data[exc.start]:02x})", line) from None


def parse_yaml(path: Path, name: str, loader_class: type = _RecordLoader):
    """The data of one record file, read by the guarded loader; RecordError naming the file, line,
    record and field of whatever it refuses."""
    text = _read_text(path, name)
    loader = None
    try:
        loader = loader_class(text)  # PyYAML's reader checks every character here
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        syntax_line = None if isinstance(exc, _Refused) else (mark.line if mark else -1)
        record, fld = loader.where(syntax_line) if loader else (None, None)
        problem = exc.problem if isinstance(exc, _Refused) else \
            "not valid YAML: " + ", ".join(x for x in (exc.context, exc.problem) if x)
        raise RecordError(name, record, fld, problem, mark.line + 1 if mark else None) from None
    except yaml.reader.ReaderError as exc:
        line = text[:exc.position].count("\n") + 1
        char = f" #x{exc.character:04x}" if isinstance(exc.character, int) else ""
        raise RecordError(name, None, None, f"not valid YAML: unacceptable character{char}", line) from None
    finally:
        if loader is not None:
            loader.dispose()


def _strip_lines(obj):
    if isinstance(obj, dict):
        return {k: _strip_lines(v) for k, v in obj.items() if k != "__line__"}
    if isinstance(obj, list):
        return [_strip_lines(v) for v in obj]
    return obj


def _format_validation(err: ValidationError) -> tuple[str, str]:
    first = err.errors()[0]
    loc = ".".join(str(p) for p in first["loc"] if p not in _TAGS) or "(record)"
    msg = first["msg"].removeprefix("Value error, ")
    return loc, msg


_KINDS = (("entities", Entity), ("claims", Claim))


def load_file(path: Path, display: str | None = None, kinds: tuple[str, ...] = ("entities", "claims")) -> list[Located]:
    """Parse one record file (only the lists named in `kinds`); raise RecordError(s) naming the file,
    record and field on bad input."""
    name = display or str(path)
    doc = parse_yaml(path, name)
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
