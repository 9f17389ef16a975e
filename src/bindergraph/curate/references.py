"""Parse the review's numbered reference list into Reference records.

The markdown rendering mixes "- " bullets (numbers lost) and "N. " items, and a page break can
split one entry over two bullets. Entries are therefore numbered by position, explicit numbers are
checked against that count, and a bullet that does not start like an author list continues the
previous entry.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .source import Review, cited_numbers

_ITEM = re.compile(r"^\s*(?:- |(\d+)\. )(.*)$")
_AUTHOR_START = re.compile(r"^[A-ZÀ-Ý][\w'’\-]+(?: [\w'’\-]+)*, (?:[A-ZÀ-Ý][a-zà-ÿ]?\.)")
# a DOI link as <https://doi.org/…>, or as a Markdown link whose text escapes parentheses:
# [https://doi.org/10.1016/S0167-2738\(02\)00889-5](https://doi.org/10.1016/S0167-2738(02)00889-5)
_DOI = re.compile(r"<https?://(?:dx\.)?doi\.org/([^>\s]+)>|\[https?://(?:dx\.)?doi\.org/([^\]\s]+)\]\(")
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


def _doi(m: re.Match) -> str:
    return (m.group(1) or m.group(2).replace("\\(", "(").replace("\\)", ")")).rstrip(".")


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
        doi=_doi(doi_m) if doi_m else None,
        url=url_m.group(1) if url_m and not doi_m else None,
        line=line,
    )


# ------------------------------------------------------------------------------- shared authorship
_AUTHOR = re.compile(r"([^,]+?), ((?:[A-ZÀ-Ý][a-zà-ÿ]?\.-?)+)(?:,|$)")
# "Bruce et al. [132, 133]", "Creager's group [113]": the review names one researcher for several works
_GROUP_PHRASE = re.compile(r"[A-Z][\w-]+(?:'s group| et al\.| and co-?workers)\s*\[([0-9][0-9,\s–-]*)\]")


def listed_authors(ref: Reference) -> frozenset[str]:
    """The authors the reference list names (it gives up to three, then "et al."), as "Surname, I.J."."""
    if not ref.authors:
        return frozenset()
    return frozenset(f"{m.group(1).strip()}, {m.group(2)}" for m in _AUTHOR.finditer(ref.authors.replace(", et al.", "")))


def shared_authorship(review: Review, refs: list[Reference]) -> set[tuple[int, int]]:
    """Pairs (a < b) of references that are not independent work: they share a listed author (surname and
    initials), or the review names one researcher for both ("Bruce et al. [132, 133]"). The reference list
    omits authors after the third, so two papers of one group can still look independent."""
    pairs: set[tuple[int, int]] = set()
    authors = {r.number: listed_authors(r) for r in refs}
    numbers = sorted(authors)
    for i, a in enumerate(numbers):
        for b in numbers[i + 1:]:
            if authors[a] & authors[b]:
                pairs.add((a, b))
    for m in _GROUP_PHRASE.finditer(review.text, 0, review.references_start):
        group = sorted(cited_numbers(f"[{m.group(1)}]"))
        pairs.update((a, b) for i, a in enumerate(group) for b in group[i + 1:])
    return pairs
