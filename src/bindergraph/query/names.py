"""Names: how a user's id, label or class name meets the graph's, with a did-you-mean hint."""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from ..errors import QueryError
from .engine import BGR, PREFIXES, Engine, Term, _check_iri

# How a user's name meets the graph's: ids, labels and alternative labels, compared on a key that
# ignores case, the micro sign (µ U+00B5 is NFKC-equal to μ U+03BC), superscripts (Li⁺ = Li+,
# Mn²⁺ = Mn2+), dash variants and LaTeX-like ^{...}; then, failing that, on a looser key without
# spaces, hyphens and punctuation ("self-healing binder" = SelfHealingBinder). A name that is still
# unknown gets the closest ones as a hint (difflib).
DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2212"})
ONTOLOGY = "https://w3id.org/bindergraph/ontology#"


def name_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(DASHES).casefold()
    return " ".join(re.sub(r"[\^{}]", "", text).split())


def loose_key(text: str) -> str:
    return re.sub(r"[\s\-_.,:;/()\[\]·]", "", name_key(text))


def local_name(iri: str) -> str:
    return re.split(r"[/#]", iri)[-1]


@dataclass(frozen=True)
class Name:
    iri: str
    text: str   # an id, label or alternative label, as written
    shown: str  # how a hint names its owner: "PVDF (poly(vinylidene fluoride))"
    key: str
    loose: str

    @classmethod
    def of(cls, iri: str, text: str, shown: str) -> "Name":
        return cls(iri, text, shown, name_key(text), loose_key(text))


def find_name(value: str, *sources: list[Name]) -> tuple[int, str] | None:
    """Which source (its index) and IRI a name stands for: by key in each source in turn, then by loose
    key in each (an exact class name beats an individual's loose match); None if none; an error if a
    source holds several."""
    for attr, key in (("key", name_key), ("loose", loose_key)):
        k = key(value)
        for i, names in enumerate(sources):
            hits = sorted({n.iri for n in names if getattr(n, attr) == k})
            if len(hits) > 1:
                raise QueryError(f"{value!r} names several things: {', '.join(local_name(h) for h in hits)}; "
                                 "give one of these ids")
            if hits:
                return i, hits[0]
    return None


def did_you_mean(value: str, names: list[Name], cutoff: float = 0.6) -> str:
    """"; did you mean X (label), Y?" with the closest names (at most three, near the best), or ""."""
    k, best = name_key(value), {}
    for n in names:
        ratio = difflib.SequenceMatcher(None, k, n.key).ratio()
        if ratio >= cutoff and ratio > best.get(n.shown, 0.0):
            best[n.shown] = ratio
    if not best:
        return ""
    top = max(best.values())
    picks = sorted((s for s, r in best.items() if r >= top - 0.1), key=lambda s: (-best[s], s))[:3]
    return f"; did you mean {', '.join(picks)}?"


def _cached(engine: Engine, key: str, compute) -> list[Name]:
    """Names read from the graph once per engine (the graph does not change under a running engine). An
    endpoint that refuses the whole list (a row cap) leaves exact ids and labels to the direct lookups."""
    cache = engine.__dict__.setdefault("_names_cache", {})
    if key not in cache:
        try:
            cache[key] = compute()
        except QueryError:
            cache[key] = []
    return cache[key]


def entity_names(engine: Engine) -> list[Name]:
    """Every named individual's id, label and alternative labels."""
    def compute() -> list[Name]:
        rows = engine.select(PREFIXES + """SELECT ?e ?label ?n WHERE {
            ?e a owl:NamedIndividual ; rdfs:label ?label .
            FILTER(STRSTARTS(STR(?e), "https://w3id.org/bindergraph/resource/"))
            { ?e rdfs:label ?n } UNION { ?e skos:altLabel ?n } }""").rows
        labels = {r["e"].value: r["label"].value for r in rows}
        shown = {iri: _shown(local_name(iri), label) for iri, label in labels.items()}
        return ([Name.of(r["e"].value, r["n"].value, shown[r["e"].value]) for r in rows]
                + [Name.of(iri, local_name(iri), shown[iri]) for iri in labels])
    return _cached(engine, "entities", compute)


def class_names(engine: Engine) -> list[Name]:
    """Every bg: class's name (CamelCase), label and alternative labels."""
    def compute() -> list[Name]:
        rows = engine.select(PREFIXES + """SELECT ?c ?label ?n WHERE {
            ?c a owl:Class . FILTER(STRSTARTS(STR(?c), "https://w3id.org/bindergraph/ontology#"))
            OPTIONAL { ?c rdfs:label ?label }
            OPTIONAL { { ?c rdfs:label ?n } UNION { ?c skos:altLabel ?n } } }""").rows
        shown = {r["c"].value: _shown(local_name(r["c"].value), r["label"].value if "label" in r else "")
                 for r in rows}
        return ([Name.of(r["c"].value, r["n"].value, shown[r["c"].value]) for r in rows if "n" in r]
                + [Name.of(iri, local_name(iri), s) for iri, s in shown.items()])
    return _cached(engine, "classes", compute)


def _shown(ident: str, label: str) -> str:
    """PVDF (poly(vinylidene fluoride)); a label that starts with the id stands alone: anode (negative electrode)."""
    if not label or name_key(label).startswith(name_key(ident)):
        return label or ident
    return f"{ident} ({label})"


def find_entity(engine: Engine, value: str) -> Term | None:
    """An individual by id, CURIE or label as written, else by the keys above."""
    exact = _entity_as_written(engine, value)
    if exact:
        return exact
    found = find_name(value.removeprefix("bgr:"), entity_names(engine))
    return Term("uri", found[1]) if found else None


def _entity_as_written(engine: Engine, value: str) -> Term | None:
    """An individual by id or CURIE, or by a label as the graph writes it (any case): one lookup each,
    which is all that a remote endpoint with a row cap may allow."""
    ident = value.removeprefix("bgr:")
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._+-]*", ident):
        iri = Term("uri", BGR + ident)
        if engine._exists(iri):
            return iri
    if not ident.isascii():  # some stores (Virtuoso) fail string equality on non-ASCII text: keys compare it here
        return None
    hits = engine.select(PREFIXES + """SELECT DISTINCT ?e ?v WHERE {
        { ?e rdfs:label ?l } UNION { ?e skos:altLabel ?l }
        FILTER(STRSTARTS(STR(?e), "https://w3id.org/bindergraph/resource/"))
        FILTER(LCASE(STR(?l)) = LCASE(STR(?v))) } ORDER BY ?e""", {"v": Term("literal", ident)}).rows
    return hits[0]["e"] if len(hits) == 1 else None


def _class_by_name(engine: Engine, value: str) -> Term | None:
    """bg:<value> when the ontology declares it: one lookup."""
    name = value.removeprefix("bg:")
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", name):
        return None
    iri = Term("uri", ONTOLOGY + name)
    rows = engine.select(PREFIXES + "SELECT ?c WHERE { ?c a owl:Class } LIMIT 1", {"c": iri}).rows
    return iri if rows else None


def resolve_class(engine: Engine, value: str) -> Term:
    """A class by name (SelfHealingBinder, bg:SelfHealingBinder), label (self-healing binder) or IRI; or an
    individual, standing for its own class (physical-interlocking -> bg:PhysicalInterlocking)."""
    if value.startswith(ONTOLOGY):
        return Term("uri", _check_iri(value))
    if value.startswith(BGR):
        return own_class(engine, Term("uri", _check_iri(value)))
    if value.startswith(("http://", "https://")):
        raise QueryError(f"{value!r} is no class of the ontology")
    exact = _class_by_name(engine, value)
    if exact:
        return exact
    classes, entities = class_names(engine), entity_names(engine)
    found = find_name(value.removeprefix("bg:").removeprefix("bgr:"), classes, entities)
    if found is None:
        raise engine.unknown(QueryError(f"unknown class {value!r}{did_you_mean(value, classes + entities)}"))
    source, iri = found
    return Term("uri", iri) if source == 0 else own_class(engine, Term("uri", iri))


def resolve_entity_or_class(engine: Engine, value: str) -> Term:
    """An individual (standing for itself), or else a class (standing for all its members)."""
    if value.startswith(("http://", "https://")):
        return Term("uri", _check_iri(value))
    exact = _entity_as_written(engine, value) or _class_by_name(engine, value)
    if exact:
        return exact
    classes, entities = class_names(engine), entity_names(engine)
    found = find_name(value.removeprefix("bg:").removeprefix("bgr:"), entities, classes)
    if found is None:
        raise engine.unknown(QueryError(f"unknown id, label or class {value!r}"
                                        f"{did_you_mean(value, entities + classes)}"))
    return Term("uri", found[1])


def own_class(engine: Engine, individual: Term) -> Term:
    """The individual's one most specific bg: class: a mechanism's asserted type, as the reasoner adds
    only its superclasses (a binder may have several, asserted and inferred, and gets an error)."""
    types = [r["t"] for r in engine.select(PREFIXES + """SELECT DISTINCT ?e ?t WHERE {
        ?e a ?t . FILTER(STRSTARTS(STR(?t), "https://w3id.org/bindergraph/ontology#")) } ORDER BY ?t""",
                                           {"e": individual}).rows]
    # the superclasses of each type, from the type written as a constant: the one form of a transitive
    # path Virtuoso 7 answers (not inside FILTER NOT EXISTS, not from a VALUES-bound start)
    supers = {s for t in types for s in _superclasses(engine, t) if s != t}
    own = [t for t in types if t not in supers]
    if len(own) != 1:
        kinds = ", ".join(local_name(t.value) for t in own) or "none"
        raise QueryError(f"{local_name(individual.value)} has no single class of its own (its classes: {kinds}); "
                         "name a class")
    return own[0]


def _superclasses(engine: Engine, cls: Term) -> list[Term]:
    rows = engine.select(PREFIXES + f"SELECT DISTINCT ?s WHERE {{ {cls.n3()} rdfs:subClassOf+ ?s }}").rows
    return [r["s"] for r in rows]
