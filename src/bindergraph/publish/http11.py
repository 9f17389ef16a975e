"""A small, strict HTTP/1.1 server on asyncio, for `bindergraph serve`.

Why not `http.server` or a server library: the standard library's server spends a thread on every
connection (2,000 idle sockets were 2,001 threads) and has no timeouts; waitress (the well-kept
pure-Python choice) would give strict Content-Length parsing, 413 and HEAD, but runs requests on a
thread pool (queries are forked from the server, and forking a threaded process is unsafe), has no
deadline for a request head that trickles in, and stops accepting once its connection limit is
reached. Here one event loop holds every connection (an idle one costs a socket, no thread), and:

- a request head must be complete within `head_timeout` of the connection opening or of the
  previous response (idle keep-alive connections and slowly sent headers alike);
- Content-Length is strict: one header, digits only, at most `max_body` (413 without reading the
  body); a POST needs one (411); Transfer-Encoding is refused (411);
- at `max_connections`, a new client closes the connection that has waited longest for a request,
  so idle sockets cannot lock others out;
- HEAD is answered as GET without a body.
"""
from __future__ import annotations

import asyncio
import re
import socket
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from typing import Awaitable, Callable

_TOKEN = rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_REQUEST_LINE = re.compile(rb"(" + _TOKEN + rb") (\S+) HTTP/(1\.[01])")
_HEADER = re.compile(rb"(" + _TOKEN + rb"):[ \t]*([^\x00-\x08\x0a-\x1f\x7f]*?)[ \t]*")
_DIGITS = re.compile(r"[0-9]{1,15}")
_LINGER_SECONDS = 2.0  # after an error answer, how long a client may finish sending
_BACKLOG = 1024  # pending connections the kernel queues (asyncio's default of 100 drops a burst)


@dataclass(frozen=True)
class Limits:
    max_body: int = 1_000_000  # bytes of a request body (larger: 413, unread)
    max_head: int = 16_384  # bytes of request line and headers (larger: 431)
    head_timeout: float = 10.0  # seconds to receive a request head (idle or slow: the connection closes)
    body_timeout: float = 30.0  # seconds to receive a body, and to send a response
    max_connections: int = 1000


@dataclass
class Request:
    method: str
    target: str
    version: str  # "1.1" or "1.0"
    headers: dict[str, str]  # lower-case names; a repeated header's values joined with ", "
    body: bytes = b""

    def header(self, name: str) -> str:
        return self.headers.get(name, "")

    @property
    def keep_alive(self) -> bool:
        tokens = {t.strip().lower() for t in self.header("connection").split(",")}
        return "keep-alive" in tokens if self.version == "1.0" else "close" not in tokens


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)


class HttpError(Exception):
    """A request answered with an error status, after which the connection closes (its body may be
    unread, or the stream out of step)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


Handler = Callable[[Request], Awaitable[Response]]


def encode(resp: Response, head_only: bool = False, close: bool = False) -> bytes:
    """Status line, headers and (unless head_only, or a status without content) the body."""
    lines = [f"HTTP/1.1 {resp.status} {HTTPStatus(resp.status).phrase}",
             f"Date: {formatdate(usegmt=True)}", "Server: bindergraph"]
    no_content = resp.status in (204, 304) or resp.status < 200
    if not no_content:
        lines += [f"Content-Type: {resp.content_type}", f"Content-Length: {len(resp.body)}"]
    lines += [f"{k}: {v}" for k, v in resp.headers]
    if close:
        lines.append("Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head if head_only or no_content else head + resp.body


def parse_head(head: bytes) -> Request:
    """The request line and headers (without the final blank line); HttpError(400) if malformed."""
    line, *fields = head.split(b"\r\n")
    m = _REQUEST_LINE.fullmatch(line)
    if not m:
        raise HttpError(400, "malformed request line")
    headers: dict[str, str] = {}
    for raw in fields:
        h = _HEADER.fullmatch(raw)
        if not h:
            raise HttpError(400, "malformed header line")
        name, value = h.group(1).decode().lower(), h.group(2).decode("latin-1")
        if name == "content-length" and name in headers:
            raise HttpError(400, "duplicate Content-Length header")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return Request(m.group(1).decode(), m.group(2).decode("latin-1"), m.group(3).decode(), headers)


def body_length(req: Request, limits: Limits) -> int:
    """The declared body length, checked before anything of the body is read."""
    if "transfer-encoding" in req.headers:
        raise HttpError(411, "Transfer-Encoding is not supported: send the body with a Content-Length")
    value = req.headers.get("content-length")
    if value is None:
        if req.method == "POST":
            raise HttpError(411, "a POST needs a Content-Length header")
        return 0
    if not _DIGITS.fullmatch(value):
        raise HttpError(400, f"invalid Content-Length: {value[:40]!r}")
    if int(value) > limits.max_body:
        raise HttpError(413, f"request body of {int(value)} bytes exceeds the limit of {limits.max_body} bytes")
    return int(value)


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket (IPv6 if the host is an IPv6 address); port 0 picks a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=_BACKLOG)


@dataclass(eq=False)
class _Connection:
    writer: asyncio.StreamWriter
    task: asyncio.Task
    waiting_since: float | None = None  # monotonic time since it waits for a request head, None while busy


class Http11Server:
    """Serves `handler` on an already bound, listening socket until `close()`."""

    def __init__(self, sock: socket.socket, handler: Handler, limits: Limits):
        self.sock, self.handler, self.limits = sock, handler, limits
        self.connections: set[_Connection] = set()
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, sock=self.sock, limit=self.limits.max_head,
                                                  backlog=_BACKLOG)

    def fds(self) -> list[int]:
        """File descriptors of the listening socket and of every open connection."""
        conns = [c.writer.get_extra_info("socket") for c in self.connections]
        return [self.sock.fileno(), *(s.fileno() for s in conns if s is not None)]

    async def close(self, grace: float = 0.5) -> None:
        """Stop accepting; close idle connections at once, busy ones once answered (or after grace)."""
        if self._server:
            self._server.close()
        for idle_only in (True, False):
            conns = [c for c in self.connections if c.waiting_since is not None or not idle_only]
            for conn in conns:
                conn.writer.close()
            tasks = [c.task for c in self.connections]
            if tasks:
                await asyncio.wait(tasks, timeout=grace)
        for conn in list(self.connections):
            conn.task.cancel()

    # ------------------------------------------------------------------ one connection
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = _Connection(writer, asyncio.current_task(), time.monotonic())
        if not self._admit():
            writer.write(encode(Response(503, b"too many connections\n"), close=True))
            return await self._close(writer)
        self.connections.add(conn)
        try:
            while await self._exchange(reader, conn):
                conn.waiting_since = time.monotonic()
        except HttpError as exc:
            writer.write(encode(Response(exc.status, f"{exc}\n".encode()), close=True))
            await self._linger(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.TimeoutError):
            pass
        finally:
            self.connections.discard(conn)
            await self._close(writer)

    def _admit(self) -> bool:
        """Room for one more connection, closing the one idle longest if the server is full."""
        if len(self.connections) < self.limits.max_connections:
            return True
        idle = [c for c in self.connections if c.waiting_since is not None]
        if not idle:
            return False
        oldest = min(idle, key=lambda c: c.waiting_since)
        self.connections.discard(oldest)
        oldest.writer.close()
        return True

    async def _exchange(self, reader: asyncio.StreamReader, conn: _Connection) -> bool:
        """Read one request, answer it; whether the connection stays open."""
        head = await self._read_head(reader)
        if head is None:
            return False
        conn.waiting_since = None
        req = parse_head(head)
        length = body_length(req, self.limits)
        if length:
            if req.header("expect").lower() == "100-continue":
                conn.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            req.body = await asyncio.wait_for(reader.readexactly(length), self.limits.body_timeout)
        resp = await self.handler(req)
        conn.writer.write(encode(resp, head_only=req.method == "HEAD", close=not req.keep_alive))
        await asyncio.wait_for(conn.writer.drain(), self.limits.body_timeout)
        return req.keep_alive

    async def _read_head(self, reader: asyncio.StreamReader) -> bytes | None:
        """The next request head, or None when the client closed or stayed silent too long.
        Blank lines before a request line are skipped (RFC 9112, 2.2), within the same deadline."""
        deadline = time.monotonic() + self.limits.head_timeout
        head = b""
        while not head:
            try:
                raw = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), deadline - time.monotonic())
            except asyncio.LimitOverrunError:
                raise HttpError(431, f"request head exceeds {self.limits.max_head} bytes") from None
            except asyncio.IncompleteReadError as exc:
                if exc.partial.strip():
                    raise HttpError(400, "incomplete request head") from None
                return None
            except asyncio.TimeoutError:
                return None
            head = raw.lstrip(b"\r\n")
        return head[:-4]

    @staticmethod
    async def _linger(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """After an error answer, discard what the client still sends (the rest of a refused body)
        for a moment, so that it reads the answer instead of a connection reset."""
        deadline = time.monotonic() + _LINGER_SECONDS
        try:
            await asyncio.wait_for(writer.drain(), _LINGER_SECONDS)
            if writer.can_write_eof():
                writer.write_eof()
            while await asyncio.wait_for(reader.read(1 << 16), deadline - time.monotonic()):
                pass
        except (ConnectionError, asyncio.TimeoutError):
            pass

    @staticmethod
    async def _close(writer: asyncio.StreamWriter) -> None:
        try:
            await asyncio.wait_for(writer.drain(), 1.0)
        except (ConnectionError, asyncio.TimeoutError):
            pass
        writer.close()
