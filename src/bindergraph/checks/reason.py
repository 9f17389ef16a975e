"""Consistency check and classification with owlready2 + HermiT (Java).

HermiT sees the semantic layer only: the TBox, the entities with their asserted types and the
direct triples between them. Claim, evidence and measurement nodes add nothing to classification
and are checked by SHACL and the evidence check instead; leaving them out keeps HermiT fast.
The ontology travels to owlready2 as N-Triples (its Turtle reader and writer are unreliable).
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from rdflib import OWL, RDF, Graph, URIRef

from ..errors import InconsistentOntologyError, JavaMissingError
from ..graph.emit import new_graph
from ..graph.ontology import BG, BGR, SEMANTIC_PROPERTIES


def semantic_layer(tbox: Graph, data: Graph, extra: Graph | None = None) -> Graph:
    g = new_graph()
    for t in tbox.triples((None, None, None)):
        if t[1] != OWL.imports:  # the modules come in `extra`; owlready2 would fetch an imported IRI
            g.add(t)
    if extra is not None:
        for t in extra:
            g.add(t)
    for s, p, o in data:
        if not str(s).startswith(str(BGR)) or "claim-" in str(s):
            continue
        if p == RDF.type or p in SEMANTIC_PROPERTIES:
            g.add((s, p, o))
    return g


def java_executable() -> str:
    java = shutil.which("java")
    if java is None:
        raise JavaMissingError("Java runtime not found: the HermiT reasoner needs `java` on PATH "
                               "(install a JRE 11 or newer, e.g. `apt-get install default-jre-headless`)")
    return java


def classify(semantic: Graph) -> Graph:
    """Run HermiT; return the inferred rdf:type triples (with superclass closure) not already asserted."""
    java = java_executable()
    import owlready2

    owlready2.JAVA_EXE = java
    with tempfile.TemporaryDirectory(prefix="bindergraph-reason-") as tmp:
        path = Path(tmp) / "semantic.nt"
        semantic.serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load(format="ntriples")
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            raise InconsistentOntologyError(f"ontology inconsistent: HermiT found a contradiction ({_first_line(exc)})") from None
        except (subprocess.CalledProcessError, OSError) as exc:
            raise JavaMissingError(f"HermiT could not run under {java}: {_first_line(exc)}") from None
        inferred = new_graph()
        asserted = {(s, o) for s, o in semantic.subject_objects(RDF.type)}
        for ind in world.individuals():
            s = URIRef(ind.iri)
            if not str(s).startswith(str(BGR)):
                continue
            for name in sorted(_named_closure(ind)):
                if (s, BG[name]) not in asserted:
                    inferred.add((s, RDF.type, BG[name]))
    return inferred


def _named_closure(ind) -> set[str]:
    """Every bg: class the individual belongs to. After reasoning, owlready2's `is_a` holds only the most
    specific types, but its classes carry the inferred hierarchy (e.g. MixedConductingBinder under both
    IonConductingBinder and ElectronConductingBinder), so the closure is the union of their ancestors."""
    names = set()
    for cls in ind.is_a:
        for anc in getattr(cls, "ancestors", lambda: ())():
            iri = getattr(anc, "iri", "")
            if iri.startswith(str(BG)):
                names.add(iri[len(BG):])
    return names


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__

