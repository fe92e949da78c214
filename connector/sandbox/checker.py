"""Validation helpers that phrase every dataset error as one line naming the file and key."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any


class DatasetError(ValueError):
    """A dataset that cannot be served; the message is one line naming file and key."""


class Checker:
    """Builds error messages that name the source and the key path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> DatasetError:
        return DatasetError(f"{self.source}: {where}: {message}")

    def mapping(self, value: Any, where: str, allowed: Iterable[str]) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(where, f"expected a mapping, got {type(value).__name__}")
        unknown = sorted(set(map(str, value)) - set(allowed))
        if unknown:
            raise self.fail(where, f"unknown key '{unknown[0]}'")
        return value

    def items(self, value: Any, where: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(where, f"expected a list, got {type(value).__name__}")
        return value

    def text(self, value: Any, where: str, *, optional: bool = False) -> str | None:
        if value is None and optional:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"expected a non-empty string, got {value!r}")
        return value

    def req(self, value: Any, where: str) -> str:
        result = self.text(value, where)
        assert result is not None
        return result

    def when(self, value: Any, where: str) -> datetime:
        if isinstance(value, datetime):
            return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day, tzinfo=UTC)
        if isinstance(value, int) and not isinstance(value, bool):
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        if isinstance(value, str):
            try:
                return self.when(datetime.fromisoformat(value), where)
            except ValueError:
                pass
        raise self.fail(where, f"expected an ISO date-time, got {value!r}")
