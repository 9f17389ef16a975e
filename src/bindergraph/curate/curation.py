"""Check curated records against each other, the ontology and the review text.

This is the gate curators run (`bindergraph check`): every quote must be found verbatim
(whitespace folded) in the review, every id must resolve, every cited reference must be cited in
the quoted paragraph, every figure must carry a unit and appear in its quote.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import RecordError, RecordErrors
from ..graph.ontology import CATEGORIES, TBox
from .records import Claim, Entity, Figure, Located, load_records, record_files
from .source import Review, Span, fold
from .units import Quantity, Unit, lookup, parse_quantity

REFERENCE_COUNT = 359

# relation -> (allowed subject categories, allowed object categories, semantic-layer property)
RELATION_RULES: dict[str, tuple[set[str], set[str] | None, str | None]] = {
    "has_functional_group": ({"Binder", "ChemicalEntity"}, {"FunctionalGroup"}, "hasFunctionalGroup"),
    "has_function": ({"Binder", "FunctionalGroup", "ChemicalEntity", "CellComponent"}, {"Mechanism"}, "hasFunction"),
    "applied_in": ({"Binder"}, {"ActiveMaterial", "CellComponent", "BatteryType"}, "appliedIn"),
    "processed_with": ({"Binder"}, {"Solvent", "ProcessingRoute"}, "processedWith"),
    "has_drawback": ({"Binder", "Solvent", "ProcessingRoute", "FunctionalGroup", "CellComponent"}, {"Drawback"},
                     "hasDrawback"),
    "compared_with": ({"Binder"}, {"Binder"}, "comparedWith"),
    "compatible_with": ({"Binder", "Solvent", "ChemicalEntity", "FunctionalGroup"}, None, "compatibleWith"),
    "incompatible_with": ({"Binder", "Solvent", "ChemicalEntity", "FunctionalGroup"}, None, "incompatibleWith"),
    "interacts_with": ({"Binder", "FunctionalGroup"}, None, "interactsWith"),
    "composed_of": ({"Binder", "CellComponent"}, {"Binder", "ChemicalEntity", "ActiveMaterial"}, "composedOf"),
    "measured": ({"Binder", "Solvent", "ProcessingRoute", "FunctionalGroup", "ActiveMaterial", "CellComponent"},
                 None, None),
}

CONTEXT_RULES: dict[str, set[str] | None] = {
    "active_material": {"ActiveMaterial"},
    "component": {"CellComponent"},
    "battery_type": {"BatteryType"},
    "counter_electrode": {"ActiveMaterial", "CellComponent"},
    "via_group": {"FunctionalGroup"},
    "target": None,
    "solvent": {"Solvent", "ProcessingRoute"},
    "compared_with": {"Binder"},
}


@dataclass(frozen=True)
class Ref:
    """A resolved id: an entity record or an ontology class (for general statements)."""
    id: str
    category: str
    is_class: bool = False


@dataclass(frozen=True)
class ResolvedFigure:
    metric: str
    value: float | None
    min: float | None
    max: float | None
    unit: Unit
    as_written: str
    approx: bool = False
    conditions: tuple["ResolvedFigure", ...] = ()
    of: str | None = None


# Contexts whose values pair with each subject (they derive triples about the subject: bg:appliedIn,
# bg:hasFunctionalGroup, bg:processedWith); with several subjects they follow the claim's pairing.
SUBJECT_CONTEXTS = ("active_material", "component", "battery_type", "via_group", "solvent")
ASPECT_CATEGORIES = {"Metric", "Mechanism"}


@dataclass
class ResolvedClaim:
    record: Claim
    file: str
    spans: list[Span]  # one, or the parts of a sentence a float interrupts, in text order
    section: str
    subjects: list[Ref]
    objects: list[Ref]
    context: dict[str, list[Ref]]
    conditions: list[ResolvedFigure]
    measurements: list[ResolvedFigure]
    aspect: Ref | None = None
    sources: tuple[int, ...] = ()  # references whose finding the claim reports (attribution: study)

    @property
    def span(self) -> Span:
        return self.spans[0]


@dataclass
class Curated:
    entities: dict[str, Entity]
    entity_files: dict[str, str]
    entity_spans: dict[str, Span]
    claims: list[ResolvedClaim]
    categories: dict[str, str]  # entity id -> category


@dataclass
class _Checker:
    tbox: TBox
    review: Review
    errors: list[RecordError] = field(default_factory=list)

    def fail(self, loc: Located | str, rid: str | None, fld: str | None, msg: str) -> None:
        if isinstance(loc, Located):
            self.errors.append(RecordError(loc.display, rid, fld, msg, loc.line))
        else:
            self.errors.append(RecordError(loc, rid, fld, msg))


def check_records(root: Path, tbox: TBox, review: Review, allow_empty: bool = False) -> Curated:
    """Load every record file under `root` and check it; raise RecordErrors listing every problem.
    A folder without entity or claim records is an error unless `allow_empty`: a mistyped
    `--records` must not replace the graph with an empty one."""
    located = load_records(root)
    if not allow_empty:
        _require_records(root, located)
    chk = _Checker(tbox, review)
    entities, files, cats, spans = _check_entities(chk, [l for l in located if isinstance(l.record, Entity)])
    claims = _check_claims(chk, [l for l in located if isinstance(l.record, Claim)], cats)
    if chk.errors:
        raise RecordErrors(chk.errors)
    return Curated(entities, files, spans, claims, cats)


def _require_records(root: Path, located: list[Located]) -> None:
    kinds = {type(l.record) for l in located}
    missing = [name for name, kind in (("entity", Entity), ("claim", Claim)) if kind not in kinds]
    if missing:
        what = "no record files (*.yaml)" if not record_files(root) else f"no {' and no '.join(missing)} records"
        raise RecordError(str(root), None, None, f"{what}: refusing to check or build a graph without them "
                                                 "(pass --allow-empty to accept)")


def _check_entities(chk: _Checker, located: list[Located]):
    entities: dict[str, Entity] = {}
    files: dict[str, str] = {}
    cats: dict[str, str] = {}
    spans: dict[str, Span] = {}
    for loc in located:
        e: Entity = loc.record  # type: ignore[assignment]
        if e.id in entities:
            chk.fail(loc, e.id, "id", f"duplicate entity id (first defined in {files[e.id]})")
            continue
        categories = set()
        for t in e.type:
            if not chk.tbox.is_class(t):
                chk.fail(loc, e.id, "type", f"unknown class {t!r} (not in ontology/bindergraph.ttl)")
                continue
            cat = chk.tbox.category(t)
            if cat is None:
                chk.fail(loc, e.id, "type", f"class {t!r} is not under an entity category ({', '.join(CATEGORIES)})")
            categories.add(cat)
        categories.discard(None)
        if len(categories) > 1:
            chk.fail(loc, e.id, "type", f"classes span several categories: {sorted(categories)}")
        entities[e.id] = e
        files[e.id] = loc.display
        if categories:
            cats[e.id] = categories.pop()
        if e.defined_at:
            try:
                spans[e.id] = chk.review.locate(e.defined_at)
            except ValueError as exc:
                chk.fail(loc, e.id, "defined_at", str(exc))
    by_id = {l.record.id: l for l in located}
    for eid, e in entities.items():
        for fld, values in (("broader", e.broader), ("composed_of", e.composed_of)):
            for v in values:
                if v not in entities:
                    chk.fail(by_id[eid], eid, fld, f"unknown id {v!r}")
        if e.composed_of and cats.get(eid) not in ("Binder", "CellComponent"):
            chk.fail(by_id[eid], eid, "composed_of", "only binders and cell components have constituents")
    return entities, files, cats, spans


def _resolve(chk: _Checker, loc: Located, rid: str, fld: str, ident: str, cats: dict[str, str],
             allowed: set[str] | None, allow_class: bool = False) -> Ref | None:
    if ident in cats:
        ref = Ref(ident, cats[ident])
    elif allow_class and chk.tbox.is_class(ident) and chk.tbox.category(ident):
        ref = Ref(ident, chk.tbox.category(ident), is_class=True)  # type: ignore[arg-type]
    else:
        chk.fail(loc, rid, fld, f"unknown id {ident!r}")
        return None
    if allowed is not None and ref.category not in allowed:
        chk.fail(loc, rid, fld, f"{ident!r} is a {ref.category}; expected {' or '.join(sorted(allowed))}")
        return None
    return ref


def _check_claims(chk: _Checker, located: list[Located], cats: dict[str, str]) -> list[ResolvedClaim]:
    seen: dict[str, str] = {}
    out: list[ResolvedClaim] = []
    for loc in located:
        c: Claim = loc.record  # type: ignore[assignment]
        before = len(chk.errors)
        if c.id in seen:
            chk.fail(loc, c.id, "id", f"duplicate claim id (first in {seen[c.id]})")
            continue
        seen[c.id] = loc.display
        spans = _check_quote(chk, loc, c)
        subj_allowed, obj_allowed, _ = RELATION_RULES[c.relation]
        subjects = [_resolve(chk, loc, c.id, "subject", s, cats, subj_allowed, allow_class=True) for s in c.subject]
        objects = [_resolve(chk, loc, c.id, "object", o, cats, obj_allowed) for o in c.object]
        context: dict[str, list[Ref]] = {}
        for key, allowed in CONTEXT_RULES.items():
            vals = getattr(c.context, key)
            context[key] = [_resolve(chk, loc, c.id, f"context.{key}", v, cats, allowed) for v in vals]
        quote = fold(" ".join(c.quote_parts))
        conditions = [_figure(chk, loc, c.id, f"context.conditions[{i}]", f, quote, cats)
                      for i, f in enumerate(c.context.conditions)]
        measurements = []
        for i, m in enumerate(c.measurements):
            fig = _figure(chk, loc, c.id, f"measurements[{i}]", m, quote, cats)
            conds = tuple(_figure(chk, loc, c.id, f"measurements[{i}].conditions[{j}]", cf, quote, cats)
                          for j, cf in enumerate(m.conditions))
            if fig is not None:
                measurements.append(ResolvedFigure(**{**fig.__dict__, "conditions": tuple(x for x in conds if x)}))
            if m.of is not None and m.of not in {*c.subject, *c.object, *c.context.compared_with}:
                chk.fail(loc, c.id, f"measurements[{i}].of",
                         f"{m.of!r} is not a subject, object or comparator of this claim")
        aspect = None
        if c.comparison is not None:
            aspect = _resolve(chk, loc, c.id, "comparison.aspect", c.comparison.aspect, cats, ASPECT_CATEGORIES)
        _check_pairing(chk, loc, c)
        sources = _check_attribution(chk, loc, c, spans)
        if len(chk.errors) > before or spans is None:
            continue
        out.append(ResolvedClaim(c, loc.display, spans, chk.review.section_at(spans[0].start).number,
                                 subjects, objects,  # type: ignore[arg-type]
                                 {k: v for k, v in context.items() if v},  # type: ignore[misc]
                                 [x for x in conditions if x], measurements, aspect, sources))
    _check_opposite_wins(chk, {l.record.id: l for l in located}, out)
    return out


def _check_pairing(chk: _Checker, loc: Located, c: Claim) -> None:
    """A claim with several subjects must say how they pair with several objects or contexts."""
    subjects, objects = c.subject, c.object
    ctx_lens = {k: len(getattr(c.context, k)) for k in SUBJECT_CONTEXTS}
    many_partners = len(objects) > 1 or any(n > 1 for n in ctx_lens.values())
    p = c.pairing
    if p is None:
        if len(subjects) > 1 and many_partners:
            several = "objects" if len(objects) > 1 else "context values (" + ", ".join(
                k for k, n in ctx_lens.items() if n > 1) + ")"
            chk.fail(loc, c.id, "pairing", f"{len(subjects)} subjects and several {several}: say how they pair "
                     "(pairing: all | respectively | collective | [[subject, object], ...])")
    elif p == "collective":
        if len(subjects) < 2:
            chk.fail(loc, c.id, "pairing", "`collective` is for a statement about several subjects as a group")
    elif p != "all":
        if p == "respectively" and len(subjects) != len(objects):
            chk.fail(loc, c.id, "pairing", f"`respectively` pairs subjects with objects in order, but there are "
                     f"{len(subjects)} subjects and {len(objects)} objects")
        for s, o in ([] if p == "respectively" else p):
            if s not in subjects or o not in objects:
                chk.fail(loc, c.id, "pairing", f"pair [{s}, {o}] is not a subject and an object of this claim")
        wide = [k for k, n in ctx_lens.items() if n > 1]
        if wide:
            how = "`respectively`" if p == "respectively" else "explicit pairs"
            chk.fail(loc, c.id, "pairing", f"{how} leave several {', '.join(wide)} values unpaired: split the claim")
    if c.relation == "has_function" and len(objects) > 1 and len(c.context.via_group) > 1:
        chk.fail(loc, c.id, "context.via_group", "several groups and several functions: which group serves which "
                 "function is ambiguous; split the claim")


def _check_attribution(chk: _Checker, loc: Located, c: Claim, spans: list[Span] | None) -> tuple[int, ...]:
    """A study's finding names the studies: `sources`, else the references the sentence cites."""
    if c.attribution != "study":
        return ()
    sources = tuple(c.sources or c.refs)
    if not sources:
        chk.fail(loc, c.id, "sources", "a study's finding needs the references it comes from: the sentence cites "
                 "none, so list them in `sources` (cited earlier in the section)")
    elif spans is not None and c.sources:  # `refs` (the default) are checked against the paragraph already
        sec = chk.review.section_at(spans[0].start)
        cited = chk.review.citations_in(sec.start, sec.end) | chk.review.citations_in(*chk.review.paragraph_bounds(spans[0]))
        missing = sorted(set(sources) - cited)
        if missing:
            chk.fail(loc, c.id, "sources", f"reference(s) {missing} are not cited in section {sec.number}")
    return sources


def _check_opposite_wins(chk: _Checker, by_id: dict[str, Located], claims: list[ResolvedClaim]) -> None:
    """Two head-to-head wins in opposite directions on one aspect need their own conditions each."""
    from ..graph.derive import comparison_wins

    seen: dict[tuple[str, str, str], ResolvedClaim] = {}
    for c in claims:
        if c.record.stance != "positive":
            continue
        for winner, loser in comparison_wins(c):
            key = (winner, loser, c.aspect.id)  # type: ignore[union-attr]
            seen.setdefault(key, c)
            other = seen.get((loser, winner, key[2]))
            if other is not None and not (c.conditions and other.conditions):
                chk.fail(by_id[c.record.id], c.record.id, "comparison",
                         f"{winner} beats {loser} on {key[2]} here, but {other.record.id} says the opposite; "
                         "give both claims their own conditions, or correct one")


def _check_quote(chk: _Checker, loc: Located, c: Claim) -> list[Span] | None:
    try:
        spans = chk.review.locate_parts(c.quote_parts, c.section)
    except ValueError as exc:
        chk.fail(loc, c.id, "quote", str(exc))
        return None
    if spans[-1].end > chk.review.references_start:
        chk.fail(loc, c.id, "quote", "quote is in the reference list, not the review body")
        return None
    sections = {chk.review.section_at(s.start).number for s in spans}
    if len(sections) > 1:
        chk.fail(loc, c.id, "quote", f"quote parts lie in different sections: {sorted(sections)}")
    section = chk.review.section_at(spans[0].start).number
    if c.section and section != c.section:
        chk.fail(loc, c.id, "section", f"quote is in section {section}, record says {c.section}")
    for r in [*c.refs, *c.sources]:
        if not 1 <= r <= REFERENCE_COUNT:
            chk.fail(loc, c.id, "refs", f"reference {r} is outside 1..{REFERENCE_COUNT}")
    cited_para = set().union(*(chk.review.citations_in(*chk.review.paragraph_bounds(s)) for s in spans))
    missing = sorted(r for r in set(c.refs) - cited_para if 1 <= r <= REFERENCE_COUNT)  # else reported above
    if missing:
        chk.fail(loc, c.id, "refs", f"reference(s) {missing} are not cited in the quoted paragraph")
    in_quote = set().union(*(chk.review.citations_in(s.start, s.end) for s in spans))
    unlisted = sorted(in_quote - set(c.refs))
    if unlisted:
        chk.fail(loc, c.id, "refs", f"the quote cites {unlisted} but `refs` does not list them")
    return spans


def _figure(chk: _Checker, loc: Located, rid: str, fld: str, fig: Figure | str, quote: str,
            cats: dict[str, str]) -> ResolvedFigure | None:
    if isinstance(fig, str):
        try:
            q: Quantity = parse_quantity(fig)
        except ValueError as exc:
            chk.fail(loc, rid, fld, str(exc))
            return None
        metric, value, lo, hi, unit, written, approx = q.metric, q.value, q.min, q.max, q.unit, q.as_written, False
        of = None
    else:
        try:
            unit = lookup(fig.unit)
        except KeyError as exc:
            chk.fail(loc, rid, fld + ".unit", str(exc.args[0]))
            return None
        metric, value, lo, hi, written, approx = fig.metric, fig.value, fig.min, fig.max, fig.as_written, fig.approx
        of = fig.of
    if metric not in cats or cats[metric] != "Metric":
        chk.fail(loc, rid, fld + ".metric", f"unknown metric {metric!r} (add it to entities/metrics.yaml)")
        return None
    if fold(written) not in quote:
        chk.fail(loc, rid, fld + ".as_written", f"{written!r} does not appear in the quote")
        return None
    problem = None if isinstance(fig, str) else disagreement(fig, unit)  # a parsed condition agrees by construction
    if problem is not None:
        chk.fail(loc, rid, fld + "." + problem[0], problem[1])
        return None
    return ResolvedFigure(metric, value, lo, hi, unit, fold(written), approx, of=of)


# ------------------------------------------------------------------ figures agree with their text
# `as_written` is read into numbers, each with the unit written after it (or after the number that
# ends its range: "2–35 nm"), and every bound of the figure must be one of them in the figure's unit,
# or in the same unit with another SI prefix ("6 Ah g⁻¹" = 6000 mAh/g). Unrecognised words after a
# number ("2 times", "1% Darvan") constrain no unit; a ratio "20:3" states the quotient of a unitless figure.
_LATEX = ((r"\text{--}", "–"), (r"\text{-}", "-"), (r"\%", "%"), (r"^{\circ}", "°"), (r"^\circ", "°"),
          (r"\sim", "~"), (r"\approx", "≈"), (r"\times", "×"), (r"\mu", "µ"), ("$", ""), ("μ", "µ"),
          ("℃", "°C"), ("−", "-"))
_SUPERSCRIPT = re.compile(r"\s*([⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)")
_NUMBER = re.compile(r"(?<![\w^.])(?<!\^-)(?:10\^(?P<pow>[-+]?\d+)|(?P<m>\d{1,3}(?: \d{3})+(?![\d.])|\d+(?:\.\d+)?|\.\d+)"
                     r"(?:\s*×\s*10\^(?P<e>[-+]?\d+))?)")
_RATIO = re.compile(r"(?<![\w^.])(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)(?![\w.])")
_NONE = re.compile(r"\bno\b", re.I)  # "no capacity decay": 0
_CONNECTOR = {"", "–", "-", "to", "and", "or"}  # between the numbers of a range
_PREFIXES = {"": 1.0, "k": 1e3, "m": 1e-3, "µ": 1e-6, "n": 1e-9}


@dataclass(frozen=True)
class _Written:
    """A number read in `as_written`, with the words after it that may name its unit."""
    number: float
    unit_words: tuple[str, ...] = ()
    ratio: bool = False


def _plain(text: str) -> str:
    """as_written without LaTeX and superscripts: "$2.23 \\times 10^{-5} \\text{ S cm}^{-1}$" → "2.23 × 10^-5 S cm^-1"."""
    for a, b in _LATEX:
        text = text.replace(a, b)
    text = re.sub(r"\\text\{([^}]*)\}", r"\1", text)
    text = re.sub(r"([_^])\{([^}]*)\}", r"\1\2", text)
    text = _SUPERSCRIPT.sub(lambda m: "^" + m.group(1).translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")), text)
    text = re.sub(r"\s+\^", "^", text)
    text = re.sub(r"µ\s+(?=m\b)", "µ", text)
    return " ".join(text.split())


def _number(m: re.Match, text: str) -> float:
    if m.group("pow") is not None:
        value = float("1e" + m.group("pow"))
    else:
        value = float(m.group("m").replace(" ", "") + ("e" + m.group("e") if m.group("e") else ""))
    start = m.start()
    signed = start > 0 and text[start - 1] == "-" and (start == 1 or text[start - 2] in " (=~<>≈≥≤")
    return -value if signed else value


def _unit_words(between: str) -> tuple[str, ...]:
    """Candidate unit texts at the start of `between` (the text up to the next number), longest first."""
    t = re.sub(r"^(?:st|nd|rd|th)\b", "", between.strip()).lstrip("-").replace("^", "")  # 1 000th, 37-µm
    words = [w.strip(",;:()–-") for w in t.split()[:3]]
    return tuple(" ".join(words[:n]) for n in range(len(words), 0, -1) if all(words[:n]))


def read_written(as_written: str) -> list[_Written]:
    """The numbers `as_written` states, each with the words that may name its unit."""
    text = _plain(as_written)
    matches = list(_NUMBER.finditer(text))
    out: list[_Written] = []
    following: tuple[str, ...] = ()
    for i in range(len(matches) - 1, -1, -1):  # backwards: the start of a range takes the unit of its end
        m = matches[i]
        between = text[m.end():matches[i + 1].start() if i + 1 < len(matches) else len(text)]
        if between.strip(" ,") not in _CONNECTOR:
            following = _unit_words(between)
        out.append(_Written(_number(m, text), following))
    out += [_Written(float(a) / float(b), ratio=True) for a, b in _RATIO.findall(text) if float(b)]
    out += [_Written(0.0) for _ in _NONE.finditer(text)]
    return out


def _known_unit(text: str) -> Unit | None:
    try:
        return parse_quantity("1 " + text).unit
    except ValueError:
        return None


def _scale(words: tuple[str, ...], unit: Unit) -> float | None:
    """The factor from the unit written in `words` to `unit` (1: the same unit; 1000: Ah written, mAh
    recorded); None where a different unit is written; 1 where no unit is recognised."""
    for text in words:
        for p_text, f_text in _PREFIXES.items():
            for p_unit, f_unit in _PREFIXES.items():
                if text.startswith(p_text) and unit.symbol.startswith(p_unit):
                    same = _known_unit(p_unit + text[len(p_text):])
                    if same is not None and same.iri == unit.iri:
                        return f_text / f_unit
        if _known_unit(text) is not None:
            return None
    return 1.0


def disagreement(fig: Figure, unit: Unit) -> tuple[str, str] | None:
    """(field, message) where the figure's numbers or unit differ from its `as_written` text."""
    written = read_written(fig.as_written)
    for name in ("value", "min", "max"):
        v = getattr(fig, name)
        if v is None:
            continue
        if any(_states(w, v, unit) for w in written):
            continue
        if any(math.isclose(w.number, v, rel_tol=1e-9) for w in written):
            return "unit", f"unit {fig.unit!r} does not agree with as_written {fig.as_written!r}"
        return name, f"{name} {v:g} is not a number as_written {fig.as_written!r} states"
    return None


def _states(w: _Written, v: float, unit: Unit) -> bool:
    if w.ratio:  # a quotient the curator rounded: 20:3 → 6.667
        return unit.symbol == "1" and math.isclose(w.number, v, rel_tol=1e-3)
    factor = _scale(w.unit_words, unit)
    return factor is not None and math.isclose(w.number * factor, v, rel_tol=1e-9)
