"""Refuse SPARQL that would make the engine reach out to the network.

pyoxigraph 0.5 executes `SERVICE <iri> { … }` (and `SERVICE SILENT`) by sending an HTTP request to
the IRI, whatever its host: run by `bindergraph serve`, that lets any client (or any web page
through a browser) read services on the user's own network. Nothing else in a query fetches:
`FROM <http://…>` and `FROM NAMED` only select graphs already in the store, and `LOAD` is an
update, which the query parser rejects (the guard names it anyway, for a clear message).

It looks at code, not at text: the query is tokenized as the SPARQL grammar does, so a string
("SERVICE"), an IRI (<http://x/SERVICE>), the local part of a prefixed name (bg:service), a
variable (?service), a blank node, a language tag or a comment that merely contains the word passes.
Oxigraph's parser needs no boundary after a keyword (`SERVICESILENT<…>{}`, `SERVICEe:s {}` and
`?s ?p trueSERVICE<…>{}` all reach the network), so in code the word is refused wherever it occurs
in a word or in the prefix of a prefixed name (`service:` cannot be a prefix name here). Where the
lexing is ambiguous the guard reads code: an unterminated string, or a `<` that cannot start an
IRI, is read token by token. rdflib's SPARQL parser would find SERVICE too, but takes about 50 ms
per catalogue query, and cannot parse everything oxigraph accepts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import QueryError

# The message for each keyword that would fetch from the network.
REMOTE_KEYWORDS = {
    "SERVICE": "SERVICE is not allowed: a query runs on the local graph and never calls another endpoint",
    "LOAD": "LOAD is not allowed: the graph is read-only and nothing is fetched from the network",
}

_PN_EXTRA = "\u00b7\u0300-\u036f\u203f-\u2040"  # PN_CHARS beyond \w and '-'
_LOCAL_ESC = r"\\[_~.\-!$&'()*+,;=/?#@%]"  # PN_LOCAL_ESC: `bg:a\#b` is a name, not a comment
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_TOKEN = re.compile(rf"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:'{{0,2}}(?:[^'\\]|\\.))*'''
             | \"\"\"(?:"{{0,2}}(?:[^"\\]|\\.))*\"\"\"
             | '(?:[^'\\\r\n]|\\.)*'
             | "(?:[^"\\\r\n]|\\.)*")
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)
  | (?P<var>[?$][\w{_PN_EXTRA}]+)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<bnode>_:[\w.\-{_PN_EXTRA}]*)
  | (?P<pname>(?:[^\W\d_][\w.\-{_PN_EXTRA}]*)?:(?:[\w.\-:{_PN_EXTRA}]|%[0-9A-Fa-f]{{2}}|{_LOCAL_ESC})*)
  | (?P<word>[^\W\d][\w]*)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


@dataclass(frozen=True)
class Token:
    kind: str  # a group name of _TOKEN
    text: str
    offset: int


def tokens(query: str) -> list[Token]:
    """The query as SPARQL tokens (whitespace and comments included, so offsets stay exact)."""
    out, pos = [], 0
    while pos < len(query):
        m = _TOKEN.match(query, pos)
        out.append(Token(m.lastgroup, m.group(), pos))
        pos = m.end()
    return out


def _where(query: str, offset: int) -> str:
    line = query.count("\n", 0, offset) + 1
    column = offset - (query.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _keyword(tok: Token) -> str | None:
    """The remote keyword this code token may hold: SERVICE anywhere in a word or a prefix (the
    parser may split `trueSERVICE` or `SERVICEe:s`), LOAD as a word (it cannot run in a query)."""
    if tok.kind == "word" or tok.kind == "pname":
        code = tok.text.split(":", 1)[0].upper()
        if "SERVICE" in code:
            return "SERVICE"
        if tok.kind == "word" and code == "LOAD":
            return "LOAD"
    return None


def refuse_remote(query: str) -> None:
    """Raise QueryError if the query uses a keyword that makes the engine fetch from the network."""
    for tok in tokens(query):
        keyword = _keyword(tok)
        if keyword:
            raise QueryError(f"{REMOTE_KEYWORDS[keyword]} (`{tok.text}` at {_where(query, tok.offset)})")
