"""Parse the review's numbered reference list into Reference records.

The markdown rendering mixes "- " bullets (numbers lost) and "N. " items, and a page break can
split one entry over two bullets. Entries are therefore numbered by position, explicit numbers are
checked against that count, and a bullet that does not start like an author list continues the
previous entry.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .source import Review

_ITEM = re.compile(r"^\s*(?:- |(\d+)\. )(.*)$")
_AUTHOR_START = re.compile(r"^[A-ZÀ-Ý][\w'’\-]+(?: [\w'’\-]+)*, (?:[A-ZÀ-Ý][a-zà-ÿ]?\.)")
_DOI = re.compile(r"<https?://(?:dx\.)?doi\.org/([^>\s]+)>")
_URL = re.compile(r"<(https?://[^>\s]+)>")
_YEAR = re.compile(r"\((?:[^()]*?\s)?((?:19|20)\d{2})\)")
_ANY_YEAR = re.compile(r"\b((?:19|20)\d{2})\b")


@dataclass(frozen=True)
class Reference:
    number: int
    text: str
    authors: str | None
    title: str | None
    venue: str | None
    year: int | None
    doi: str | None
    url: str | None
    line: int


class ReferenceListError(ValueError):
    pass


def parse_references(review: Review) -> list[Reference]:
    text = review.text[review.references_start:]
    first_line = review.line_of(review.references_start)
    raw: list[tuple[int | None, str, int]] = []  # (explicit number, text, line)
    for offset, line in enumerate(text.splitlines()):
        m = _ITEM.match(line)
        if not m:
            continue
        number, body = m.group(1), m.group(2).strip()
        if number is None and raw and not _AUTHOR_START.match(body) and not _complete(raw[-1][1]):
            # a page break split the previous entry: this bullet continues it
            raw[-1] = (raw[-1][0], raw[-1][1] + " " + body, raw[-1][2])
            continue
        raw.append((int(number) if number else None, body, first_line + offset))
    refs = []
    for position, (explicit, body, line) in enumerate(raw, start=1):
        if explicit is not None and explicit != position:
            raise ReferenceListError(f"reference at line {line} is numbered {explicit} but is entry {position}")
        refs.append(_parse_entry(position, body, line))
    return refs


def _complete(entry: str) -> bool:
    """An entry is complete once it has its year or link at the end."""
    return bool(_DOI.search(entry) or _URL.search(entry) or re.search(r"\((?:19|20)\d{2}\)\.?$", entry))


def _parse_entry(number: int, body: str, line: int) -> Reference:
    doi_m = _DOI.search(body)
    url_m = _URL.search(body)
    head, _, rest = body.partition(": ")
    authors = head.strip() if rest and _AUTHOR_START.match(head + ".") or re.search(r"[A-Z]\.$", head) else None
    title = venue = None
    if authors:
        title_part = rest
        venue_m = re.search(r"\*([^*]+)\*", rest)
        if venue_m:
            title_part = rest[: venue_m.start()]
            venue = venue_m.group(1).strip()
        title = title_part.strip().rstrip(".").strip() or None
    year_m = _YEAR.search(body) or _ANY_YEAR.search(body)
    return Reference(
        number=number,
        text=body,
        authors=authors,
        title=title,
        venue=venue,
        year=int(year_m.group(1)) if year_m else None,
        doi=doi_m.group(1).rstrip(".") if doi_m else None,
        url=url_m.group(1) if url_m and not doi_m else None,
        line=line,
    )
