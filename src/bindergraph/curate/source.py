"""The review text: sections, whitespace-folded quote lookup and citation brackets.

Offsets are Python string indices (Unicode code points) into the shipped, byte-identical copy
of the review, which is what `oa:start` / `oa:end` count.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

REVIEW_DOI = "10.1007/s41918-023-00198-2"
REVIEW_IRI = f"https://doi.org/{REVIEW_DOI}"
REVIEW_TITLE = "Exploring More Functions in Binders for Lithium Batteries"

_WS = re.compile(r"\s+")
_HEADING = re.compile(r"^(\d+(?:\.\d+)*) ([A-Z][^\n]{2,90})$", re.M)
_BRACKET = re.compile(r"\[([0-9][0-9,\s–-]*)\]")


def fold(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends."""
    return _WS.sub(" ", text).strip()


@dataclass(frozen=True)
class Section:
    number: str  # "3.1.1", or "0" for the front matter and abstract
    title: str
    start: int
    end: int


@dataclass(frozen=True)
class Float:
    """A figure caption or table: the raw (start, end) of each of its lines, and the section that cites it."""
    label: str  # "Fig. 5", "Table 1"
    section: str
    lines: tuple[tuple[int, int], ...]

    def contains(self, offset: int) -> bool:
        return any(s <= offset < e for s, e in self.lines)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    exact: str  # raw text between start and end, whitespace as in the review


class QuoteError(ValueError):
    """A quote that cannot be located (or located unambiguously) in the review."""


@dataclass
class Review:
    text: str
    path: Path | None = None
    float_specs: list[dict] = field(default_factory=list, repr=False)  # data/source/floats.yaml, see Review.floats
    _folded: str = field(init=False, repr=False)
    _fmap: list[int] = field(init=False, repr=False)  # folded index -> raw index

    def __post_init__(self) -> None:
        chars, fmap = [], []
        in_ws = True  # drop leading whitespace
        for i, ch in enumerate(self.text):
            if ch.isspace():
                if not in_ws:
                    chars.append(" ")
                    fmap.append(i)
                in_ws = True
            else:
                chars.append(ch)
                fmap.append(i)
                in_ws = False
        self._folded = "".join(chars)
        self._fmap = fmap

    @classmethod
    def load(cls, path: Path) -> "Review":
        """The review text, with the float layout (floats.yaml) beside it when there is one."""
        floats = path.with_name("floats.yaml")
        specs = yaml.safe_load(floats.read_text(encoding="utf-8"))["floats"] if floats.is_file() else []
        return cls(path.read_text(encoding="utf-8"), path, specs)

    # ------------------------------------------------------------------ structure
    @cached_property
    def references_start(self) -> int:
        m = re.search(r"^References$", self.text, re.M)
        return m.start() if m else len(self.text)

    @cached_property
    def sections(self) -> list[Section]:
        heads = [(m.start(), m.group(1), m.group(2).strip())
                 for m in _HEADING.finditer(self.text, 0, self.references_start)]
        out, starts = [], [0] + [h[0] for h in heads]
        names = [("0", "Front matter and abstract")] + [(h[1], h[2]) for h in heads]
        ends = starts[1:] + [self.references_start]
        for (num, title), s, e in zip(names, starts, ends):
            out.append(Section(num, title, s, e))
        out.append(Section("refs", "References", self.references_start, len(self.text)))
        return out

    @cached_property
    def floats(self) -> list[Float]:
        """Figure captions and tables, located by the beginnings of their lines (floats.yaml)."""
        out = []
        for spec in self.float_specs:
            lines = []
            for begin in spec["lines"]:
                starts = [m.start() for m in re.finditer("^" + re.escape(begin), self.text, re.M)]
                if len(starts) != 1:
                    raise ValueError(f"floats.yaml: {spec['label']}: line beginning {begin!r} "
                                     f"starts {len(starts)} lines of the review, not one")
                end = self.text.find("\n", starts[0])
                lines.append((starts[0], len(self.text) if end == -1 else end))
            out.append(Float(spec["label"], str(spec["section"]), tuple(lines)))
        return out

    def float_at(self, offset: int) -> Float | None:
        return next((f for f in self.floats if f.contains(offset)), None)

    def section_at(self, offset: int) -> Section:
        """The section a position belongs to: a float's own section, else the section it is printed in."""
        flt = self.float_at(offset)
        if flt is not None:
            return self.section(flt.section)
        idx = bisect_right([s.start for s in self.sections], offset) - 1
        return self.sections[max(idx, 0)]

    def section(self, number: str) -> Section:
        for s in self.sections:
            if s.number == number:
                return s
        raise KeyError(number)

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    # ------------------------------------------------------------------ quotes
    def find_all(self, quote: str) -> list[Span]:
        q = fold(quote)
        if not q:
            return []
        spans, pos = [], self._folded.find(q)
        while pos != -1:
            start = self._fmap[pos]
            end = self._fmap[pos + len(q) - 1] + 1
            spans.append(Span(start, end, self.text[start:end]))
            pos = self._folded.find(q, pos + 1)
        return spans

    def locate(self, quote: str, section: str | None = None) -> Span:
        """The unique span whose folded text equals the folded quote (within `section` if given)."""
        spans = self.find_all(quote)
        if section is not None:
            spans = [s for s in spans if self.section_at(s.start).number == section
                     or self.section_at(s.start).number.startswith(section + ".")]
        if not spans:
            where = f" in section {section}" if section else ""
            raise QuoteError(f"quote not found verbatim{where} (whitespace folded): {_short(quote)!r}")
        if len(spans) > 1:
            raise QuoteError(f"quote occurs {len(spans)} times; lengthen it to make it unique: {_short(quote)!r}")
        return spans[0]

    def locate_parts(self, parts: list[str], section: str | None = None) -> list[Span]:
        """The spans of a sentence that a float (caption or table) interrupts: each part is located like a
        quote, in order, and only whitespace and float lines may lie between one part and the next."""
        spans = [self.locate(p, section) for p in parts]
        for i, (a, b) in enumerate(zip(spans, spans[1:]), start=2):
            if b.start < a.end:
                raise QuoteError(f"quote part {i} does not follow part {i - 1} in the review")
            gap = "".join(ch for pos, ch in enumerate(self.text[a.end:b.start], start=a.end)
                          if self.float_at(pos) is None)
            if gap.strip():
                raise QuoteError(f"between quote parts {i - 1} and {i} the review has text that is not a figure "
                                 f"caption or table: {_short(gap)!r} (quote it, or make separate claims)")
        return spans

    # ------------------------------------------------------------------ citations
    def paragraph_bounds(self, span: Span) -> tuple[int, int]:
        """The raw lines the span touches (a paragraph, or a table row)."""
        start = self.text.rfind("\n", 0, span.start) + 1
        end = self.text.find("\n", span.end)
        return start, (len(self.text) if end == -1 else end)

    def citations_in(self, start: int, end: int) -> set[int]:
        return cited_numbers(self.text[start:end])


def cited_numbers(text: str) -> set[int]:
    """Reference numbers cited in brackets, expanding ranges: "[108–110]" -> {108, 109, 110}."""
    nums: set[int] = set()
    for m in _BRACKET.finditer(text):
        for part in m.group(1).split(","):
            part = part.strip()
            if not part:
                continue
            bounds = re.split(r"\s*[–-]\s*", part)
            try:
                lo, hi = int(bounds[0]), int(bounds[-1])
            except ValueError:
                continue
            if hi - lo > 60 or hi < lo:  # not a citation range
                continue
            nums.update(range(lo, hi + 1))
    return nums


def _short(text: str, n: int = 90) -> str:
    text = fold(text)
    return text if len(text) <= n else text[: n - 1] + "…"
