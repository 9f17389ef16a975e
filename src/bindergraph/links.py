"""External links: SSSOM mapping tables -> skos mapping triples, plus MIREOT import modules."""
from __future__ import annotations

from rdflib import Graph

from .curation import Curated
from .graph import new_graph


def link_graphs(cur: Curated) -> tuple[Graph, Graph]:
    return new_graph(), new_graph()
