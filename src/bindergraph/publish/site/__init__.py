"""`bindergraph site`: the graph as a static web site laid out at the w3id paths, so that every IRI leads
somewhere once the w3id redirects are registered (docs/w3id.htaccess, docs/publishing.md).

    index.html                  home: what the graph is, and links to all of the below
    site.css                    the one stylesheet (system fonts; no page requests anything outside the site)
    resource/PAA.html           one page per entity (what `bindergraph show PAA --evidence` prints)
    resource/claim-s2-006.html  one page per record: claim, reference, section (also unit/ID, mapping/ID)
    resource/PAA.ttl, .nt, .jsonld   beside every page: its triples, for content negotiation
    resource/index.html         every entity by kind, and the records;  kinds/KIND.html: one index per kind
    ontology/index.html         the ontology: classes (hierarchy, definitions, axioms, members), properties;
                                ontology/bindergraph.ttl, .nt, .jsonld: the ontology graph
    queries/NAME.html, .rq      each catalogue query: question, text, and its answer with the default parameters
    map.html                    the interactive map (publish/page.py)
    dumps/graph.EXT             the complete graph in every format `bindergraph export` writes, but graph.ofn:
                                the ontology alone (export.py: OWL has no axiom for the data's statements)
    mappings/, imports/         the SSSOM table and the import modules, at the paths of their IRIs

Pages are plain HTML written here with every string passed through html.escape; links between pages are
relative, so the folder serves from any static host and from the file system. `render_entity_page` and
`render_ontology_page` also answer `bindergraph serve`'s HTML requests (suffix "" gives extensionless links).

Modules: layout.py (what every page shares: relative links, the HTML shell, where an IRI leads),
index.py (what has a page; the index pages), entities.py and records.py (their pages), ontology.py (the
ontology's documentation), queries.py (the catalogue's pages), rdf.py (the triples beside each page),
writer.py (the whole site, the downloads, the home page).
"""
from __future__ import annotations

from .entities import render_entity_page
from .index import ENTITY_KINDS, RECORD_TYPES, Entity, entities, records
from .layout import BASE, ONTOLOGY_GRAPH, ONTOLOGY_IRI, RDF_FORMATS, Place, site_css, site_path
from .ontology import Ontology, read_ontology, render_ontology_page
from .rdf import entity_rdf, ontology_rdf, resource_rdf
from .records import render_record_page
from .writer import MARKER, SiteStats, write_site

__all__ = ["BASE", "ENTITY_KINDS", "MARKER", "ONTOLOGY_GRAPH", "ONTOLOGY_IRI", "RDF_FORMATS", "RECORD_TYPES",
           "Entity", "Ontology", "Place", "SiteStats", "entities", "entity_rdf", "ontology_rdf", "read_ontology",
           "records", "render_entity_page", "render_ontology_page", "render_record_page", "resource_rdf",
           "site_css", "site_path", "write_site"]
