"""The HTTP layer: request parsing, auth, faults, routing and the request log.

Handlers are plain functions ``Request -> Response``; Jira's and Confluence's modules only
declare routes. Error bodies take each product's shape (Jira's ``errorMessages`` at the root,
Confluence's ``statusCode``/``message`` under ``/wiki``).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import socket
import struct
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

from .answers import AnswerCache, Stats
from .dataset import Credential
from .faults import Faults, Transit

CONFLUENCE_PREFIX = "/wiki"


class RequestRecord(NamedTuple):
    method: str
    path: str
    query: dict[str, list[str]]  # every value of every parameter, in order
    status: int


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Message
    body: bytes
    base_url: str
    user: Credential | None = None
    params: dict[str, str] = field(default_factory=dict)
    slept: float = 0.0  # the latency the faults added, not the sandbox's own time

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def json(self) -> Any:
        if not self.body.strip():
            raise BadRequest("The request body is empty; JSON was expected.")
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise BadRequest(f"Unexpected character in the JSON body: {exc}") from None


@dataclass
class Response:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    # The answer holds until the data changes (a search that does not depend on the clock).
    cacheable: bool = False


def query_text(query: dict[str, list[str]]) -> str:
    """The decoded query string, for faults that target a request by what it asks."""
    return "&".join(f"{name}={value}" for name, values in query.items() for value in values)


class BadRequest(Exception):
    """Raised by a handler to answer 400 in the product's error shape."""


Handler = Callable[[Request], Response]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    cached: bool = False  # its cacheable answers are kept until the data version moves


def route(method: str, pattern: str, handler: Handler, *, cached: bool = False) -> Route:
    return Route(method, re.compile(pattern + r"$"), handler, cached)


def jira_error(status: int, *messages: str, headers: dict[str, str] | None = None) -> Response:
    return Response(status, {"errorMessages": list(messages), "errors": {}}, headers or {})


def confluence_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    data = {
        "authorized": status not in (401, 403),
        "valid": False,
        "errors": [],
        "successful": False,
    }
    return Response(status, {"statusCode": status, "data": data, "message": message}, headers or {})


def error_for(
    path: str, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    if path.startswith(CONFLUENCE_PREFIX + "/api/v2/"):
        return confluence_v2_error(status, message, headers)
    if path.startswith(CONFLUENCE_PREFIX + "/"):
        return confluence_error(status, message, headers)
    return jira_error(status, message, headers=headers)


def confluence_v2_error(
    status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    """Confluence's v2 API answers errors as a list under ``errors``."""
    codes = {400: "INVALID_REQUEST_PARAMETER", 401: "UNAUTHORIZED", 403: "FORBIDDEN"}
    codes |= {404: "NOT_FOUND", 409: "CONFLICT", 429: "TOO_MANY_REQUESTS"}
    error = {"status": status, "code": codes.get(status, "ERROR"), "title": message, "detail": None}
    return Response(status, {"errors": [error]}, headers or {})


class App:
    """Everything a request passes through, independent of the socket server."""

    def __init__(
        self,
        routes: Iterable[Route],
        credentials: list[Credential],
        faults: Faults,
        state_lock: threading.RLock,
        version: Callable[[], int] = lambda: 0,
    ) -> None:
        self.routes = list(routes)
        self.state_lock = state_lock
        self.credentials = credentials
        self.faults = faults
        self.version = version  # the data version: cached answers are good while it stands
        self.answers = AnswerCache()
        self.base_url = ""
        self._log_lock = threading.Lock()
        self.log: list[RequestRecord] = []
        self.stats = Stats()

    def handle(self, req: Request) -> Response:
        query = query_text(req.query)
        delay = self.faults.delay(req.method, req.path, query)
        if delay:
            time.sleep(delay)
            req.slept = delay
        action = self.faults.take_action(req.method, req.path, query)
        if action is not None:
            action()
        failure = self.faults.take(req.path, req.method, query)
        if failure is not None:
            headers = (
                {} if failure.retry_after is None else {"Retry-After": str(failure.retry_after)}
            )
            return error_for(
                req.path,
                failure.status,
                f"The sandbox was told to fail this request with {failure.status}.",
                headers,
            )
        req.user = self.authenticate(req.headers.get("Authorization"))
        if req.user is None:
            headers = {"WWW-Authenticate": 'Basic realm="protected-area"'}
            if req.path.startswith(CONFLUENCE_PREFIX + "/"):
                return error_for(req.path, 401, "This request requires authentication.", headers)
            return jira_error(
                401,
                "You are not authenticated. Authentication required to perform this operation.",
                headers=headers,
            )
        path = req.path.rstrip("/") or "/"
        allowed = False
        for rt in self.routes:
            match = rt.pattern.match(path)
            if match is None:
                continue
            allowed = True
            if rt.method == req.method:
                req.params = match.groupdict()
                return self._answer(rt, req)
        if allowed:
            return error_for(req.path, 405, f"Method {req.method} is not allowed here.")
        return error_for(req.path, 404, f"No sandbox resource at {req.path}.")

    def _answer(self, rt: Route, req: Request) -> Response:
        key: str | None = None
        if rt.cached:
            # Everything a search answer depends on besides the data (its version is checked).
            pages = (self.faults.max_page_size, self.faults.search_window)
            key = repr((req.method, req.path, sorted(req.query.items()), req.body, pages))
            payload = self.answers.get(key, self.version())
            if payload is not None:  # no lock: the answer was whole when it was kept
                with self._log_lock:
                    self.stats.cached += 1
                return Response(200, payload)
        try:
            # One request at a time reads or changes the state, so an answer is never
            # rendered from a half-made change (sockets are still served in parallel).
            with self.state_lock:
                version = self.version()
                resp = rt.handler(req)
        except BadRequest as exc:
            return error_for(req.path, 400, str(exc))
        if key is not None and resp.cacheable and resp.status == 200:
            body = resp.body if isinstance(resp.body, bytes) else json.dumps(resp.body).encode()
            self.answers.put(key, version, body)
        return resp

    def reset_stats(self) -> None:
        with self._log_lock:
            self.stats = Stats()

    def count(self, seconds: float, cpu: float) -> None:
        with self._log_lock:
            self.stats.requests += 1
            self.stats.seconds += seconds
            self.stats.cpu_seconds += cpu

    def authenticate(self, header: str | None) -> Credential | None:
        scheme, _, value = (header or "").partition(" ")
        if scheme.lower() == "basic":
            try:
                user, _, token = base64.b64decode(value.strip()).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return None
            return next((c for c in self.credentials if c.user == user and c.token == token), None)
        if scheme.lower() == "bearer":
            return next((c for c in self.credentials if c.token == value.strip()), None)
        return None

    def record(self, rec: RequestRecord) -> None:
        with self._log_lock:
            self.log.append(rec)

    def records(self) -> list[RequestRecord]:
        with self._log_lock:
            return list(self.log)

    def reset_records(self) -> None:
        with self._log_lock:
            self.log.clear()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the client libraries pool connections
    server_version = "OutcomesSandbox/1"
    timeout = 60  # an idle keep-alive connection frees its thread after this
    # Headers and body go out in two writes; with Nagle on, each answer waits ~40 ms for an ACK.
    disable_nagle_algorithm = True
    server: SandboxHTTPServer

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        started, cpu = time.perf_counter(), time.thread_time()
        app = self.server.app
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        req = Request(method, parts.path, query, self.headers, body, app.base_url)
        transit = app.faults.take_transit(method, parts.path, query_text(query))
        if transit is Transit.RESET:
            app.record(RequestRecord(method, parts.path, query, 0))
            self._reset()
            return
        if transit is Transit.HTML:
            app.record(RequestRecord(method, parts.path, query, 200))
            self._send(200, PROXY_PAGE, {"Content-Type": "text/html; charset=utf-8"})
            return
        try:
            resp = app.handle(req)
        except Exception as exc:  # a sandbox bug: answer 500 and say where, never hang
            traceback.print_exc()
            resp = error_for(parts.path, 500, f"Sandbox error: {type(exc).__name__}: {exc}")
        if isinstance(resp.body, bytes):  # a file download, sent as it is
            payload = resp.body
        else:
            payload = b"" if resp.body is None else json.dumps(resp.body).encode("utf-8")
        # Logged before answering, so a client that got its answer always finds the record.
        app.record(RequestRecord(method, parts.path, query, resp.status))
        app.count(time.perf_counter() - started - req.slept, time.thread_time() - cpu)
        if transit is Transit.LOST:
            self._reset()
            return
        headers = dict(resp.headers)
        headers.setdefault("Content-Type", "application/json;charset=UTF-8")
        if transit is Transit.CHUNKED:
            self._send_broken_chunks(resp.status, payload, headers)
            return
        cut = len(payload) // 2 if transit is Transit.TRUNCATE else None
        self._send(resp.status, payload, headers, cut=cut)

    def _send(
        self, status: int, payload: bytes, headers: dict[str, str], cut: int | None = None
    ) -> None:
        """Answer with ``payload``; with ``cut``, announce all of it but send only that many
        bytes and close, as a connection dropped mid-answer does."""
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if cut is None:
            self.wfile.write(payload)
            return
        self.wfile.write(payload[:cut])
        self.wfile.flush()
        self._reset()

    def _send_broken_chunks(self, status: int, payload: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        first = payload[: max(1, len(payload) // 2)]
        self.wfile.write(f"{len(first):x}\r\n".encode() + first + b"\r\n")
        self.wfile.flush()
        self._reset()

    def _reset(self) -> None:
        """Drop the connection at once (an RST, no answer or the rest of one)."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.connection.close()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # tests and benchmarks read Sandbox.requests instead of stderr


# What a reverse proxy or captive portal answers in place of the service's JSON.
PROXY_PAGE = (
    b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
    b"<body><h1>Bad Gateway</h1><p>The upstream server did not answer.</p></body></html>"
)


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: App) -> None:
        self.app = app
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up first (it gave up on a slow answer) is no sandbox error."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)
