"""Claims as nanopublications: one TriG file per claim, accepted by the nanopub library's own offline
checks, signed only when a key is given, byte-identical from run to run."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDF, Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV

from bindergraph import paths
from bindergraph.cli import main
from bindergraph.errors import BindergraphError
from bindergraph.graph.ontology import BG, BGR
from bindergraph.publish.nanopub import LICENSE, load_sources, nanopub_parts, write_nanopubs

nanopub = pytest.importorskip("nanopub")
OA = "http://www.w3.org/ns/oa#"
REVIEW = URIRef("https://doi.org/10.1007/s41918-023-00198-2")


def _claims(build: Path) -> set[str]:
    return {line.split()[0].strip("<>").rsplit("/", 1)[-1] for line in open(build / "graph.nt", encoding="utf-8")
            if f"<{RDF.type}> <{BG.Claim}>" in line}


def _parts(build: Path, claim: str) -> dict[str, object]:
    parts = nanopub_parts(load_sources(paths.current_build(build)), BGR[claim])
    return {iri.rsplit("/", 1)[-1]: g for iri, g in parts.graphs.items()}


@pytest.fixture(scope="module")
def small_nanopubs(small_build, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("np")
    result = CliRunner().invoke(main, ["--out", str(small_build), "export", "--format", "nanopub", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "(unsigned)" in result.output
    return out


def test_every_claim_exports_and_the_library_accepts_it(small_build, small_nanopubs):
    claims = _claims(paths.current_build(small_build))
    assert {"claim-s3.1.1-001", "claim-t1-r01"} <= claims  # from tests/input/records/claims/slice.yaml
    assert {p.stem for p in small_nanopubs.glob("*.trig")} == claims
    for path in sorted(small_nanopubs.glob("*.trig")):
        np = nanopub.Nanopub(rdf=path)  # reads the file; no server involved
        assert np.is_valid
        assert str(np.source_uri or np.metadata.np_uri) == f"https://w3id.org/bindergraph/np/{path.stem}/"
        assert np.metadata.signature is None  # unsigned without --key


@pytest.mark.slow
def test_every_claim_of_the_review_exports(full_build, tmp_path):
    """All claims (each checked by the library while it is written, ~1 min); a sample re-read from disk."""
    build = paths.current_build(full_build)
    claims = _claims(build)
    assert len(claims) > 900
    assert write_nanopubs(build, tmp_path) == len(claims)
    assert {p.stem for p in tmp_path.glob("*.trig")} == claims
    for name in sorted(claims)[::100]:
        assert nanopub.Nanopub(rdf=tmp_path / f"{name}.trig").is_valid


def test_export_is_byte_identical_from_run_to_run(small_build, small_nanopubs, tmp_path):
    """Another process, another hash seed: the same bytes."""
    env = {**os.environ, "PYTHONHASHSEED": "1"}
    subprocess.run([sys.executable, "-m", "bindergraph", "--out", str(small_build), "export", "--format", "nanopub",
                    "--output", str(tmp_path)], check=True, env=env, capture_output=True)
    for path in small_nanopubs.glob("*.trig"):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_trig_holds_exactly_the_four_graphs(small_nanopubs):
    path = sorted(small_nanopubs.glob("*.trig"))[0]
    ds = Dataset()
    ds.parse(path, format="trig")
    names = sorted(str(c.identifier).rsplit("/", 1)[-1] for c in ds.contexts() if len(c))
    assert names == ["Head", "assertion", "provenance", "pubinfo"]


def test_positive_claim_asserts_its_triples_and_cites_quote_and_study(full_build):
    """Review, Sect. 3.1.1: "Cao's group proved that PAA could form a uniform coating layer with a thickness
    of ~ 10 nm on LLO ... [97]"; reference 97 has DOI 10.1002/aenm.201904264."""
    g = _parts(full_build, "claim-s3.1.1-006")
    assert (BGR.PAA, BG.appliedIn, BGR.LLO) in g["assertion"]
    assert (BGR.PAA, BG.hasFunction, BGR["protective-coating"]) in g["assertion"]
    prov = g["provenance"]
    assertion = URIRef("https://w3id.org/bindergraph/np/claim-s3.1.1-006/assertion")
    assert (assertion, PROV.wasDerivedFrom, REVIEW) in prov
    assert (assertion, PROV.hadPrimarySource, BGR["ref-97"]) in prov
    assert (BGR["ref-97"], URIRef("http://purl.org/ontology/bibo/doi"), Literal("10.1002/aenm.201904264")) in prov
    selector = BGR["claim-s3.1.1-006-span-quote"]
    assert (selector, RDF.type, URIRef(OA + "TextQuoteSelector")) in prov
    exact = str(prov.value(selector, URIRef(OA + "exact")))
    assert exact.startswith("Cao's group proved that PAA could form a uniform coating layer")
    assert exact in paths.REVIEW_FILE.read_text(encoding="utf-8")
    assert "<https://doi.org/10.1002/aenm.201904264>" in paths.REVIEW_FILE.read_text(encoding="utf-8")


def test_negative_claim_does_not_assert_the_triple_it_denies(full_build):
    """Review, Sect. 4.4: "Although the authors did not use this concept in SSBs, ..." (stance negative):
    the statement is named in the assertion, the plain triple PR-PAA appliedIn SSB is not."""
    g = _parts(full_build, "claim-s4.4-050")
    assertion = g["assertion"]
    assert (BGR["claim-s4.4-050"], BG.stance, Literal("negative")) in assertion
    assert (BGR["PR-PAA"], BG.appliedIn, BGR.SSB) not in assertion
    assert (BGR["claim-s4.4-050-s1"], RDF.object, BGR.SSB) in assertion


def test_pubinfo_licence_creator_and_fixed_time(full_build):
    g = _parts(full_build, "claim-s3.1.1-006")["pubinfo"]
    uri = URIRef("https://w3id.org/bindergraph/np/claim-s3.1.1-006/")
    assert g.value(uri, DCTERMS.license) == LICENSE == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert g.value(uri, DCTERMS.creator) == URIRef("https://w3id.org/bindergraph/team/curators")
    created = g.value(uri, DCTERMS.created)
    modified = None
    for line in open(paths.current_build(full_build) / "graph.nq", encoding="utf-8"):
        if "<http://purl.org/dc/terms/modified>" in line and line.startswith("<https://w3id.org/bindergraph/ontology>"):
            modified = line.split('"')[1]
    assert modified and str(created).startswith(modified + "T00:00:00")


def test_signed_with_a_key_verifies(small_build, tmp_path, monkeypatch):
    """Signing and checking happen offline: any connection attempt fails the test."""
    import socket

    from Crypto.PublicKey import RSA

    def no_network(*args, **kwargs):
        raise AssertionError("nanopub export tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)

    key = tmp_path / "key.pem"
    key.write_bytes(RSA.generate(2048).export_key("PEM"))  # PKCS#1, as `openssl genrsa` writes
    out = tmp_path / "signed"
    assert write_nanopubs(paths.current_build(small_build), out, key) == len(_claims(paths.current_build(small_build)))
    for path in sorted(out.glob("*.trig")):
        np = nanopub.Nanopub(rdf=path)
        assert np.is_valid and np.has_valid_signature and np.has_valid_trusty
        assert str(np.source_uri).startswith(f"https://w3id.org/bindergraph/np/{path.stem}/RA")


def test_bad_key_is_one_line_error(small_build, tmp_path):
    key = tmp_path / "key.pem"
    key.write_text("not a key\n")
    result = CliRunner().invoke(main, ["--out", str(small_build), "export", "--format", "nanopub",
                                       "--output", str(tmp_path / "np"), "--key", str(key)])
    assert result.exit_code != 0
    assert f"error: cannot read the RSA private key {key}" in result.output
    assert "Traceback" not in result.output


def test_key_needs_nanopub_format(small_build, tmp_path):
    key = tmp_path / "key.pem"
    key.write_text("x")
    result = CliRunner().invoke(main, ["--out", str(small_build), "export", "--format", "ttl",
                                       "--output", str(tmp_path / "g.ttl"), "--key", str(key)])
    assert result.exit_code != 0
    assert "error: --key signs nanopublications: use it with --format nanopub" in result.output


def test_output_that_is_a_file_is_refused(small_build, tmp_path):
    target = tmp_path / "file.trig"
    target.write_text("")
    with pytest.raises(BindergraphError, match="is a file: --format nanopub writes a folder"):
        write_nanopubs(paths.current_build(small_build), target)


def test_stale_nanopub_of_a_dropped_claim_is_removed(small_build, tmp_path):
    (tmp_path / "claim-gone-001.trig").write_text("stale")
    (tmp_path / "notes.txt").write_text("mine")  # not ours: left alone
    write_nanopubs(paths.current_build(small_build), tmp_path)
    assert not (tmp_path / "claim-gone-001.trig").exists() and (tmp_path / "notes.txt").exists()


def test_unwritable_folder_is_one_line_error(small_build, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(BindergraphError, match="cannot create the folder"):
        write_nanopubs(paths.current_build(small_build), blocker / "np")
