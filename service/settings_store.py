"""`store.url`: checked when the settings load, so a wrong scheme or a missing driver is a one-line
user error naming the key, never an internal error later; its password is never shown."""

from __future__ import annotations

import re

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

BACKENDS = ("sqlite", "postgresql")
LIKE = "like sqlite:///outcomes.db or postgresql+psycopg://user@host/db"


def store_url_problem(value: str) -> str | None:
    """Why `value` cannot open a store, or None."""
    try:
        url = make_url(value)
    except (ArgumentError, ValueError):
        return f"expected a database URL {LIKE}, got {without_password(value)!r}"
    shown = url.render_as_string(hide_password=True)
    backend = url.get_backend_name()
    if backend not in BACKENDS:
        return f"unsupported database {backend!r} ({shown!r}); use a URL {LIKE}"
    try:
        dialect = url.get_dialect()
    except NoSuchModuleError:
        return f"no driver {url.get_driver_name()!r} for {backend} ({shown!r}); use a URL {LIKE}"
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        return (
            f"the driver for {shown!r} is not installed ({exc.name}); for PostgreSQL install "
            "outcomes[postgres] and write postgresql+psycopg://"
        )
    return None


def without_password(text: str) -> str:
    """`scheme://user:secret@host` -> `scheme://user:***@host`, for text that is no valid URL."""
    return re.sub(r"(//[^/@\s]*?:)[^/@\s]*@", r"\1***@", text)
