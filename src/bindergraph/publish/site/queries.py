"""A catalogue query's page: its question, parameters, text, and its answer with the default parameters."""
from __future__ import annotations

import shlex

from ...query.engine import Engine, Result
from ...query.results import cell_parts, labels_for
from .index import documented_terms, page_iris
from .layout import Links, Place, esc


def query_body(engine: Engine, q, res: Result, place: Place) -> str:
    params = "".join(f"<tr><td><code>{esc(p.name)}</code></td><td>{esc(p.kind)}</td><td>{esc(p.default or '')}</td>"
                     f"<td>{esc(p.doc)}</td></tr>" for p in q.params)
    # the defaults spelled out: the command gives the answer below, and shows how to change it
    command = f"bindergraph query {q.id}" + "".join(f" --param {shlex.quote(f'{p.name}={p.default}')}"
                                                  for p in q.params if p.default)
    parts = [f"<h1>{esc(q.title)}</h1>", f"<p><strong>Question:</strong> {esc(q.question)}</p>",
             f"<p>Run it: <code>{esc(command)}</code> · <a href=\"{place.href(f'queries/{q.id}.rq')}\">{esc(q.id)}.rq</a></p>"]
    if params:
        parts.append("<h2>Parameters</h2><table><tr><th>name</th><th>kind</th><th>default</th><th>meaning</th></tr>"
                     f"{params}</table>")
    parts += ["<h2>Query</h2>", f"<pre>{esc(q.text)}</pre>",
              f"<h2>Answer with the default parameters</h2><p class=\"muted\">{len(res.rows)} rows.</p>",
              _answer_table(engine, res, place)]
    return "\n".join(parts)


def _answer_table(engine: Engine, res: Result, place: Place) -> str:
    labels = labels_for(engine, res)
    ctx = Links(place, page_iris(engine), documented_terms(engine), labels)
    head = "".join(f"<th>{esc(v)}</th>" for v in res.variables)
    body = []
    for row in res.rows:
        cells = []
        for v in res.variables:
            t = row.get(v)
            text = "".join(cell_parts(v, t, labels))  # the terminal table's cell: "label (id)", readable quotes
            cells.append(f"<td>{ctx.link(t.value, text) if t is not None and t.kind == 'uri' else esc(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"
