"""What a claim entitles the graph to say as plain triples: the semantic layer's derivation rules.

A claim is n-ary; the semantic layer (`bgr:PAN bg:hasFunction bgr:coordination`, `bg:appliedIn`, ...)
is what the reasoner classifies and most queries read. These rules decide which plain triples a claim
yields, and nothing else may. They follow exactly what the sentence says:

- **Stance.** Only a positive claim entails its triples. A negative ("fails with") or hedged ("may") claim
  still names the pairs it speaks of (as rdf:Statements, which assert nothing in RDF), so that queries
  can show it with its stance, but the triples themselves are not in the graph.
- **Pairing.** With several subjects, the claim's pairing decides which subject goes with which object and
  context value: `all` (every pair), `respectively` (in order), explicit `[[subject, object], ...]` pairs,
  or `collective` (a statement about the group as a whole: nothing per member). One subject pairs with all.
- **appliedIn** comes from an `applied_in` claim, and from the active material, component or battery type
  of a claim that reports the binder in use there: a function, a figure, its processing or a head-to-head
  comparison (`APPLIED_FROM_CONTEXT`). Never from a drawback, a (in)compatibility, an interaction or a
  composition, and never from `counter_electrode`.
- **Comparisons.** Only a head-to-head comparison of binders entails `comparedWith` and, when one side
  wins, `outperforms`; its aspect stays on the claim. A cross-study, design-vs-design or outlook comparison
  names its pairs (`comparedWith` statements) but entails no triple.
- **Groups.** `via_group` derives `hasFunctionalGroup` for each binder subject; on a `has_function` claim
  also the group's `hasFunction` for each function.
- Statements about an ontology class (`subject: Binder`) derive nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ..curate.curation import RELATION_RULES, Ref, ResolvedClaim

# Relations whose claims report the subject binder in use in their application contexts.
APPLIED_FROM_CONTEXT = frozenset({"applied_in", "has_function", "measured", "processed_with", "compared_with"})
_APPLICATION_CONTEXTS = ("active_material", "component", "battery_type")


@dataclass(frozen=True, order=True)
class Derived:
    """One plain triple a claim entitles: subject id, bg: property local name, object id."""
    subject: str
    prop: str
    object: str


def statements(c: ResolvedClaim) -> list[Derived]:
    """The triples the claim speaks of, whatever its stance: one per pair it states, sorted, no repeats."""
    return sorted(set(_statements(c)))


def entailed(c: ResolvedClaim) -> list[Derived]:
    """The plain triples the claim entitles: its statements if it is positive, else none (and of a comparison,
    only a head-to-head one)."""
    return statements(c) if asserts(c) else []


def asserts(c: ResolvedClaim) -> bool:
    """Whether the claim's statements hold as plain triples."""
    return asserts_statements(c.record.stance, c.record.comparison.kind if c.record.comparison else None)


def asserts_statements(stance: str, comparison_kind: str | None) -> bool:
    """Whether a claim's statements hold as plain triples: positive, and not a comparison other than head to head."""
    return stance == "positive" and comparison_kind in (None, "head_to_head")


def _statements(c: ResolvedClaim) -> Iterator[Derived]:
    rec = c.record
    if rec.pairing == "collective":
        return
    subjects = [s for s in c.subjects if not s.is_class]
    if not subjects:
        return
    prop = RELATION_RULES[rec.relation][2]
    pairs = subject_object_pairs(c, subjects)
    if rec.relation == "compared_with":
        for s, o in pairs:
            yield Derived(s.id, "comparedWith", o.id)
            yield Derived(o.id, "comparedWith", s.id)
        for winner, loser in comparison_wins(c):
            yield Derived(winner, "outperforms", loser)
        if rec.comparison is None or rec.comparison.kind != "head_to_head":
            return  # two works, two designs or a forecast: the pair is named, nothing about use follows
    elif prop is not None:
        for s, o in pairs:
            yield Derived(s.id, prop, o.id)
    yield from _from_context(c, subjects)


def subject_object_pairs(c: ResolvedClaim, subjects: list[Ref]) -> list[tuple[Ref, Ref]]:
    """The (subject, object) pairs the claim states, following its pairing."""
    p = c.record.pairing
    if p == "respectively":
        return list(zip(subjects, c.objects))
    if isinstance(p, list):
        wanted = {(s, o) for s, o in p}
        return [(s, o) for s in subjects for o in c.objects if (s.id, o.id) in wanted]
    return [(s, o) for s in subjects for o in c.objects]


def comparison_wins(c: ResolvedClaim) -> list[tuple[str, str]]:
    """(winner, loser) binder ids of a head-to-head comparison; none for `similar` or other kinds."""
    cmp = c.record.comparison
    if (c.record.relation != "compared_with" or cmp is None or cmp.kind != "head_to_head"
            or c.record.pairing == "collective" or cmp.outcome == "similar"):
        return []
    subjects = [s for s in c.subjects if not s.is_class]
    return [(s.id, o.id) if cmp.outcome == "better" else (o.id, s.id)
            for s, o in subject_object_pairs(c, subjects)]


def _from_context(c: ResolvedClaim, subjects: list[Ref]) -> Iterator[Derived]:
    """Triples about each binder subject from the claim's context (its setting, groups and solvent)."""
    rec = c.record
    binders = [s for s in subjects if s.category == "Binder"]
    if rec.relation == "compared_with":  # head to head: the comparators were used in the same setting
        binders += [o for o in c.objects if o.category == "Binder"]
    applied = rec.relation in APPLIED_FROM_CONTEXT
    for b in binders:
        for key in _APPLICATION_CONTEXTS if applied else ():
            for r in c.context.get(key, []):
                yield Derived(b.id, "appliedIn", r.id)
        for grp in c.context.get("via_group", []):
            if b in subjects:
                yield Derived(b.id, "hasFunctionalGroup", grp.id)
        for r in c.context.get("solvent", []):
            if b in subjects:
                yield Derived(b.id, "processedWith", r.id)
    if rec.relation == "has_function":
        for grp in c.context.get("via_group", []):
            for o in c.objects:
                yield Derived(grp.id, "hasFunction", o.id)
