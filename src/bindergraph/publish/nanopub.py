"""`bindergraph export --format nanopub`: every claim as a nanopublication, one TriG file per claim.

A nanopublication (https://nanopub.net) is four named graphs: the head naming the other three; the
assertion (the claim with its context and figures, the rdf:Statement nodes it entitles and, for a positive
claim, the plain triples those statements name); the provenance (the assertion was derived from the quoted
span of the review, an oa:TextQuoteSelector, and is attributed to the review's authors or has the cited
studies as primary sources); the publication info (licence, creator, creation time). The files are
checked by the nanopub library's own offline checks (`Nanopub.is_valid`) before they are written; with a
key they are signed by the library (RSA, trusty URI), which needs no network either.

The creation time is the date of the ontology version the build carries (its dcterms:modified): it is
fixed by the build, so exporting twice gives byte-identical files, signed or not.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from ..errors import BindergraphError
from ..files import atomic_write
from ..graph.ontology import BG, BGR, ONTOLOGY_IRI
from ..query.store import graph_iri
from .export import named_graphs, trig_bytes

NP = Namespace("http://www.nanopub.org/nschema#")
NP_BASE = "https://w3id.org/bindergraph/np/"  # + claim id + "/": the nanopublication; + part name: its graphs
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
CURATORS = URIRef("https://w3id.org/bindergraph/team/curators")  # bindergraph.team:curators of the SSSOM table

# The claim's own triples that say where it comes from: provenance, not assertion.
PROVENANCE_PROPERTIES = frozenset({PROV.wasDerivedFrom, PROV.wasAttributedTo, PROV.hadPrimarySource,
                                   DCTERMS.references, BG.quote, BG.inSection, SKOS.editorialNote})


@dataclass(frozen=True)
class Sources:
    data: Graph
    references: Graph
    created: Literal  # xsd:dateTime


@dataclass(frozen=True)
class Parts:
    """The four graphs of one nanopublication, keyed by graph IRI."""
    uri: URIRef
    graphs: dict[str, Graph]


def write_nanopubs(build_dir: Path, out_dir: Path, key: Path | None = None) -> int:
    """Write DIR/claim-<id>.trig for every claim; return how many."""
    if out_dir.exists() and not out_dir.is_dir():
        raise BindergraphError(f"{out_dir} is a file: --format nanopub writes a folder of .trig files")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BindergraphError(f"cannot create the folder {out_dir}: {exc.strerror or exc}") from None
    sources = load_sources(build_dir)
    profile = _profile(key) if key else None
    claims = sorted(sources.data.subjects(RDF.type, BG.Claim))
    for claim in claims:
        parts = nanopub_parts(sources, claim)
        graphs = _signed(parts, profile) if profile else _checked(parts)
        atomic_write(out_dir / f"{_claim_id(claim)}.trig", trig_bytes(graphs))
    # a claim dropped since an earlier export into DIR must not stay citable from it
    current = {f"{_claim_id(c)}.trig" for c in claims}
    for old in out_dir.glob("claim-*.trig"):
        if old.name not in current:
            old.unlink()
    return len(claims)


def load_sources(build_dir: Path) -> Sources:
    graphs = named_graphs(build_dir)
    data, ontology = graphs[graph_iri("data")], graphs[graph_iri("ontology")]
    modified = ontology.value(ONTOLOGY_IRI, DCTERMS.modified)
    if modified is None:
        raise BindergraphError(f"the ontology in {build_dir} has no dcterms:modified: cannot date the nanopublications")
    created = Literal(f"{modified}T00:00:00Z", datatype=XSD.dateTime)
    return Sources(data, graphs[graph_iri("references")], created)


def _claim_id(claim: URIRef) -> str:
    return str(claim)[len(str(BGR)):]


# ------------------------------------------------------------------------------------------ the four graphs
def nanopub_parts(src: Sources, claim: URIRef) -> Parts:
    ns = Namespace(f"{NP_BASE}{_claim_id(claim)}/")
    uri, assertion, provenance, pubinfo = ns[""], ns["assertion"], ns["provenance"], ns["pubinfo"]
    head = _graph(ns)
    head.add((uri, RDF.type, NP.Nanopublication))
    head.add((uri, NP.hasAssertion, assertion))
    head.add((uri, NP.hasProvenance, provenance))
    head.add((uri, NP.hasPublicationInfo, pubinfo))
    graphs = {str(ns["Head"]): head, str(assertion): _assertion(src.data, claim, ns),
              str(provenance): _provenance(src, claim, assertion, ns), str(pubinfo): _pubinfo(src, claim, uri, ns)}
    return Parts(uri, graphs)


def _graph(ns: Namespace) -> Graph:
    g = Graph()
    g.bind("this", ns)
    g.bind("np", NP)
    return g


def _assertion(data: Graph, claim: URIRef, ns: Namespace) -> Graph:
    g = _graph(ns)
    for p, o in data.predicate_objects(claim):
        if p not in PROVENANCE_PROPERTIES:
            g.add((claim, p, o))
    for m in data.objects(claim, BG.hasMeasurement):
        _copy_node(data, m, g)
    positive = data.value(claim, BG.stance) == Literal("positive")
    for st in sorted(data.subjects(PROV.wasDerivedFrom, claim)):
        _copy_node(data, st, g)
        triple = (data.value(st, RDF.subject), data.value(st, RDF.predicate), data.value(st, RDF.object))
        if positive and triple in data:  # only a positive claim asserts the plain triple (derive.py)
            g.add(triple)
    return g


def _provenance(src: Sources, claim: URIRef, assertion: URIRef, ns: Namespace) -> Graph:
    g = _graph(ns)
    for span in src.data.objects(claim, PROV.wasDerivedFrom):
        g.add((assertion, PROV.wasDerivedFrom, span))
        _copy_node(src.data, span, g)  # oa:SpecificResource, its oa:TextQuoteSelector and position
        for review in src.data.objects(span, URIRef("http://www.w3.org/ns/oa#hasSource")):
            g.add((assertion, PROV.wasDerivedFrom, review))
    for p in (PROV.wasAttributedTo, PROV.hadPrimarySource, DCTERMS.references):
        for o in src.data.objects(claim, p):
            g.add((assertion, p, o))
    for ref in src.data.objects(claim, DCTERMS.references):
        for p, o in src.references.predicate_objects(ref):
            if p != DCTERMS.references:
                g.add((ref, p, o))
    for p in (BG.quote, BG.inSection):
        for o in src.data.objects(claim, p):
            g.add((claim, p, o))
    return g


def _pubinfo(src: Sources, claim: URIRef, uri: URIRef, ns: Namespace) -> Graph:
    g = _graph(ns)
    g.add((uri, DCTERMS.license, LICENSE))
    g.add((uri, DCTERMS.created, src.created))
    g.add((uri, DCTERMS.creator, CURATORS))
    g.add((uri, DCTERMS.isPartOf, ONTOLOGY_IRI))
    g.add((uri, PROV.wasDerivedFrom, claim))
    g.add((uri, RDFS.label, Literal(f"bindergraph {_claim_id(claim)}", lang="en")))
    return g


def _copy_node(source: Graph, node, target: Graph, seen: set | None = None) -> None:
    """The node's triples, and those of the blank nodes and the node's own sub-resources (IRIs that extend
    its IRI with '-', such as the span's selectors) it points to."""
    seen = set() if seen is None else seen
    if node in seen:
        return
    seen.add(node)
    for p, o in source.predicate_objects(node):
        target.add((node, p, o))
        if isinstance(o, BNode) or (isinstance(o, URIRef) and str(o).startswith(f"{node}-")):
            _copy_node(source, o, target, seen)


# ------------------------------------------------------------------------------------------ nanopub library
def _library():
    try:
        import nanopub
    except ImportError:
        raise BindergraphError("export --format nanopub needs the nanopub library (pip install nanopub)") from None
    return nanopub


def as_nanopub(graphs: dict[str, Graph], conf=None):
    """The nanopub library's object for our four graphs (it reads them from a ConjunctiveGraph; offline)."""
    from rdflib import ConjunctiveGraph

    nanopub = _library()
    cg = ConjunctiveGraph()
    for iri, g in graphs.items():
        ctx = cg.get_context(URIRef(iri))
        for t in g:
            ctx.add(t)
    return nanopub.Nanopub(rdf=cg, conf=conf or nanopub.NanopubConf())


def _checked(parts: Parts) -> dict[str, Graph]:
    """Run the library's structural checks (four non-empty graphs, provenance about the assertion,
    publication info about the nanopublication); any failure names the claim."""
    try:
        as_nanopub(parts.graphs).is_valid
    except Exception as exc:  # MalformedNanopubError and friends
        raise BindergraphError(f"nanopublication {parts.uri} rejected by the nanopub library: {exc}") from None
    return parts.graphs


def _profile(key: Path):
    """A signing profile from the PEM key. The library wants an ORCID and a name for a profile; neither is
    written into a signed nanopublication, and no person is named: the profile is the curators' team IRI."""
    nanopub = _library()
    from Crypto.PublicKey import RSA  # pycryptodome, a dependency of nanopub
    from nanopub.profile import format_key

    try:  # any RSA PEM (PKCS#1 or #8), as the bare PKCS#8 base64 the library signs with
        pem = RSA.import_key(key.read_text(encoding="utf-8")).export_key("PEM", pkcs=8).decode("ascii")
        return nanopub.Profile(orcid_id=str(CURATORS), name="bindergraph curators", private_key=format_key(pem))
    except (ValueError, IndexError, TypeError, UnicodeDecodeError) as exc:
        raise BindergraphError(f"cannot read the RSA private key {key}: {exc or 'not a PEM key'}") from None


def _signed(parts: Parts, profile) -> dict[str, Graph]:
    nanopub = _library()
    np = as_nanopub(parts.graphs, nanopub.NanopubConf(profile=profile))
    try:
        np.sign()
    except Exception as exc:
        raise BindergraphError(f"nanopublication {parts.uri} could not be signed: {exc}") from None
    out: dict[str, Graph] = {}
    for ctx in np.rdf.contexts():
        if len(ctx):
            g = Graph()
            g.bind("np", NP)
            g.bind("npx", "http://purl.org/nanopub/x/")
            for t in ctx:
                g.add(t)
            out[str(ctx.identifier)] = g
    return out
