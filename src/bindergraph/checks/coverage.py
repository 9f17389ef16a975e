"""`bindergraph coverage`: how completely the graph covers the review.

(a) abbreviation-like tokens near the word "binder" that no entity of the graph is named by (label or
alternative label) and that the ignore list does not explain, with line numbers; (b) which binders of
the graph the text names, and how often; (c) claims per section; (d) claims per attribution kind
(reported finding, review synthesis, background) and per stance.
"""
from __future__ import annotations

import re
import textwrap
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..curate.source import Review
from ..errors import RecordError
from ..query.engine import BGR, PREFIXES, Engine, Term
from ..query.results import Report, table_of, terminal_width

# Abbreviation-like: at least two capitals, or a capital and a digit, e.g. PVDF, P(AN-MA), PEDOT:PSS, Li2S.
_TOKEN = re.compile(r"(?<![\w(])([A-Z][A-Za-z0-9]*(?:[-:/()][A-Za-z0-9]+\)?)*)(?![\w])")
_NEAR = 80  # characters either side of "binder"


def _clean(text: str) -> str:
    """Drop markdown/LaTeX decoration so that "P(STFSiLi)-*b*-PEO" reads as written in labels."""
    text = re.sub(r"\\text\{([^}]*)\}", r"\1", text)
    return re.sub(r"[*$_{}]", "", text)


def _is_abbreviation(tok: str) -> bool:
    if re.fullmatch(r"[A-Z][a-z]+(?:-[A-Za-z][a-z]*)+", tok):  # words of a heading, e.g. State-of-the-Art
        return False
    caps = sum(c.isupper() for c in tok)
    return len(tok) >= 2 and (caps >= 2 or (caps >= 1 and any(c.isdigit() for c in tok)))


def _explained(tok: str, known: set[str], ignore: dict[str, str]) -> str | None:
    """The known name or ignored token that explains `tok` (plurals, "-based", "A/B" and "A:B" pairs)."""
    for variant in (tok, tok.removesuffix("s"), tok.removesuffix("-based")):
        if variant.lower() in known or variant in ignore:
            return variant
    parts = [p for p in re.split(r"[/:]", tok) if p and not p.islower()]  # "AM/binder": plain words pass
    if len(re.split(r"[/:]", tok)) > 1 and all(_explained(p, known, ignore) for p in parts):
        return tok
    return None


@dataclass
class CoverageReport:
    missing: dict[str, list[int]] = field(default_factory=dict)   # token -> line numbers
    ignored: dict[str, str] = field(default_factory=dict)          # token -> reason (used)
    binders_in_text: dict[str, int] = field(default_factory=dict)  # binder id -> mentions
    binders_not_in_text: list[str] = field(default_factory=list)
    claims_per_section: list[tuple[str, str, int]] = field(default_factory=list)
    claims_per_attribution: list[tuple[str, int, int]] = field(default_factory=list)  # kind, claims, sources
    claims_per_stance: dict[str, int] = field(default_factory=dict)

    def render(self) -> str:
        out = [f"Binders of the graph named in the text: {len(self.binders_in_text)}"
               f" ({sum(self.binders_in_text.values())} mentions)"]
        if self.binders_not_in_text:
            out.append(f"Binders of the graph not named verbatim in the text ({len(self.binders_not_in_text)}): "
                       + ", ".join(self.binders_not_in_text))
        out.append(f"Abbreviations near 'binder' explained by the ignore list: {len(self.ignored)}")
        if self.missing:
            out.append(f"UNEXPLAINED tokens near 'binder', absent from the graph ({len(self.missing)}):")
            out += [f"  {tok:24s} lines {', '.join(map(str, lines[:8]))}" for tok, lines in sorted(self.missing.items())]
        else:
            out.append("No unexplained binder-like token: every abbreviation near 'binder' is in the graph or ignored.")
        out.append("Claims per section:")
        out += [f"  {num:6s} {count:5d}  {title}" for num, title, count in self.claims_per_section]
        out.append("Claims per attribution (whose finding it is):")
        out += [f"  {kind:22s} {count:5d}" + (f"  ({sources} distinct primary studies)" if sources else "")
                for kind, count, sources in self.claims_per_attribution]
        out.append("Claims per stance: " + ", ".join(f"{k} {v}" for k, v in sorted(self.claims_per_stance.items())))
        width = terminal_width()  # long lists wrap, indented
        return "".join(textwrap.fill(line, width, subsequent_indent="    ") + "\n" for line in out)

    def output(self) -> Report:
        """The text, and every count behind it as tables (binders as IRIs, so that CSV/JSON add their labels)."""
        def binder(ident: str) -> Term:
            return Term("uri", BGR + ident)

        tables = {
            "binders-in-text": table_of(["binder", "mentions"], [(binder(b), n) for b, n in self.binders_in_text.items()]),
            "binders-not-in-text": table_of(["binder"], [(binder(b),) for b in self.binders_not_in_text]),
            "unexplained-tokens": table_of(["token", "lines"], [(t, " ".join(map(str, lines)))
                                                                for t, lines in sorted(self.missing.items())]),
            "ignored-tokens": table_of(["token", "reason"], sorted(self.ignored.items())),
            "claims-per-section": table_of(["section", "title", "claims"], self.claims_per_section),
            "claims-per-attribution": table_of(["attribution", "claims", "primarySources"], self.claims_per_attribution),
            "claims-per-stance": table_of(["stance", "claims"], sorted(self.claims_per_stance.items())),
        }
        return Report(self.render(), tables)


def load_ignore(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RecordError(str(path), None, None, f"not valid YAML{f' at line {mark.line + 1}' if mark else ''}") from None
    entries = doc.get("ignore", {}) if isinstance(doc, dict) else None
    if not isinstance(entries, dict):
        raise RecordError(str(path), None, "ignore", "must be a mapping token -> reason")
    for tok, reason in entries.items():
        if not isinstance(reason, str) or not reason.strip():
            raise RecordError(str(path), str(tok), "reason", "every ignored token needs a reason")
    return {str(k): v for k, v in entries.items()}


def _names(engine: Engine) -> tuple[dict[str, set[str]], set[str]]:
    rows = engine.select(PREFIXES + """SELECT ?e ?n ?binder WHERE {
        { ?e rdfs:label ?n } UNION { ?e skos:altLabel ?n }
        FILTER(STRSTARTS(STR(?e), "https://w3id.org/bindergraph/resource/"))
        OPTIONAL { ?e a bg:Binder . FILTER NOT EXISTS { ?e a bg:GenericBinderFamily } BIND(true AS ?binder) } }""").rows
    binder_names: dict[str, set[str]] = defaultdict(set)
    all_names: set[str] = set()
    for r in rows:
        name = _clean(r["n"].value)
        all_names.add(name.lower())
        if "binder" in r:
            binder_names[r["e"].value.rsplit("/", 1)[-1]].add(name)
    return binder_names, all_names


def compute_coverage(engine: Engine, review: Review, ignore: dict[str, str]) -> CoverageReport:
    body = review.text[: review.references_start]
    clean_lines = [_clean(line) for line in body.splitlines()]
    binder_names, all_names = _names(engine)
    report = CoverageReport()
    # (b) binders named in the text
    text = "\n".join(clean_lines)
    for bid, names in sorted(binder_names.items()):
        hits = sum(len(re.findall(r"(?<![\w-])" + re.escape(n) + r"(?![\w-])", text)) for n in names if len(n) > 1)
        if hits:
            report.binders_in_text[bid] = hits
        else:
            report.binders_not_in_text.append(bid)
    # (a) abbreviation-like tokens near "binder"
    missing: dict[str, list[int]] = defaultdict(list)
    for lineno, line in enumerate(clean_lines, start=1):
        for m in re.finditer(r"binder", line, re.I):
            window = line[max(0, m.start() - _NEAR): m.end() + _NEAR]
            for tok in _TOKEN.findall(window):
                tok = tok.rstrip(")") if tok.count("(") < tok.count(")") else tok
                if not _is_abbreviation(tok):
                    continue
                why = _explained(tok, all_names, ignore)
                if why is not None:
                    if why in ignore:
                        report.ignored[why] = ignore[why]
                    continue
                if lineno not in missing[tok]:
                    missing[tok].append(lineno)
    report.missing = dict(missing)
    # (c) claims per section
    rows = engine.select(PREFIXES + """SELECT ?n ?t (COUNT(?c) AS ?k) WHERE { ?s a bg:ReviewSection ;
        bg:sectionNumber ?n ; rdfs:label ?t . OPTIONAL { ?c bg:inSection ?s } } GROUP BY ?n ?t""").rows
    order = {s.number: i for i, s in enumerate(review.sections)}
    report.claims_per_section = sorted(((r["n"].value, r["t"].value, int(r["k"].value)) for r in rows),
                                       key=lambda x: order.get(x[0], 999))
    # (d) claims per attribution kind and per stance
    rows = engine.select(PREFIXES + """SELECT ?label (COUNT(DISTINCT ?c) AS ?k) (COUNT(DISTINCT ?r) AS ?n) WHERE {
        ?kind rdfs:subClassOf bg:Claim ; rdfs:label ?label . ?c a ?kind . OPTIONAL { ?c prov:hadPrimarySource ?r } }
        GROUP BY ?label""").rows
    report.claims_per_attribution = sorted(((r["label"].value, int(r["k"].value), int(r["n"].value)) for r in rows),
                                           key=lambda x: -x[1])
    rows = engine.select(PREFIXES + "SELECT ?s (COUNT(?c) AS ?k) WHERE { ?c bg:stance ?s } GROUP BY ?s").rows
    report.claims_per_stance = {r["s"].value: int(r["k"].value) for r in rows}
    return report
