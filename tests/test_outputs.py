"""The output folder under stress: builds killed at every step, two builds at once, readers during a
build, folders written by older versions, and folders that cannot be written (read-only, full, no
permission). Builds use --no-reason and the fixture records: what is checked is the folder, not the graph."""
from __future__ import annotations

import hashlib
import json
import os
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from bindergraph import paths
from bindergraph.build import OUTPUT_FILES, BuildOptions, build
from bindergraph.cli import main
from bindergraph.outputs import KILL_STEPS, LOCK_FILE
from bindergraph.query.engine import OxigraphEngine
from bindergraph.query.store import open_store

RECORDS = Path(__file__).parent / "input" / "records"
LINKS = ("store",) + OUTPUT_FILES
COUNT_CLAIMS = "SELECT (COUNT(*) AS ?n) WHERE { ?c a bg:Claim }"


# ------------------------------------------------------------------------------------------ helpers
def whole(out: Path, links: bool = True) -> str:
    """The build a reader of `out` sees, checked whole: graph.nt has the manifest's SHA-256, graph.nq
    and the store hold the manifest's quads, the search index is of this graph.nt, and (`links`: when
    no build is running) the links in `out` lead to the same build. Returns the SHA-256."""
    folder = paths.current_build(out)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    sha = hashlib.sha256((folder / "graph.nt").read_bytes()).hexdigest()
    assert sha == manifest["sha256"]["graph.nt"]
    quads = sum(n for k, n in manifest["counts"].items() if k.startswith("graph:"))
    assert len((folder / "graph.nq").read_text(encoding="utf-8").splitlines()) == quads
    assert len(ox.Store.read_only(str(folder / "store"))) == quads
    con = sqlite3.connect(folder / "search.sqlite")
    assert dict(con.execute("SELECT key, value FROM meta"))["graph_sha256"] == sha
    con.close()
    if links and (out / "manifest.json").is_symlink():
        assert (out / "manifest.json").read_bytes() == (folder / "manifest.json").read_bytes()
    return sha


def build_folders(out: Path) -> set[str]:
    return {p.name for p in (out / paths.BUILDS).iterdir()}


def dot_files(out: Path) -> list[str]:
    return [p.name for p in out.iterdir() if p.name.startswith(".")]


def cli(out: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "bindergraph", "--out", str(out), *args]


def build_cmd(out: Path, records: Path, *args: str) -> list[str]:
    return cli(out, "build", "--no-reason", "--records", str(records), *args)


def run(cmd: list[str], env: dict[str, str] | None = None, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, *cmd], capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})})


def start(cmd: list[str]) -> subprocess.Popen:
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stderr_line(proc: subprocess.Popen, timeout: float = 120) -> str:
    ready, _, _ = select.select([proc.stderr], [], [], timeout)
    assert ready, "no line on stderr"
    return proc.stderr.readline()


def wait_for_lock(out: Path, proc: subprocess.Popen) -> str:
    """The lock file's text once the build `proc` holds the lock."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        try:
            text = (out / LOCK_FILE).read_text()
        except FileNotFoundError:
            text = ""
        if text.startswith(f"{proc.pid} "):
            return text
        time.sleep(0.05)
    raise AssertionError("the build never took the lock")


def one_error(res: subprocess.CompletedProcess) -> str:
    """The single `error:` line of a failed command (and nothing else on stderr)."""
    assert res.returncode != 0 and "Traceback" not in res.stderr, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    return lines[0]


def count_claims(engine) -> int:
    return int(engine.select("PREFIX bg: <https://w3id.org/bindergraph/ontology#> " + COUNT_CLAIMS).rows[0]["n"].value)


# ----------------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def new_records(tmp_path_factory) -> Path:
    """The fixture records without one claim (P3HT's): a build that differs from the old one."""
    dest = tmp_path_factory.mktemp("records") / "records"
    shutil.copytree(RECORDS, dest)
    claims = dest / "claims" / "slice.yaml"
    text = claims.read_text(encoding="utf-8")
    start_, end = text.index("  - id: s3.1.2-p3ht\n"), text.index("  - id: s3.1.2-pedot\n")
    claims.write_text(text[:start_] + text[end:], encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def old_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("old") / "out"
    build(BuildOptions(records=RECORDS, out_dir=out, reason=False))
    return out


@pytest.fixture(scope="module")
def old_sha(old_build) -> str:
    return whole(old_build)


@pytest.fixture(scope="module")
def new_sha(new_records, tmp_path_factory, old_sha) -> str:
    out = tmp_path_factory.mktemp("new") / "out"
    build(BuildOptions(records=new_records, out_dir=out, reason=False))
    sha = whole(out)
    assert sha != old_sha
    return sha


@pytest.fixture()
def out(old_build, tmp_path) -> Path:
    """A private copy of the old build's output folder (links copied as links)."""
    dest = tmp_path / "out"
    shutil.copytree(old_build, dest, symlinks=True)
    return dest


@pytest.fixture()
def tmpfs(tmp_path):
    """A mount point for a small tmpfs (root only: read-only and full file systems are real ones)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    point = tmp_path / "mnt"
    point.mkdir()

    def mount(*options: str) -> None:
        res = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", str(point)],
                             capture_output=True, text=True)
        if res.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {res.stderr.strip()}")

    mount.point = point
    yield mount
    subprocess.run(["umount", "-l", str(point)], capture_output=True)


def remount(point: Path, *options: str) -> None:
    subprocess.run(["mount", "-o", ",".join(("remount",) + options), str(point)], check=True)


# ------------------------------------------------------------------------------- killed builds
@pytest.mark.parametrize("step", [s for s in KILL_STEPS if s != "after-lock"])
def test_killed_build_leaves_one_whole_build(out, step, old_sha, new_sha, new_records):
    killed = run(build_cmd(out, new_records), env={"BINDERGRAPH_TEST_KILL_AT": step})
    assert killed.returncode == -signal.SIGKILL, killed.stderr  # it did die at `step`
    switched = KILL_STEPS.index(step) >= KILL_STEPS.index("after-switch")
    assert whole(out) == (new_sha if switched else old_sha)
    current = paths.current_build(out).name
    leftovers = build_folders(out) - {current}
    assert leftovers  # the killed build's folder, or the old build it replaced

    build(BuildOptions(records=new_records, out_dir=out, reason=False))  # the next build
    assert whole(out) == new_sha
    assert build_folders(out) == {current, paths.current_build(out).name}  # the new one and the one before
    assert not leftovers & build_folders(out)
    assert not dot_files(out)
    assert all(os.readlink(out / name) == f"current/{name}" for name in LINKS)


def test_next_build_removes_temporary_names(out, new_records, new_sha):
    """Names a killed build of this or an older version left in the output folder."""
    junk = [out / ".build-x1y2z3", out / ".old-a1b2c3", out / ".tmp-current-4242", out / ".search.sqlite.4242.ab12cd34"]
    junk[0].mkdir()
    (junk[0] / "graph.nt").write_text("half a graph")
    junk[1].mkdir()
    junk[2].symlink_to("builds/nothing")
    junk[3].write_bytes(b"")
    mine = out / paths.BUILDS / "notes"  # not a name a build gives: never removed
    mine.mkdir()
    build(BuildOptions(records=new_records, out_dir=out, reason=False))
    assert whole(out) == new_sha
    assert not any(p.exists() or p.is_symlink() for p in junk)
    assert mine.is_dir()


# --------------------------------------------------------------------------------------- the lock
def test_second_build_fails_at_once_naming_the_first(out, old_sha, new_sha, new_records):
    first = start(build_cmd(out, new_records))
    try:
        holder = wait_for_lock(out, first)
        os.kill(first.pid, signal.SIGSTOP)  # the first build holds the lock while the second tries
        second = run(build_cmd(out, RECORDS))
        assert whole(out) == old_sha  # untouched by either
    finally:
        os.kill(first.pid, signal.SIGCONT)
    assert first.wait(120) == 0, first.stderr.read()
    started = holder.split()[2]  # "pid date time": started today, so the message gives the time only
    assert one_error(second) == (f"error: another build (pid {first.pid}, started {started}) is writing {out}; "
                                 "wait for it or use --out")
    assert second.returncode == 1
    assert whole(out) == new_sha
    assert not dot_files(out)


def test_second_build_waits_for_the_first(out, old_sha, new_sha, new_records):
    first = start(build_cmd(out, new_records))
    try:
        wait_for_lock(out, first)
        os.kill(first.pid, signal.SIGSTOP)
        second = start(build_cmd(out, RECORDS, "--wait", "300", "-v"))
        notice = stderr_line(second)  # printed when it finds the lock taken, before waiting
        assert notice.startswith(f"waiting up to 300 s for another build (pid {first.pid}, started ")
        assert whole(out) == old_sha
    finally:
        os.kill(first.pid, signal.SIGCONT)
    assert first.wait(120) == 0 and second.wait(120) == 0
    # The second build ran after the first: its graph (the old records) is current, the first's is kept.
    assert whole(out) == old_sha
    assert len(build_folders(out)) == 2


def test_lock_of_a_killed_build_is_free(out, new_records, new_sha):
    killed = subprocess.Popen(build_cmd(out, new_records), env={**os.environ, "BINDERGRAPH_TEST_KILL_AT": "after-lock"})
    assert killed.wait(120) == -signal.SIGKILL
    assert (out / LOCK_FILE).read_text().startswith(f"{killed.pid} ")  # its lock file stays, naming it
    res = run(build_cmd(out, new_records))  # no --wait: the kernel released the dead build's lock
    assert res.returncode == 0, res.stderr
    assert whole(out) == new_sha and not dot_files(out)


# -------------------------------------------------------------------------------------- readers
def test_open_store_keeps_answering_while_builds_land(out, new_records):
    engine = OxigraphEngine(open_store(out))
    before = count_claims(engine)
    folder = paths.current_build(out)
    for _ in range(2):  # the second build removes the folder the engine opened
        build(BuildOptions(records=new_records, out_dir=out, reason=False))
    assert not folder.exists()
    assert count_claims(engine) == before
    assert count_claims(OxigraphEngine(open_store(out))) == before - 1  # a new reader sees the new build


def test_readers_during_a_build_see_one_whole_build(out, old_sha, new_sha, new_records):
    runner = CliRunner()
    proc = start(build_cmd(out, new_records))
    answers, shas = set(), set()
    while proc.poll() is None:
        shas.add(whole(out, links=False))
        res = runner.invoke(main, ["--out", str(out), "sparql", COUNT_CLAIMS, "--format", "csv"], catch_exceptions=False)
        assert res.exit_code == 0, res.output
        answers.add(int(res.output.split()[1]))
        res = runner.invoke(main, ["--out", str(out), "search", "Cao", "--kind", "claim", "--format", "csv"],
                            catch_exceptions=False)
        assert res.exit_code == 0 and "claim-s3.1.1-001" in res.output, res.output
    assert proc.returncode == 0, proc.stderr.read()
    assert old_sha in shas and shas <= {old_sha, new_sha}
    assert len(answers) <= 2 and whole(out) == new_sha


# ------------------------------------------------------------------------------ older output folders
def test_old_layout_is_read_then_replaced(old_build, old_sha, new_sha, new_records, tmp_path):
    """A folder written before builds were versioned: the files directly in it, no pointer."""
    out = tmp_path / "legacy"
    out.mkdir()
    source = paths.current_build(old_build)
    shutil.copytree(source / "store", out / "store")
    for name in OUTPUT_FILES:
        shutil.copy2(source / name, out / name)
    (out / ".build-k1ll3d").mkdir()  # what a killed build of that version left
    assert paths.current_build(out) == out and whole(out) == old_sha
    engine = OxigraphEngine(open_store(out))
    before = count_claims(engine)

    killed = run(build_cmd(out, new_records), env={"BINDERGRAPH_TEST_KILL_AT": "after-switch"})
    assert killed.returncode == -signal.SIGKILL  # the pointer is in place, the old files not yet links
    assert whole(out) == new_sha and (out / "store").is_dir() and not (out / "store").is_symlink()
    build(BuildOptions(records=new_records, out_dir=out, reason=False))
    assert whole(out) == new_sha
    assert all(os.readlink(out / name) == f"current/{name}" for name in LINKS)
    assert not dot_files(out)
    assert count_claims(engine) == before  # the reader of the old files keeps its answers
    build(BuildOptions(records=new_records, out_dir=out, reason=False))
    assert len(build_folders(out)) == 2 and whole(out) == new_sha  # the old files are gone with the next build


# ------------------------------------------------------------------------- folders that cannot be written
def _drop_privileges() -> tuple[str, ...]:
    """A command prefix under which write permissions count: none for a normal user; for root, setpriv
    without the capabilities that override file modes."""
    if os.geteuid() != 0:
        return ()
    if not shutil.which("setpriv"):
        pytest.skip("root ignores file modes and setpriv is not available")
    return ("setpriv", "--bounding-set=-dac_override,-dac_read_search", "--")


def test_unwritable_folders_give_one_line(out, old_sha, tmp_path, full_build):
    prefix = _drop_privileges()
    locked = tmp_path / "locked"
    locked.mkdir()
    out.chmod(0o555)
    locked.chmod(0o555)
    try:
        res = run(build_cmd(out, RECORDS), prefix=prefix)
        assert one_error(res) == f"error: cannot build in {out}: permission denied"
        res = run(build_cmd(locked / "out", RECORDS), prefix=prefix)  # --out cannot be created
        assert one_error(res) == f"error: cannot build in {locked / 'out'}: permission denied"
        res = run(cli(out, "export", "--format", "nt", "--output", str(locked / "x.nt")), prefix=prefix)
        assert one_error(res) == f"error: cannot write {locked / 'x.nt'}: permission denied"
        res = run(cli(full_build, "viz", "--output", str(locked / "map.html")), prefix=prefix)
        assert one_error(res) == f"error: cannot write {locked / 'map.html'}: permission denied"
    finally:
        out.chmod(0o755)
        locked.chmod(0o755)
    assert whole(out) == old_sha and not list(locked.iterdir())


def test_read_only_folder_gives_one_line(tmpfs, old_build, old_sha, new_records, full_build):
    tmpfs("size=64m")
    out = tmpfs.point / "out"
    shutil.copytree(old_build, out, symlinks=True)
    remount(tmpfs.point, "ro")
    res = run(build_cmd(out, new_records))
    assert one_error(res) == f"error: cannot build in {out}: read-only file system"
    res = run(cli(out, "export", "--format", "nq", "--output", str(tmpfs.point / "x.nq")))
    assert one_error(res) == f"error: cannot write {tmpfs.point / 'x.nq'}: read-only file system"
    res = run(cli(full_build, "viz", "--output", str(tmpfs.point / "map.html")))
    assert one_error(res) == f"error: cannot write {tmpfs.point / 'map.html'}: read-only file system"
    assert whole(out) == old_sha
    res = run(cli(out, "sparql", COUNT_CLAIMS, "--format", "csv"))  # and it is still read
    claims = json.loads((out / "manifest.json").read_text())["counts"]["claims"]
    assert res.returncode == 0 and res.stdout.split() == ["n", str(claims)]


def test_full_disk_gives_one_line(tmpfs, old_build, old_sha, new_sha, new_records):
    tmpfs("size=64m")
    out = tmpfs.point / "out"
    shutil.copytree(old_build, out, symlinks=True)
    used = shutil.disk_usage(tmpfs.point).used
    remount(tmpfs.point, f"size={used + 2 ** 20}")  # 1 MiB free: less than a build
    res = run(build_cmd(out, new_records))
    line = one_error(res)
    assert line == f"error: cannot write the build in {out}: no space left on device", line
    assert whole(out) == old_sha
    assert build_folders(out) == {paths.current_build(out).name}  # the failed build's folder is gone
    assert not dot_files(out)

    filler = tmpfs.point / "filler"
    with open(filler, "wb", buffering=0) as fh, pytest.raises(OSError):
        while True:
            fh.write(b"\0" * 2 ** 16)
    res = run(cli(out, "export", "--format", "nt", "--output", str(tmpfs.point / "x.nt")))
    assert one_error(res) == f"error: cannot write {tmpfs.point / 'x.nt'}: no space left on device"
    assert not (tmpfs.point / "x.nt").exists() and whole(out) == old_sha

    filler.unlink()
    remount(tmpfs.point, "size=64m")
    res = run(build_cmd(out, new_records))
    assert res.returncode == 0, res.stderr
    assert whole(out) == new_sha
