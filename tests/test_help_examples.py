"""Every example in every `--help` text runs: a user who copies one gets an answer, not an error.

Examples are the lines of a help text that start with `bindergraph ` (a trailing `# comment` is dropped).
They run through click's runner against the session's full build; examples that write files run in a
temporary working directory; `build` examples build into a temporary output folder; `--endpoint`
examples are sent to a live `bindergraph serve` on a free port; `serve` itself blocks, so its examples
are only parsed (its behaviour is tested in test_serve.py).
"""
from __future__ import annotations

import re
import shlex

import click
import pytest
from click.testing import CliRunner

from bindergraph import paths
from bindergraph.cli import main
from serving import serving, url

_EXAMPLE = re.compile(r"^\s*(bindergraph\s.*?)\s*(?:#.*)?$")


def _help_texts() -> dict[str, str]:
    runner = CliRunner()
    texts = {"bindergraph": runner.invoke(main, ["--help"], terminal_width=200).output}
    for name in sorted(main.commands):
        texts[name] = runner.invoke(main, [name, "--help"], terminal_width=200).output
    return texts


def _examples() -> list[tuple[str, str]]:
    out = []
    for command, text in _help_texts().items():
        for line in text.splitlines():
            m = _EXAMPLE.match(line)
            if m:
                out.append((command, m.group(1)))
    return out


EXAMPLES = _examples()


def test_every_command_has_examples():
    commands = {c for c, _ in EXAMPLES}
    assert set(main.commands) <= commands, sorted(set(main.commands) - commands)


@pytest.fixture(scope="module")
def endpoint_url(full_build):
    with serving(full_build, timeout=10.0, max_rows=10000) as server:
        yield url(server)


def _args(example: str, out: str, endpoint: str | None) -> list[str]:
    args = shlex.split(example)[1:]
    if "--out" in args:  # the example names its own output folder: keep it inside the temporary cwd
        args[args.index("--out") + 1] = out
    else:
        args = ["--out", out, *args]
    if endpoint and "--endpoint" in args:
        args[args.index("--endpoint") + 1] = endpoint
    return args


@pytest.mark.parametrize("command, example", EXAMPLES, ids=[e for _, e in EXAMPLES])
def test_help_example_runs(command, example, full_build, tmp_path, monkeypatch, request):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").symlink_to(paths.RESOURCES / "data")  # examples run from a checkout name data/records
    (tmp_path / "my.rq").write_text("SELECT ?b WHERE { ?b a bg:SelfHealingBinder }\n", encoding="utf-8")
    (tmp_path / "binders.nq").symlink_to(paths.current_build(full_build) / "graph.nq")  # as `export --format nq` writes it
    words = shlex.split(example)
    building = len(words) > 1 and "build" in words[1:3]
    out = str(tmp_path / "out") if building else str(full_build)
    endpoint = request.getfixturevalue("endpoint_url") if "--endpoint" in words else None
    args = _args(example, out, endpoint)
    if "serve" in words:
        ctx = main.make_context("bindergraph", list(args))  # parses the group options
        sub = main.get_command(ctx, "serve")
        sub.make_context("serve", args[args.index("serve") + 1:], parent=ctx)  # raises on a bad option
        return
    res = CliRunner(env={"COLUMNS": "100"}).invoke(main, args, catch_exceptions=True)
    assert res.exception is None or isinstance(res.exception, SystemExit), (example, res.exception)
    assert res.exit_code == 0, (example, res.output[-500:])
    assert "Traceback" not in res.output
    assert not isinstance(res.exception, click.ClickException)
