"""What can go wrong between Outcomes and Jira or Confluence, told apart so the retry policy can
decide: a status the service answered (429, 5xx), or an answer that never came whole.

`watch(session)` puts a response hook on a client's `requests` session (the `jira` client's and
the `atlassian` client's alike). It reads each answer before the client does and turns a garbled
one into `Garbled`, which names the request: a body cut off (truncated, or a chunked answer that
broke off) and a 2xx that is not JSON (a proxy's HTML page, a captive portal). Without it those
surface as a `JSONDecodeError` or `ChunkedEncodingError` deep inside the client, with no request
to name. `fault_of` describes any such failure as a `Fault`: what went wrong, which request
(method and path only: never the query, headers or body), and whether the request was sent at
all (a connection that was never made is safe to try again, even for a write).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson
import requests
from urllib3.exceptions import NewConnectionError


class Garbled(requests.RequestException):
    """An answer arrived, but not whole or not in the service's format."""

    def __init__(self, kind: str, response: requests.Response) -> None:
        super().__init__(kind, request=response.request, response=response)
        self.kind = kind


# What a client raises when an answer went missing or came garbled (besides status errors).
TRANSIT_ERRORS: tuple[type[Exception], ...] = (
    Garbled,
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    json.JSONDecodeError,  # requests' JSONDecodeError is one too
)


@dataclass(frozen=True)
class Fault:
    """One failed attempt, as the retry policy sees it."""

    what: str  # "truncated answer", "HTTP 502", "connection reset", ...
    request: str | None  # "GET /rest/api/2/search": method and path, nothing else
    status: int | None = None  # the HTTP status, when the service answered one
    retry_after: str | None = None  # the Retry-After header of a 429 or 503
    sent: bool = True  # False: the connection was never made, so nothing reached the service


def watch(session: requests.Session) -> None:
    """Check every answer on `session` before the client reads it (see the module's doc)."""
    if _check_answer not in session.hooks.setdefault("response", []):
        session.hooks["response"].append(_check_answer)


def _check_whole(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    _whole_json(response)  # a hook that returned a value would replace the response


# For a request whose caller reads the JSON itself with `read_json`: the answer is checked as
# `watch` checks it, but parsed once, by the caller (a sync parses megabytes of search pages).
PARSED_BY_CALLER = {"response": [_check_whole]}


def read_json(response: requests.Response) -> Any:
    """The answer's JSON, parsed once; `Garbled` (naming the request) when it is not JSON."""
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        raise Garbled("an answer that is not JSON", response) from None


def _check_answer(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    body = _whole_json(response)
    if body is not None:
        read_json(response)


def _whole_json(response: requests.Response) -> bytes | None:
    """The body of a 2xx JSON answer (None for other answers); `Garbled` when it came cut off,
    or as something other than JSON (a proxy's HTML page)."""
    if response.is_redirect:
        return None
    try:
        body = response.content  # read the whole answer now: a cut-off one fails here
    except (
        requests.exceptions.ChunkedEncodingError,
        requests.exceptions.ContentDecodingError,
        requests.ConnectionError,
    ):
        chunked = "chunked" in response.headers.get("Transfer-Encoding", "").lower()
        kind = "broken chunked answer" if chunked else "truncated answer"
        raise Garbled(kind, response) from None
    if not 200 <= response.status_code < 300 or not body.strip():
        return None
    kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if "json" not in kind:
        said = "an HTML page" if "html" in kind else f"a {kind or 'untyped'} answer"
        raise Garbled(f"{said} instead of JSON", response)
    return body


def request_line(request: Any) -> str | None:
    """`METHOD /path` of a prepared request; None when there is none."""
    method, url = getattr(request, "method", None), getattr(request, "url", None)
    if not method or not url:
        return None
    return f"{method} {urlsplit(str(url)).path}"


def fault_of(exc: Exception, fallback: str | None = None) -> Fault:
    """Describe a transport failure (one of TRANSIT_ERRORS, or Garbled)."""
    request = request_line(getattr(exc, "request", None)) or fallback
    if isinstance(exc, Garbled):
        return Fault(exc.kind, request)
    if isinstance(exc, requests.ConnectTimeout):
        return Fault("no connection within the timeout", request, sent=False)
    if isinstance(exc, requests.Timeout):
        return Fault("no answer within the timeout", request)
    if isinstance(exc, requests.ConnectionError):
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        if isinstance(reason, NewConnectionError):
            return Fault("could not connect", request, sent=False)
        return Fault("connection reset", request)
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return Fault("truncated answer", request)
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return Fault("an answer that could not be decoded", request)
    return Fault("an answer that is not JSON", request)


def status_fault(response: requests.Response | None, fallback: str | None = None) -> Fault:
    """Describe an answer with an error status (429, 5xx)."""
    status = getattr(response, "status_code", None)
    request = request_line(getattr(response, "request", None)) or fallback
    headers: Any = getattr(response, "headers", None) or {}
    retry_after = headers.get("Retry-After")
    return Fault(
        f"HTTP {status}",
        request,
        status=status,
        retry_after=str(retry_after) if retry_after is not None else None,
    )
