"""What every page of the site shares: where it sits (relative links), the HTML shell and stylesheet,
escaping, and `Links`, which decides where an IRI on a page leads (its page, its ontology entry, outside)."""
from __future__ import annotations

import html
import posixpath
import re
import urllib.parse
from dataclasses import dataclass
from importlib import resources

from ...graph import ontology as graph_ontology
from ...query.engine import Term
from ...query.results import curie
from ...query.show import BG, local, name
from ...query.store import graph_iri
from ...query.text import readable

ONTOLOGY_IRI = str(graph_ontology.ONTOLOGY_IRI)
ONTOLOGY_GRAPH = graph_iri("ontology")
OWL = "http://www.w3.org/2002/07/owl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
BASE = "https://w3id.org/bindergraph/"
RDF_FORMATS = ("ttl", "nt", "jsonld")  # the files written beside each page, for content negotiation


@dataclass(frozen=True)
class Place:
    """Where a page sits in the site, so that all its links are relative: resource/PAA.html links PAN.html,
    ../ontology/index.html#Binder and ../site.css. With suffix "" the paths are the extensionless IRIs a
    server answers (resource/PAA, ontology)."""
    path: str
    suffix: str = ".html"

    def href(self, target: str, fragment: str = "") -> str:
        rel = posixpath.relpath(target, posixpath.dirname(self.path) or ".")
        return urllib.parse.quote(rel) + (f"#{urllib.parse.quote(fragment)}" if fragment else "")

    @property
    def ontology(self) -> str:
        return "ontology/index.html" if self.suffix else "ontology"

    def entity(self, iri: str) -> str:
        """The page of an entity or record: its IRI's path under BASE (resource/PAA, unit/A-per-g)."""
        return self.href(f"{site_path(iri)}{self.suffix}")

    def term(self, iri: str) -> str:
        return self.href(self.ontology, anchor(iri))


def site_path(iri: str) -> str:
    return iri[len(BASE):] if iri.startswith(BASE) else f"resource/{local(iri)}"


def anchor(iri: str) -> str:
    """A term's fragment on the ontology page: its local name for bg: terms (bg:Binder -> Binder), else its
    CURIE with '_' (oa:SpecificResource -> oa_SpecificResource)."""
    return iri[len(BG):] if iri.startswith(BG) else short(iri).replace(":", "_")


def short(iri: str) -> str:
    """A CURIE: the tables' (CHEBI:46883, bg:Binder), else with the graph's prefixes (rdf:type,
    prov:wasDerivedFrom), else the IRI."""
    from ...graph.emit import PREFIXES as NAMESPACES

    if curie(iri) != iri:
        return curie(iri)
    for prefix, ns in [*NAMESPACES.items(), ("rdf", RDF), ("rdfs", RDFS)]:
        if iri.startswith(str(ns)) and len(iri) > len(str(ns)):
            return f"{prefix}:{iri[len(str(ns)):]}"
    return iri


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def external_link(iri: str, text: str) -> str:
    """A link out of the site, only for http(s) IRIs (never javascript: or data:)."""
    if urllib.parse.urlsplit(iri).scheme in ("http", "https"):
        return f'<a href="{esc(iri)}">{esc(text)}</a>'
    return esc(text)


def document(place: Place, title: str, body: str) -> str:
    """The shell every page shares: title, stylesheet, navigation, footer."""
    nav = [("index.html", "home"), (place.ontology, "ontology"), ("resource/index.html", "entities"),
           ("queries/index.html", "queries"), ("map.html", "map"), ("dumps/index.html", "downloads")]
    if not place.suffix:  # a server answering the IRIs has these two, not the site's other files
        nav = [(place.ontology, "ontology"), ("sparql", "SPARQL endpoint")]
    links = " ".join(f'<a href="{place.href(target)}">{text}</a>' for target, text in nav)
    # the site shares one stylesheet; a page a server answers carries it (no extra route to serve)
    style = f'<link rel="stylesheet" href="{place.href("site.css")}">' if place.suffix else f"<style>{site_css()}</style>"
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<title>{esc(title)} · bindergraph</title>\n'
            f'{style}\n</head>\n<body>\n'
            f'<nav class="site">{links}</nav>\n<main>\n{body}\n</main>\n'
            f'<footer>bindergraph: the knowledge graph of lithium-battery binders, from Zhang et al., '
            f'<a href="https://doi.org/10.1007/s41918-023-00198-2">Electrochem. Energy Rev. 2023</a> (CC BY 4.0). '
            f'Graph and ontology: CC BY 4.0.</footer>\n</body>\n</html>\n')


def site_css() -> str:
    """The shared stylesheet (`site.css` at the root of the site)."""
    return resources.files("bindergraph.publish").joinpath("templates/site.css").read_text(encoding="utf-8")


LONG_TEXT = {BG + "quote", "http://www.w3.org/ns/oa#exact"}  # verbatim quotes: rendered for reading
DOI = "http://purl.org/ontology/bibo/doi"


def rdf_files(place: Place, iri: str) -> str:
    if not place.suffix:
        return ""
    return "".join(f' · <a href="{place.href(f"{site_path(iri)}.{fmt}")}">{fmt}</a>' for fmt in RDF_FORMATS)


@dataclass(frozen=True)
class Links:
    """What a page may link to: pages of the site, ontology entries, outside sites; and the labels to show."""
    place: Place
    pages: set[str]
    documented: set[str]
    labels: dict[str, str]

    def iri(self, iri: str) -> str:
        """'poly(acrylic acid) (PAA)', linked to where the IRI leads."""
        return self.link(iri, name(iri, self.labels))

    def link(self, iri: str, text: str) -> str:
        if iri in self.pages:
            return f'<a href="{self.place.entity(iri)}">{esc(text)}</a>'
        if iri in self.documented:
            return f'<a href="{self.place.term(iri)}">{esc(text)}</a>'
        if iri.startswith(BASE):
            return esc(text)  # a part shown elsewhere, or a resource without a page
        return external_link(iri, text)

    def prop(self, iri: str) -> str:
        """A property by its label (its CURIE as a tooltip), linked to its ontology entry when it has one."""
        text, tip = esc(self.labels.get(iri) or short(iri)), esc(short(iri))
        if iri in self.documented:
            return f'<a href="{self.place.term(iri)}" title="{tip}">{text}</a>'
        return f'<span title="{tip}">{text}</span>'

    def value(self, prop: str, t: Term) -> str:
        if t.kind == "uri":
            return self.iri(t.value)
        if prop == DOI:
            return external_link(f"https://doi.org/{urllib.parse.quote(t.value, safe='/')}", f"doi:{t.value}")
        return esc(readable(t.value) if prop in LONG_TEXT else t.value)


def natural(text: str) -> list:
    """'[9] …' before '[10] …', section 3.2 before 3.10."""
    return [int(x) if x.isdigit() else x.casefold() for x in re.split(r"(\d+)", text)]
