"""`bindergraph export`: the complete graph as one file, byte-identical from run to run.

Formats: the build's own files (Turtle with `@prefix`, N-Triples, N-Quads), TriG and JSON-LD datasets
that keep the six named graphs, and the graph as one self-contained OWL ontology in RDF/XML (`owl`:
owlready2, pronto, the OWL API) and OWL functional syntax (`ofn`, written by py-horned-owl). Claims as
nanopublications (a folder, not one file) are in nanopub.py.
"""
from __future__ import annotations

import json
import re
from contextlib import contextmanager
from pathlib import Path

from rdflib import OWL, RDF, RDFS, XSD, BNode, Dataset, Graph, Literal, URIRef

from ..query.results import stable_json

FORMATS = ("ttl", "nt", "nq", "trig", "jsonld", "owl", "ofn")
EXTRA_PREFIXES = {"rdf": RDF, "rdfs": RDFS, "xsd": XSD, "obo": "http://purl.obolibrary.org/obo/",
                  "sssom": "https://w3id.org/sssom/"}


def export_bytes(build_dir: Path, fmt: str) -> bytes:
    """The build's graph in `fmt`: the N-Triples, N-Quads and Turtle files as written by the build (already
    sorted); the other formats serialised from them and put in a stable order."""
    writers = {"trig": _trig, "jsonld": _jsonld, "owl": _rdfxml, "ofn": _ofn}
    if fmt in writers:
        return writers[fmt](build_dir)
    if fmt not in FORMATS:
        from ..errors import BindergraphError

        raise BindergraphError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")
    return (build_dir / f"graph.{fmt}").read_bytes()


# ------------------------------------------------------------------------------------------ Turtle, TriG
def bind_prefixes(g: Graph) -> Graph:
    from ..graph.emit import PREFIXES

    for prefix, ns in {**PREFIXES, **EXTRA_PREFIXES}.items():
        g.bind(prefix, ns, replace=True)
    return g


def _turtle_parts(g: Graph) -> tuple[list[str], str]:
    """rdflib's longturtle (stable order) split into Turtle 1.0 `@prefix` lines and the body: the OWL API
    and older parsers do not read the SPARQL-style `PREFIX` lines longturtle writes."""
    with _exact_doubles():
        text = bind_prefixes(g).serialize(format="longturtle", encoding="utf-8").decode("utf-8")
    head, _, body = text.partition("\n\n")
    prefixes = [re.sub(r"^PREFIX (\S*) (<[^>]*>)$", r"@prefix \1 \2 .", line) for line in head.splitlines()]
    return prefixes, body


@contextmanager
def _exact_doubles():
    """rdflib writes an xsd:double in Turtle shorthand with six digits ("%e": 1.602176634e-19 becomes
    1.602177e-19); while serialising, leave doubles out of the shorthand types so they keep their lexical form."""
    import rdflib.term as term

    saved = term._PLAIN_LITERAL_TYPES
    term._PLAIN_LITERAL_TYPES = type(saved)(t for t in saved if t != XSD.double)
    try:
        yield
    finally:
        term._PLAIN_LITERAL_TYPES = saved


def turtle_bytes(g: Graph) -> bytes:
    prefixes, body = _turtle_parts(g)
    return ("\n".join(prefixes) + "\n\n" + body).encode("utf-8")


def _trig(build_dir: Path) -> bytes:
    return trig_bytes(named_graphs(build_dir))


def trig_bytes(graphs: dict[str, Graph]) -> bytes:
    """One `<IRI> { … }` block per named graph, in IRI order, each body as in graph.ttl."""
    prefixes: set[str] = set()
    blocks = []
    for iri, g in sorted(graphs.items()):
        head, body = _turtle_parts(g)
        prefixes.update(head)
        blocks.append(f"<{iri}> {{\n{body.rstrip()}\n}}\n")
    return ("\n".join(sorted(prefixes)) + "\n\n" + "\n".join(blocks)).encode("utf-8")


def named_graphs(build_dir: Path) -> dict[str, Graph]:
    """The six named graphs of graph.nq, blank-node labels kept."""
    ds = Dataset()
    ds.parse(build_dir / "graph.nq", format="nquads", bnode_context=_KeepLabels())
    out = {}
    for ctx in ds.graphs():
        if isinstance(ctx.identifier, URIRef) and len(ctx):
            g = Graph()
            for triple in ctx:
                g.add(triple)
            out[str(ctx.identifier)] = g
    return out


# ------------------------------------------------------------------------------------------ JSON-LD
def _jsonld(build_dir: Path) -> bytes:
    """A JSON-LD dataset: `@graph` holds one node per named graph (`@id` its IRI, `@graph` its nodes)."""
    from ..graph.emit import PREFIXES

    context = {k: str(v) for k, v in {**PREFIXES, **EXTRA_PREFIXES}.items()}
    graphs = []
    for iri, g in sorted(named_graphs(build_dir).items()):
        doc = json.loads(g.serialize(format="json-ld", context=context))
        nodes = doc.get("@graph", [] if set(doc) <= {"@context"} else [{k: v for k, v in doc.items() if k != "@context"}])
        graphs.append({"@id": iri, "@graph": nodes})
    doc = {"@context": context, "@graph": graphs}
    return (json.dumps(stable_json(doc), ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


class _KeepLabels(dict):
    """rdflib's N-Triples parser gives each blank node a random id; the build's labels are canonical
    already (build._canonical), so keep them."""

    def get(self, key, default=None):
        return BNode(key)




# ------------------------------------------------------------------------------------------ OWL
TERMINOLOGY = ("ontology", "imports", "links")  # the named graphs that make the ontology without the data


def owl_graph(build_dir: Path, parts: tuple[str, ...] | None = None) -> Graph:
    """The graph (or its named graphs `parts`) as one self-contained ontology: the import modules' classes
    are in it already, so their headers and the owl:imports naming them are left out (a tool would
    otherwise fetch them)."""
    from ..graph.ontology import ONTOLOGY_IRI
    from ..query.store import graph_iri

    with open(build_dir / "graph.nq" if parts else build_dir / "graph.nt", encoding="utf-8") as f:
        wanted = tuple(f"<{graph_iri(p)}> ." for p in parts or ())
        lines = [line if not parts else line.rsplit(" <", 1)[0] + " .\n"
                 for line in f if not parts or line.rstrip().endswith(wanted)]
    merged = Graph()  # sorted insertion order = serialisation order in rdflib's memory store
    merged.parse(data="".join(sorted(set(lines))), format="nt", bnode_context=_KeepLabels())
    modules = [s for s in merged.subjects(RDF.type, OWL.Ontology) if s != ONTOLOGY_IRI]
    for module in modules:
        merged.remove((module, None, None))
    merged.remove((ONTOLOGY_IRI, OWL.imports, None))
    return bind_prefixes(merged)


# The typed node element of a subject: the OWL kind first (pronto reads owl:Class elements, not
# rdf:Description with an rdf:type), else its first type in IRI order.
NODE_KINDS = (OWL.Ontology, OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
              OWL.NamedIndividual)


def _rdfxml(build_dir: Path) -> bytes:
    return rdfxml_bytes(owl_graph(build_dir))


def rdfxml_bytes(g: Graph) -> bytes:
    """RDF/XML in a stable order: rdflib's writers follow hash sets, so subjects, properties and values are
    sorted here; blank nodes keep their canonical labels (rdf:nodeID)."""
    from xml.sax.saxutils import escape, quoteattr

    nm, used = g.namespace_manager, {}

    def qname(iri: URIRef) -> str:
        prefix, ns, local = nm.compute_qname_strict(iri)
        used[prefix] = str(ns)
        return f"{prefix}:{local}"

    def ref(node) -> str:
        return f"rdf:nodeID={quoteattr(str(node))}" if isinstance(node, BNode) else f"rdf:about={quoteattr(str(node))}"

    body = []
    for s in sorted(set(g.subjects()), key=lambda n: ((n, RDF.type, OWL.Ontology) not in g, isinstance(n, BNode), str(n))):
        types = sorted(g.objects(s, RDF.type))
        kind = next((k for k in NODE_KINDS if k in types), types[0] if types else None)
        element = qname(kind) if kind is not None else "rdf:Description"
        body.append(f"  <{element} {ref(s)}>")
        for p, o in sorted(g.predicate_objects(s), key=lambda po: (str(po[0]), type(po[1]).__name__, str(po[1]),
                                                                   str(getattr(po[1], "datatype", "") or ""),
                                                                   str(getattr(po[1], "language", "") or ""))):
            if p == RDF.type and o == kind:
                continue
            name = qname(p)
            if isinstance(o, Literal):
                attrs = f" xml:lang={quoteattr(o.language)}" if o.language else (
                    f" rdf:datatype={quoteattr(str(o.datatype))}" if o.datatype else "")
                body.append(f"    <{name}{attrs}>{escape(str(o))}</{name}>")
            else:
                attr = f"rdf:nodeID={quoteattr(str(o))}" if isinstance(o, BNode) else f"rdf:resource={quoteattr(str(o))}"
                body.append(f"    <{name} {attr}/>")
        body.append(f"  </{element}>")
    used["rdf"] = str(RDF)
    xmlns = "".join(f"\n   xmlns:{p}={quoteattr(ns)}" for p, ns in sorted(used.items()))
    head = f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF{xmlns}>'
    return ("\n".join([head, *body, "</rdf:RDF>"]) + "\n").encode("utf-8")


def _ofn(build_dir: Path) -> bytes:
    """The ontology (TBox, import modules, mappings; not the data: OWL has no axiom for the rdf:Statement
    nodes that name each derived triple) in OWL functional syntax, by py-horned-owl from RDF/XML; axioms
    sorted (horned-owl keeps them in a hash set)."""
    try:
        import pyhornedowl
    except ImportError:
        from ..errors import BindergraphError

        raise BindergraphError("export --format ofn needs py-horned-owl (pip install py-horned-owl)") from None
    rdfxml = rdfxml_bytes(owl_graph(build_dir, TERMINOLOGY)).decode("utf-8")
    onto = pyhornedowl.open_ontology_from_string(rdfxml, "rdf")
    from ..graph.emit import PREFIXES

    for prefix, ns in sorted({**PREFIXES, **EXTRA_PREFIXES}.items()):
        onto.add_prefix_mapping(prefix, str(ns))
    return _sorted_ofn(onto.save_to_string("ofn")).encode("utf-8")


def _sorted_ofn(text: str) -> str:
    """Keep the prefixes, `Ontology(`, its imports and annotations first; sort the axioms, one per line."""
    start = text.index("Ontology(")
    head, body = text[:start], text[start:].rstrip()
    assert body.endswith(")"), "OWL functional syntax ends with the ontology's closing parenthesis"
    items = _top_level(body[len("Ontology("):-1])
    first = [i for i in items if not i.endswith(")") or i.startswith(("Import(", "Annotation("))]
    axioms = sorted(i for i in items if i not in first)
    return head + "Ontology(" + "\n".join(first + axioms) + "\n)\n"


def _top_level(text: str) -> list[str]:
    """Split the inside of `Ontology( … )` into its items (IRIs, imports, annotations, axioms): a new item
    starts at depth 0 outside strings; literals may hold newlines and parentheses."""
    items, depth, in_string, escaped, current = [], 0, False, False, []
    for ch in text:
        if in_string:
            in_string = escaped or ch != '"'
            escaped = not escaped and ch == "\\"
        elif ch == '"':
            in_string = True
        elif ch in "()":
            depth += 1 if ch == "(" else -1
        if depth == 0 and not in_string and ch.isspace():
            if current:
                items.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    if current:
        items.append("".join(current).strip())
    return [i for i in items if i]
