"""Logs for operators: one line per event, with a timestamp and a level, as text or as JSON.

Secrets cannot leak through them: the settings hold tokens as SecretStr, and on top of that a
filter on our handler replaces every configured secret value (and its Basic-auth form) wherever it
appears — message, arguments, extra fields, tracebacks — before any formatter sees the record.
"""

from __future__ import annotations

import base64
import json
import logging
import sys
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TextIO

from pydantic import BaseModel, SecretStr
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from service.settings import LoadedSettings

MASK = "***"
MIN_SECRET = 4  # shorter values would mask half the alphabet, and are no real secret anyway
NOISY = ("apscheduler", "urllib3", "requests_oauthlib", "alembic", "jira", "atlassian")
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


def secrets_of(loaded: LoadedSettings) -> list[str]:
    """Every secret value in the settings, in the forms a log line could show it."""
    found: list[str] = []
    _collect(loaded.settings, found)
    for auth in _auths(loaded.settings):
        email, token = getattr(auth, "email", None), auth.token.get_secret_value()
        if email:
            found.append(base64.b64encode(f"{email}:{token}".encode()).decode())
    try:
        password = make_url(loaded.settings.store.url).password
    except ArgumentError:
        password = None
    if password:
        found.append(str(password))
    return sorted({s for s in found if len(s) >= MIN_SECRET}, key=len, reverse=True)


def _collect(model: object, found: list[str]) -> None:
    if isinstance(model, SecretStr):
        found.append(model.get_secret_value())
    elif isinstance(model, BaseModel):
        for name in type(model).model_fields:
            _collect(getattr(model, name), found)
    elif isinstance(model, list | tuple):
        for item in model:
            _collect(item, found)
    elif isinstance(model, dict):
        for item in model.values():
            _collect(item, found)


def _auths(model: object) -> Iterable[Any]:
    if isinstance(model, BaseModel):
        if isinstance(getattr(model, "token", None), SecretStr):
            yield model
        for name in type(model).model_fields:
            yield from _auths(getattr(model, name))


class SecretRedactor(logging.Filter):
    """Masks the given secret values in everything a record will print."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if len(s) >= MIN_SECRET]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _RECORD_FIELDS:
                setattr(record, key, self._redact_value(value))
        return True

    def _redact_value(self, value: object) -> object:
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {k: self._redact_value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._redact_value(v) for v in value]
        return value


def _timestamp(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")


class TextFormatter(logging.Formatter):
    """`2026-11-24T07:00:00.123+01:00 INFO service.jobs: job sync done …` — one line."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{_timestamp(record)} {record.levelname} {record.name}: {record.getMessage()}"
        if record.exc_text:  # only logged at debug level; a traceback needs its lines
            line += "\n" + record.exc_text
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, then the event's own fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": _timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and key not in entry:
                entry[key] = value
        if record.exc_text:
            entry["traceback"] = record.exc_text
        return json.dumps(entry, default=str, ensure_ascii=False)


class _OurHandler(logging.StreamHandler[TextIO]):
    """The handler configure() installs (a second call replaces it). Without a stream of its own
    it writes to whatever sys.stderr is at the time, so a swapped stderr is never left dangling."""

    def __init__(self, stream: TextIO | None) -> None:
        super().__init__(stream or sys.stderr)
        self._follow = stream is None

    def emit(self, record: logging.LogRecord) -> None:
        if self._follow:
            self.stream = sys.stderr
        super().emit(record)


def configure(
    *,
    format: str = "text",
    level: str = "info",
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
) -> logging.Handler:
    """Route every log record to one handler on stderr (or `stream`) in the chosen format."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        # Ours from an earlier call, and the plain one logging.basicConfig() made; other
        # handlers (a test runner's capture, say) stay.
        if isinstance(handler, _OurHandler) or type(handler) is logging.StreamHandler:
            root.removeHandler(handler)
    handler = _OurHandler(stream)
    handler.addFilter(SecretRedactor(secrets))
    handler.setFormatter(JsonFormatter() if format == "json" else TextFormatter())
    root.addHandler(handler)
    numeric = logging.getLevelName(level.upper())
    root.setLevel(numeric)
    for name in ("connector", "rules", "reports", "service"):
        logging.getLogger(name).setLevel(numeric)
    for name in NOISY:  # their INFO lines are about HTTP calls and job plumbing, not events
        logging.getLogger(name).setLevel(max(numeric, logging.WARNING))
    # psycopg warns, beside the error it raises, when a lost connection breaks its pipeline:
    # the store's one-line error already says so.
    logging.getLogger("psycopg").setLevel(max(numeric, logging.ERROR))
    return handler


def configure_from(
    loaded: LoadedSettings,
    *,
    format: str | None = None,
    level: str | None = None,
    debug: bool = False,
) -> logging.Handler:
    """configure() from the settings' `logging` section; flags given on the command line win."""
    settings = loaded.settings.logging
    return configure(
        format=format or settings.format,
        level="debug" if debug else (level or settings.level),
        secrets=secrets_of(loaded),
    )
