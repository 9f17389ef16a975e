"""The interactive HTML map (`bindergraph viz`): one self-contained, offline file.

The claims are projected onto an entity graph (`analytics.entity_graph`), narrowed to the requested
view, and written as JSON into a page that draws it with vis-network. vis-network is read from the
installed pyvis package and inlined, because every pyvis template loads it from a CDN.

Untrusted text (labels, quotes) only ever reaches the page inside a JSON block whose `<`, `>` and
`&` are \\u-escaped, and the page script puts it into the DOM with textContent, never as HTML.
"""
from __future__ import annotations

import html
import json
import re
import urllib.parse
import math
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import networkx as nx

from ..errors import BindergraphError, QueryError
from ..files import atomic_write
from ..query.catalogue import bind_params, get_query
from ..query.engine import Engine
from ..query.engine import PREFIXES
from ..query.results import curie
from .analytics import (BG, CONTEXT_ROLES, KINDS, Claim, ClaimData, claim_subjects, entity_graph, load_claims,
                        local_name, via_group_edges)

VIS_DIR = ("lib", "vis-9.1.2")
VIS_NOTICE = ("vis-network 9.1.2, (c) 2011-2017 Almende B.V., (c) 2017-2019 visjs contributors; "
              "dual licensed under the Apache License 2.0 and the MIT License (either may be chosen).")

# Legend colours (Tableau 10, distinguishable in print and for most colour-blind readers) and shapes
# whose label sits outside the shape, so that node size can show the number of claims.
KIND_STYLE = {
    "binder": ("#4e79a7", "dot"), "group": ("#f28e2b", "diamond"), "mechanism": ("#e15759", "square"),
    "material": ("#59a14f", "triangle"), "component": ("#76b7b2", "triangleDown"),
    "battery": ("#edc948", "hexagon"), "solvent": ("#b07aa1", "star"), "process": ("#ff9da7", "star"),
    "chemical": ("#9c755f", "dot"), "drawback": ("#bab0ac", "dot"), "class": ("#59595e", "hexagon"),
    "reference": ("#d4a6c8", "dot"),
}
RELATION_COLOURS = {
    "hasFunction": "#e15759", "hasFunctionalGroup": "#f28e2b", "appliedIn": "#59a14f",
    "processedWith": "#b07aa1", "hasDrawback": "#8c8c8c", "comparedWith": "#4e79a7", "outperforms": "#4e79a7",
    "compatibleWith": "#2a9d8f", "incompatibleWith": "#9d2a2a", "interactsWith": "#9c755f",
    "composedOf": "#1f3b73", "reportedIn": "#c78fb8", "servesVia": "#c4511a",
}
# Context edges: one colour and dash pattern each, so the seven roles can be told apart.
CONTEXT_STYLE = {
    "activeMaterial": ("#59a14f", [2, 4]), "cellComponent": ("#76b7b2", [6, 3]), "batteryType": ("#c9a227", [10, 4]),
    "viaGroup": ("#f28e2b", [2, 3, 8, 3]), "target": ("#e15759", [1, 3]), "solvent": ("#b07aa1", [8, 3, 2, 3, 2, 3]),
    "comparator": ("#4e79a7", [12, 3, 3, 3]),
}
SERVES_VIA_LABEL = "function served via the group"
# The first view of the whole graph: binders with the functions, groups and materials the review credits
# them with; every other kind and relation is one checkbox away.
FIRST_VIEW_KINDS = ("binder", "group", "mechanism", "material")
FIRST_VIEW_RELATIONS = ("hasFunction", "hasFunctionalGroup", "appliedIn", "servesVia")
LAYOUT_ITERATIONS = 80
# Catalogue questions answered in Python when the page is written (the page runs no SPARQL): the query,
# its entity parameter (None: no parameter) and the node kinds offered as its values.
QUESTIONS: tuple[tuple[str, str | None, tuple[str, ...]], ...] = (
    ("binders-for-mechanism", "mechanism", ("family",)),
    ("binders-for-material", "material", ("material",)),
    ("binders-with-group", "group", ("group",)),
    ("sulfide-compatibility", None, ()),
    ("water-processable-binders", None, ()),
)


@dataclass
class PageOptions:
    focus: str | None = None
    depth: int = 1
    query: str | None = None
    mechanism: str | None = None
    material: str | None = None
    references: bool = False
    params: dict[str, str] = field(default_factory=dict)  # the --query's parameters

    @property
    def whole(self) -> bool:
        return not (self.focus or self.query or self.mechanism or self.material)


def write_page(engine: Engine, output: Path, opts: PageOptions) -> dict:
    """Write the map for the view `opts` describes; returns the node and edge counts."""
    data = load_claims(engine)
    center = engine.resolve_entity(opts.focus).value if opts.focus else None
    g = view_graph(data, _filtered_claims(engine, data, opts), opts.references)
    g = _restrict(engine, data, g, opts, center)
    if g.number_of_nodes() == 0:
        raise QueryError(f"nothing to draw: no claims match {_describe(opts)}")
    payload = page_data(data, g, _describe(opts), focus=center, first_view=opts.whole)
    payload["claimInfo"] = claim_info(engine)
    payload["external"] = external_labels(engine)
    if opts.whole:
        payload["questions"] = questions(engine, data, set(g))
    atomic_write(Path(output), render(payload).encode("utf-8"))
    return {"nodes": len(payload["nodes"]), "edges": len(payload["edges"]), "output": str(output)}


# --------------------------------------------------------------------------------- the view
def view_graph(data: ClaimData, claims: list[Claim], references: bool = False) -> nx.MultiDiGraph:
    """The entity graph of the claims, plus group -> function edges for functions served via a group."""
    g = entity_graph(data, claims, references)
    for grp, key, mech, claim in via_group_edges(data, claims):
        if g.has_edge(grp, mech, key):
            g.edges[grp, mech, key]["claims"].append(claim)
        else:
            g.add_edge(grp, mech, key, relation=key, label=SERVES_VIA_LABEL, claims=[claim])
    return g


def _describe(opts: PageOptions) -> str:
    params = ", ".join(f"{k}={v}" for k, v in sorted(opts.params.items()))
    parts = [f"focus {opts.focus} (depth {opts.depth})" if opts.focus else "",
             f"query {opts.query}" + (f" ({params})" if params else "") if opts.query else "",
             f"mechanism {opts.mechanism}" if opts.mechanism else "",
             f"material {opts.material}" if opts.material else ""]
    return ", ".join(p for p in parts if p) or "the whole graph"


def _filtered_claims(engine: Engine, data: ClaimData, opts: PageOptions) -> list[Claim]:
    claims = data.claims
    if opts.mechanism:
        mechs = resolve_mechanisms(engine, data, opts.mechanism)
        others = {iri for iri, e in data.entities.items() if e.kind == "mechanism"} - mechs
        # A claim naming several functions keeps only the edges to the mechanisms asked for.
        claims = [replace(c, objects=[o for o in c.objects if o not in others])
                  for c in claims if mechs & {*c.objects, *claim_subjects(c)}]
    if opts.material:
        mats = _narrower_closure(data, _resolve_kind(engine, data, opts.material, {"material", "component", "battery"},
                                                     "an active material, cell component or battery type"))
        claims = [c for c in claims if mats & _applications(c)]
    return claims


def resolve_mechanisms(engine: Engine, data: ClaimData, value: str) -> set[str]:
    """A mechanism individual (id or label), or a mechanism class (e.g. Scavenging, PolysulfideTrapping)
    standing for all its individuals."""
    mechanisms = {iri for iri, e in data.entities.items() if e.kind == "mechanism"}
    name = value.removeprefix("bg:")
    classes = {c for c in {*data.term_labels, *data.superclasses} if c.startswith(BG) and
               (c == BG + "Mechanism" or BG + "Mechanism" in data.ancestors(c))}
    exact = [c for c in classes if local_name(c) == name]
    if not exact:  # an individual's id or label wins over a case-insensitive class match
        try:
            return {_resolve_kind(engine, data, value, {"mechanism"}, "a mechanism")}
        except QueryError:
            exact = [c for c in classes if name.lower() in (local_name(c).lower(), data.term_labels.get(c, "").lower())]
            if not exact:
                raise
    return {m for m in mechanisms if exact[0] in data.entities[m].types}


def _resolve_kind(engine: Engine, data: ClaimData, value: str, kinds: set[str], what: str) -> str:
    iri = engine.resolve_entity(value).value
    ent = data.entities.get(iri)
    if ent is None or ent.kind not in kinds:
        raise QueryError(f"{value!r} is not {what} that any claim mentions")
    return iri


def _narrower_closure(data: ClaimData, iri: str) -> set[str]:
    """The entity and everything skos:broader-linked below it (NCM -> NCM811, NCM622, ...)."""
    return {e for e in data.entities if e == iri or iri in _broader_closure(data, e)}


def _broader_closure(data: ClaimData, iri: str) -> set[str]:
    seen, todo = set(), [iri]
    while todo:
        ent = data.entities.get(todo.pop())
        for b in ent.broader if ent else ():
            if b not in seen:
                seen.add(b)
                todo.append(b)
    return seen


def _applications(c: Claim) -> set[str]:
    """Application contexts of a claim: its material/component/battery context, and the object of
    an 'applied in' claim."""
    ctx = {x for role, x in c.context if role in ("activeMaterial", "cellComponent", "batteryType")}
    return ctx | (set(c.objects) if c.relation == BG + "appliedIn" else set())


def _restrict(engine: Engine, data: ClaimData, g: nx.MultiDiGraph, opts: PageOptions,
              center: str | None) -> nx.MultiDiGraph:
    if center:
        if center not in g:
            raise QueryError(f"{opts.focus!r} is in no claim of this view, so it has no neighbourhood to draw")
        g = nx.ego_graph(g, center, radius=opts.depth, undirected=True)
    if opts.query:
        keep = query_entities(engine, data, opts.query, opts.params) & set(g)
        if not keep:
            raise QueryError(f"query {opts.query} returns no entity that a claim of this view mentions")
        g = g.subgraph(keep).copy()
    return g


def query_entities(engine: Engine, data: ClaimData, name: str, params: dict[str, str] | None = None) -> set[str]:
    """Every IRI in the query's result rows; a claim stands for the entities it relates in a row that
    names none of them (Table 1's), not where the row names its own (a binder and the mechanism asked)."""
    bound = bind_params(get_query(name), params or {}, engine)
    by_iri = {c.iri: c for c in data.claims}
    iris: set[str] = set()
    for row in engine.select(bound.query, bound.bindings).rows:
        named = {t.value for t in row.values() if t.kind == "uri"}
        iris |= named
        for claim in (by_iri[i] for i in named if i in by_iri):
            related = {*claim_subjects(claim), *claim.objects}
            if not related & named:
                iris |= related
    return iris


# ------------------------------------------------------------------------------ page payload
def page_data(data: ClaimData, g: nx.MultiDiGraph, view: str, focus: str | None = None,
              first_view: bool = False) -> dict:
    """The JSON the page script reads: nodes (with precomputed positions), edges, the claims behind them,
    and the legends; `focus` is the node the page opens on; `first_view` narrows what is shown at first."""
    claim_index: dict[str, int] = {}
    ref_index: dict[str, int] = {}
    edges = []
    for i, (s, o, key, attrs) in enumerate(sorted(g.edges(keys=True, data=True), key=lambda e: e[:3])):
        idx = [claim_index.setdefault(c, len(claim_index)) for c in attrs["claims"]]
        edges.append({"id": f"e{i}", "from": s, "to": o, "rel": key, "claims": idx})
    by_iri = {c.iri: c for c in data.claims}
    claims = [_claim_json(data, by_iri[iri], ref_index) for iri in claim_index]
    touching: dict[str, set[int]] = {n: set() for n in g}
    for e in edges:
        touching[e["from"]].update(e["claims"])
        touching[e["to"]].update(e["claims"])
    first = ({"kinds": list(FIRST_VIEW_KINDS), "rels": list(FIRST_VIEW_RELATIONS)} if first_view else None)
    lay = layout(data, g, first)
    pos = lay.positions
    nodes = [{**_node_json(data, n, len(touching[n])), "x": pos[n][0], "y": pos[n][1]} for n in sorted(g)]
    refs = sorted(ref_index, key=ref_index.get)
    return {
        "view": view, "focus": focus, "nodes": nodes, "edges": edges, "claims": claims,
        "totalClaims": len(data.claims), "first": first, "segments": lay.segments,
        "refs": [_ref_json(data, r) for r in refs],
        "kinds": [{"key": k, "label": label, "color": KIND_STYLE[k][0], "shape": KIND_STYLE[k][1]}
                  for k, _, label in KINDS],
        "relations": _relations(data, edges),
        "sections": _sections(data, claims),
        "materials": sorted(({"id": m, "label": data.entities[m].label}
                             for m in {m for c in claims for m in c["mat"]} if m in data.entities),
                            key=lambda m: m["label"].lower()),
        "families": sorted(({"id": f, "label": data.label(f)} for f in {f for c in claims for f in c["fam"]}),
                           key=lambda f: f["label"].lower()),
    }


def _node_json(data: ClaimData, iri: str, n_claims: int) -> dict:
    if iri in data.references:
        ref = data.references[iri]
        return {"id": iri, "label": f"[{ref.number}]", "name": ref.label, "alt": [], "kind": "reference",
                "classes": ["reference"], "matches": _doi_match(ref.doi), "claims": n_claims}
    ent = data.entities[iri]
    classes = [data.term_labels.get(c, local_name(c)) for c in data.most_specific(iri)] if ent.kind != "class" \
        else ["ontology class: " + local_name(iri)]
    return {"id": iri, "label": display_label(ent.label, ent.alt, local_name(iri)), "name": ent.label,
            "alt": ent.alt, "kind": ent.kind, "classes": classes,
            "matches": [{"rel": p, "iri": m, "curie": curie(m)} for p, m in ent.matches], "claims": n_claims,
            "fam": sorted(data.families(iri))}


def display_label(label: str, alt: list[str], ident: str, limit: int = 24) -> str:
    """A short name for the map: the abbreviation that is also the curated id (PVDF, CMC), else the
    label, else another abbreviation the review uses, else the label cut short."""
    if ident in alt and len(ident) < len(label):
        return ident
    if len(label) <= limit:
        return label
    short = [a for a in alt if len(a) <= limit and any(ch.isupper() or ch.isdigit() for ch in a)]
    return min(short, key=len) if short else label[: limit - 1] + "…"


def _claim_json(data: ClaimData, c: Claim, ref_index: dict[str, int]) -> dict:
    mats = {m for m in _applications(c) if m in data.entities and data.entities[m].kind == "material"}
    mats |= set().union(*(_broader_closure(data, m) for m in mats)) if mats else set()
    fams = set().union(*(data.families(o) for o in c.objects)) if c.objects else set()
    rel = data.term_labels.get(c.relation, local_name(c.relation))
    if c.stance != "positive":
        rel += f" ({c.stance})"
    refs = [ref_index.setdefault(r, len(ref_index)) for r in c.refs]
    return {"id": local_name(c.iri).removeprefix("claim-"), "rel": rel, "q": c.quote, "sec": c.section, "refs": refs,
            "mat": sorted(mats), "fam": sorted(fams), "stance": c.stance}


def _ref_json(data: ClaimData, iri: str) -> dict:
    ref = data.references[iri]
    return {"n": ref.number, "label": ref.label, "doi": ref.doi, "url": doi_url(ref.doi) if ref.doi else None}


def _doi_match(doi: str | None) -> list[dict]:
    return [{"rel": "doi", "iri": doi_url(doi)}] if doi else []


def doi_url(doi: str) -> str:
    """https://doi.org/ link; the DOI is percent-encoded except for the characters DOIs commonly use."""
    return "https://doi.org/" + urllib.parse.quote(doi.strip(), safe="/:;()._-+")


def _relations(data: ClaimData, edges: list[dict]) -> dict:
    out = {}
    for e in edges:
        key = e["rel"]
        if key in out:
            continue
        base, _, stance = key.partition("~")
        if key.startswith("ctx:"):
            colour, dashes = CONTEXT_STYLE[key[4:]]
            out[key] = {"label": "context: " + CONTEXT_ROLES[key[4:]], "color": colour, "dashes": dashes,
                        "base": key, "baseLabel": "context: " + CONTEXT_ROLES[key[4:]], "stance": "context"}
            continue
        label = (SERVES_VIA_LABEL if base == "servesVia" else "reported in" if base == "reportedIn"
                 else data.term_labels.get(BG + base, base))
        # A negative or hedged claim: the relation's colour, dashed, its stance named (and drawn at the arrow).
        out[key] = {"label": label + (f" ({stance})" if stance else ""), "color": RELATION_COLOURS.get(base, "#666666"),
                    "dashes": [7, 5] if stance or base == "reportedIn" else False, "base": base,
                    "baseLabel": label, "stance": stance or "positive"}
    return out


def _sections(data: ClaimData, claims: list[dict]) -> list[dict]:
    """Sections with claims in the view, and the sections above them (choosing 3.1 shows 3.1.x)."""
    numbers = set()
    for c in claims:
        parts = c["sec"].split(".")
        numbers |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)}

    def key(n):
        return tuple(int(p) if p.isdigit() else 0 for p in n.split("."))
    return [{"id": n, "label": data.sections.get(n, n)} for n in sorted(numbers, key=key)]


# ------------------------------------------------------------------------------------ layout
RING_ORDER = ("mechanism", "group", "material", "component", "battery", "solvent", "process", "chemical", "drawback",
              "reference")
INNER_KINDS = ("binder", "class")
RING_SPACING = 46.0  # canvas units between neighbours on the ring
BINDER_SPACING = 52.0


@dataclass
class Layout:
    positions: dict[str, tuple[float, float]]
    segments: list[dict]  # the ring's segments: {"label", "x", "y", "align"}, drawn as captions by the page


def layout(data: ClaimData, g: nx.MultiDiGraph, first: dict | None) -> Layout:
    """Deterministic positions, computed once in Python. What the binders are credited with sits on an
    ellipse, in segments (mechanisms by family, then groups, then materials); each binder sits inside,
    near the mean direction of what it links to, pushed apart from the others. Kinds outside the first
    view get an outer ellipse, each next to its neighbours."""
    shown = set(first["kinds"]) if first else set(RING_ORDER) | set(INNER_KINDS)
    ring = sorted((n for n in g if _kind(data, n) not in INNER_KINDS and _kind(data, n) in shown),
                  key=lambda n: _ring_key(data, n))
    rx, ry, pos, segments = _ring(data, ring)
    und = nx.Graph(g.to_undirected())
    inner = sorted(n for n in g if _kind(data, n) in INNER_KINDS)
    pos.update(_inner(und, inner, pos, rx, ry))
    outer = sorted(n for n in g if n not in pos)
    pos.update(_outer(und, outer, pos, rx * 1.3 + 60, ry * 1.3 + 60))
    return Layout({n: (round(x, 1), round(y, 1)) for n, (x, y) in pos.items()}, segments)


def _kind(data: ClaimData, iri: str) -> str:
    return data.entities[iri].kind if iri in data.entities else "reference"


def _ring_key(data: ClaimData, n: str) -> tuple:
    kind = _kind(data, n)
    fam = min((data.label(f) for f in data.families(n)), default="") if kind == "mechanism" else ""
    return RING_ORDER.index(kind) if kind in RING_ORDER else len(RING_ORDER), fam, data.label(n).lower()


def _ring(data: ClaimData, ring: list[str]) -> tuple[float, float, dict[str, tuple[float, float]], list[dict]]:
    # A gap of two places between segments (kinds; mechanism families), so each family reads as a group.
    slots, prev = [], None
    for n in ring:
        seg = _ring_key(data, n)[:2]
        if prev is not None and seg != prev:
            slots += [None, None]
        slots.append(n)
        prev = seg
    ry = max(220.0, len(slots) * RING_SPACING / (2 * math.pi * 1.25))
    rx = ry * 1.5  # wider than tall: screens are, and labels are wider than they are high
    pos, spans = {}, {}
    for i, n in enumerate(slots):
        if n is not None:
            a = 2 * math.pi * i / len(slots) - math.pi / 2
            pos[n] = (rx * math.cos(a), ry * math.sin(a))
            spans.setdefault(_ring_key(data, n)[:2], []).append(a)
    return rx, ry, pos, [_caption(data, key, angles, rx, ry) for key, angles in spans.items()]


def _caption(data: ClaimData, key: tuple, angles: list[float], rx: float, ry: float) -> dict:
    """A segment's name just outside the ring at its middle: the mechanism family, or the kind."""
    kind_label = {k: label for k, _, label in KINDS}
    kind = RING_ORDER[key[0]] if key[0] < len(RING_ORDER) else ""
    a = sum(angles) / len(angles)
    c = math.cos(a)
    return {"label": key[1] if kind == "mechanism" and key[1] else kind_label.get(kind, kind),
            "x": round(rx * 1.1 * c, 1), "y": round(ry * 1.12 * math.sin(a), 1),
            "align": "left" if c > 0.3 else "right" if c < -0.3 else "center"}


def _inner(g: nx.Graph, inner: list[str], placed: dict, rx: float, ry: float) -> dict[str, tuple[float, float]]:
    """Each inner node aims at 0.8 of the way towards the mean of its ring neighbours; then a few rounds
    of pairwise repulsion (through a grid, so about O(n) a round) keep them apart. No randomness."""
    target = {}
    for i, n in enumerate(inner):
        near = [placed[m] for m in g[n] if m in placed]
        if near:
            target[n] = (0.8 * sum(p[0] for p in near) / len(near), 0.8 * sum(p[1] for p in near) / len(near))
        else:  # linked to nothing on the ring: a spiral around the middle
            target[n] = (30 * math.sqrt(i) * math.cos(i * 2.399), 30 * math.sqrt(i) * math.sin(i * 2.399))
    pos = {n: list(target[n]) for n in inner}
    for i, n in enumerate(inner):  # equal targets must not mean equal positions
        pos[n][0] += 3 * math.cos(i * 2.399)
        pos[n][1] += 3 * math.sin(i * 2.399)
    for _ in range(LAYOUT_ITERATIONS):
        push = _repulsion(pos, BINDER_SPACING)
        for n in inner:
            x, y = pos[n]
            nx_ = x + 0.5 * push[n][0] + 0.05 * (target[n][0] - x)
            ny_ = y + 0.5 * push[n][1] + 0.05 * (target[n][1] - y)
            scale = math.hypot(nx_ / (0.92 * rx), ny_ / (0.92 * ry))  # stay inside the ring
            pos[n] = [nx_ / scale, ny_ / scale] if scale > 1 else [nx_, ny_]
    return {n: (p[0], p[1]) for n, p in pos.items()}


def _repulsion(pos: dict[str, list[float]], dist: float) -> dict[str, list[float]]:
    """For each node, the push (a displacement) away from every node closer than `dist`."""
    grid: dict[tuple[int, int], list[str]] = {}
    for n, (x, y) in pos.items():
        grid.setdefault((int(x // dist), int(y // dist)), []).append(n)
    push = {n: [0.0, 0.0] for n in pos}
    for (cx, cy), members in grid.items():
        near = [m for dx in (-1, 0, 1) for dy in (-1, 0, 1) for m in grid.get((cx + dx, cy + dy), ())]
        for n in members:
            x, y = pos[n]
            for m in near:
                if m == n:
                    continue
                ddx, ddy = x - pos[m][0], y - pos[m][1]
                d = math.hypot(ddx, ddy)
                if d < dist:
                    if d < 1e-6:
                        ddx, ddy, d = (1.0, 0.0, 1.0) if n < m else (-1.0, 0.0, 1.0)
                    f = (dist - d) / d / 2
                    push[n][0] += ddx * f
                    push[n][1] += ddy * f
    return push


def _outer(g: nx.Graph, outer: list[str], placed: dict, rx: float, ry: float) -> dict[str, tuple[float, float]]:
    """Kinds outside the first view, on an outer ellipse in the order of their neighbours' directions."""
    def angle(i: int, n: str) -> float:
        near = [placed[m] for m in g[n] if m in placed]
        if not near:
            return 2 * math.pi * i / max(len(outer), 1)
        return math.atan2(sum(p[1] for p in near) / rx, sum(p[0] for p in near) / ry) % (2 * math.pi)
    order = sorted(((angle(i, n), n) for i, n in enumerate(outer)))
    out = {}
    for i, (_, n) in enumerate(order):
        a = 2 * math.pi * i / max(len(order), 1) + order[0][0]
        stagger = 1 + 0.06 * (i % 3)  # three staggered rows, so that neighbouring labels do not collide
        out[n] = (rx * stagger * math.cos(a), ry * stagger * math.sin(a))
    return out


# ------------------------------------------------------------------------ what the panel adds
_CLAIM_INFO = """SELECT ?c ?att ?outcome ?ckind ?aspect WHERE {
  ?c a bg:Claim .
  OPTIONAL { ?c a ?a . VALUES ?a { bg:ReportedFinding bg:ReviewSynthesis bg:BackgroundStatement } ?a rdfs:label ?att }
  OPTIONAL { ?c bg:outcome ?outcome ; bg:comparisonKind ?ckind . OPTIONAL { ?c bg:aspect/rdfs:label ?aspect } } }"""
_EXTERNAL = """SELECT DISTINCT ?x ?label WHERE {
  VALUES ?p { skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch skos:relatedMatch }
  ?e ?p ?x . ?x rdfs:label ?label }"""


def claim_info(engine: Engine) -> dict[str, dict]:
    """Per claim id: whose finding it is (attribution class label) and, for a comparison, its aspect,
    outcome and kind of comparison."""
    out: dict[str, dict] = {}
    for r in engine.select(PREFIXES + _CLAIM_INFO).rows:
        info = out.setdefault(local_name(r["c"].value).removeprefix("claim-"), {})
        if "att" in r:
            info["att"] = r["att"].value
        if "outcome" in r:
            info["cmp"] = {"outcome": r["outcome"].value, "kind": r["ckind"].value.replace("_", " "),
                           "aspect": r["aspect"].value if "aspect" in r else ""}
    return out


def external_labels(engine: Engine) -> dict[str, str]:
    """Labels of the external terms the entities are matched to (ChEBI, EMMO: from the import modules)."""
    return {r["x"].value: r["label"].value for r in engine.select(PREFIXES + _EXTERNAL).rows}


def questions(engine: Engine, data: ClaimData, shown: set[str]) -> list[dict]:
    """The QUESTIONS, answered for each value of their parameter: the entities of the map each answer
    names (as `--query NAME --param k=v` would draw them)."""
    out = []
    for qid, param, kinds in QUESTIONS:
        q = get_query(qid)
        values = _question_values(data, kinds, shown) if param else [("", "")]
        answers = []
        for value, label in values:
            nodes = query_entities(engine, data, qid, {param: value} if param else {}) & shown
            if nodes:
                answers.append({"value": value, "label": label, "nodes": sorted(nodes)})
        if answers:
            out.append({"id": qid, "title": q.title, "param": param, "answers": answers})
    return out


def _question_values(data: ClaimData, kinds: tuple[str, ...], shown: set[str]) -> list[tuple[str, str]]:
    if kinds == ("family",):
        fams = {f for n in shown for f in data.families(n)}
        return sorted(((local_name(f), data.label(f)) for f in fams), key=lambda v: v[1].lower())
    ents = [e for e in data.entities.values() if e.kind in kinds and e.iri in shown]
    return sorted(((local_name(e.iri), e.label) for e in ents), key=lambda v: v[1].lower())


# ---------------------------------------------------------------------------------- rendering
def render(payload: dict) -> str:
    template = _template("page.html")
    parts = {
        "TITLE": html.escape(f"bindergraph: {payload['view']}"),
        "VIS_CSS": _inline_safe(_vis_asset("vis-network.css"), "style"),
        "PAGE_CSS": _inline_safe(_template("page.css"), "style"),
        "VIS_JS": _inline_safe(_vis_asset("vis-network.min.js"), "script"),
        "PAGE_JS": _inline_safe(_template("page.js"), "script"),
        "VIS_NOTICE": html.escape(VIS_NOTICE),
        "DATA": json_for_script(payload),
    }
    # One pass, so that a marker-like string inside an inlined asset is never substituted.
    return re.sub(r"%%([A-Z_]+)%%", lambda m: parts[m.group(1)], template)


def json_for_script(payload) -> str:
    """JSON safe inside <script type="application/json">: no `<`, `>` or `&` can end the element
    or open a comment, whatever the labels and quotes contain."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _inline_safe(text: str, element: str) -> str:
    # Inlined code must not close its own element early; vis-network 9.1.2 does not, but check.
    if re.search(rf"</{element}|<!--", text, re.I):
        raise BindergraphError(f"cannot inline an asset containing </{element} or <!--")
    return text


def _template(name: str) -> str:
    return resources.files("bindergraph.publish").joinpath("templates", name).read_text(encoding="utf-8")


def _vis_asset(name: str) -> str:
    try:
        return resources.files("pyvis").joinpath(*VIS_DIR, name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise BindergraphError(f"vis-network not found in the pyvis package ({exc}); reinstall pyvis>=0.3.2") from None


