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
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import networkx as nx

from ..errors import BindergraphError, QueryError
from ..files import atomic_write
from ..query.catalogue import bind_params, get_query
from ..query.engine import Engine
from .analytics import (BG, CONTEXT_ROLES, KINDS, Claim, ClaimData, claim_subjects, entity_graph, load_claims,
                        local_name)

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
    "composedOf": "#1f3b73", "reportedIn": "#c78fb8",
}
CONTEXT_COLOUR = "#a9a9a9"


@dataclass
class PageOptions:
    focus: str | None = None
    depth: int = 1
    query: str | None = None
    mechanism: str | None = None
    material: str | None = None
    references: bool = False


def write_page(engine: Engine, output: Path, opts: PageOptions) -> dict:
    """Write the map for the view `opts` describes; returns the node and edge counts."""
    data = load_claims(engine)
    center = engine.resolve_entity(opts.focus).value if opts.focus else None
    g = entity_graph(data, _filtered_claims(engine, data, opts), opts.references)
    g = _restrict(engine, data, g, opts, center)
    if g.number_of_nodes() == 0:
        raise QueryError(f"nothing to draw: no claims match {_describe(opts)}")
    payload = page_data(data, g, _describe(opts), focus=center)
    atomic_write(Path(output), render(payload).encode("utf-8"))
    return {"nodes": len(payload["nodes"]), "edges": len(payload["edges"]), "output": str(output)}


# --------------------------------------------------------------------------------- the view
def _describe(opts: PageOptions) -> str:
    parts = [f"focus {opts.focus} (depth {opts.depth})" if opts.focus else "",
             f"query {opts.query}" if opts.query else "",
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
        keep = _query_entities(engine, data, opts.query) & set(g)
        if not keep:
            raise QueryError(f"query {opts.query} returns no entity that a claim of this view mentions")
        g = g.subgraph(keep).copy()
    return g


def _query_entities(engine: Engine, data: ClaimData, name: str) -> set[str]:
    """Every IRI in the query's result rows; a claim stands for the entities it relates in a row that
    names none of them (Table 1's), not where the row names its own (a binder and the mechanism asked)."""
    bound = bind_params(get_query(name), {}, engine)
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
def page_data(data: ClaimData, g: nx.MultiDiGraph, view: str, focus: str | None = None) -> dict:
    """The JSON the page script reads: nodes, edges, the claims behind them, and the legends;
    `focus` is the node the page opens on."""
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
    nodes = [_node_json(data, n, len(touching[n])) for n in sorted(g)]
    refs = sorted(ref_index, key=ref_index.get)
    return {
        "view": view, "focus": focus, "nodes": nodes, "edges": edges, "claims": claims,
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
            "matches": [{"rel": p, "iri": m} for p, m in ent.matches], "claims": n_claims,
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
            "mat": sorted(mats), "fam": sorted(fams)}


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
        if key.startswith("ctx:"):
            out[key] = {"label": "context: " + CONTEXT_ROLES[key[4:]], "color": CONTEXT_COLOUR, "dashes": True}
        elif key == "reportedIn":
            out[key] = {"label": "reported in", "color": RELATION_COLOURS[key], "dashes": True}
        elif "~" in key:  # a negative or hedged claim: the relation's colour, dashed, its stance named
            base, stance = key.split("~", 1)
            out[key] = {"label": f"{data.term_labels.get(BG + base, base)} ({stance})",
                        "color": RELATION_COLOURS.get(base, "#666666"), "dashes": True}
        else:
            out[key] = {"label": data.term_labels.get(BG + key, key),
                        "color": RELATION_COLOURS.get(key, "#666666"), "dashes": False}
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


