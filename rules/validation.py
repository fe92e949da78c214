"""Turn pydantic's validation errors into one line a person can act on.

`validate(Model, data, "okrs.yaml")` runs a pydantic model over parsed data (a mapping from YAML or
JSON) and, on failure, raises `ValidationProblem` for the FIRST error only:

    okrs.yaml: objectives[2].key_results[0].target: expected a number, got 'ten'

The message names the file, the key path and what is wrong; the only thing it shows from the data is
the offending value (shortened), so a secret elsewhere in the file can never end up in a log.

Messages for pydantic's own error types are written here in plain words. A validator inside a model
can raise `ValueError("must be ...")` (", got VALUE" is appended) or
`pydantic_core.PydanticCustomError(<any new type>, "the whole message")` (used as it is).
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import ErrorDetails
from pydantic_core.core_schema import ErrorType

M = TypeVar("M", bound=BaseModel)

VALUE_WIDTH = 60  # the longest shown value, in characters


class ValidationProblem(ValueError):
    """One problem in one file: `str(e)` is a single line "FILE: key.path: what is wrong"."""

    def __init__(self, filename: str, path: str, message: str) -> None:
        super().__init__(filename, path, message)
        self.filename = filename
        self.path = path
        self.message = message

    def __str__(self) -> str:
        where = f"{self.filename}: {self.path}" if self.path else self.filename
        return f"{where}: {self.message}"


def validate(model: type[M], data: object, filename: str) -> M:
    """Validate `data` with `model`; the first error becomes a `ValidationProblem`."""
    try:
        return model.model_validate(data)
    except PydanticValidationError as error:
        first = _first_error(error.errors(include_url=False))
        loc = tuple(first["loc"])
        if first["type"] == "extra_forbidden":
            # The unknown key is the last step; name the mapping that holds it.
            where = without_union_labels(model, loc[:-1])
            path, message = format_path(where), _unknown_key(model, where, loc[-1])
        else:
            path, message = format_path(without_union_labels(model, loc)), describe_error(first)
        # `from None`: pydantic's own text repeats input values; ours shows only the offending one.
        raise ValidationProblem(filename, path, message) from None


def _first_error(errors: Sequence[ErrorDetails]) -> ErrorDetails:
    """The first error, except that a misspelt key explains a missing one beside it."""
    first = errors[0]
    if first["type"] == "missing":
        parent = tuple(first["loc"])[:-1]
        for other in errors:
            if other["type"] == "extra_forbidden" and tuple(other["loc"])[:-1] == parent:
                return other
    return first


def format_path(loc: Sequence[int | str]) -> str:
    """('objectives', 2, 'key_results', 0, 'target') -> 'objectives[2].key_results[0].target'."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z0-9_-]+", part):
            text += f".{part}" if text else part
        else:
            text += f"[{show_value(part)}]"
    return text


def show_value(value: object) -> str:
    """The offending value as the user would recognise it, on one line, at most ~60 characters."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return show_number(value)
    text = repr(value)
    if isinstance(value, str) and len(text) > VALUE_WIDTH:
        return text[: VALUE_WIDTH - 2] + "…" + text[0]  # keep the closing quote
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


def show_number(number: float) -> str:
    """42.0 -> '42', 0.25 -> '0.25': as a person would write it."""
    if isinstance(number, float) and number.is_integer():
        return str(int(number))
    return str(number)


# --- messages ------------------------------------------------------------------------------------

_SIMPLE = {
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "int_type": "expected a number",
    "int_parsing": "expected a number",
    "decimal_type": "expected a number",
    "decimal_parsing": "expected a number",
    "int_from_float": "expected a whole number",
    "finite_number": "expected a finite number",
    "date_type": "expected a date like 2026-10-01",
    "date_parsing": "expected a date like 2026-10-01",
    "date_from_datetime_parsing": "expected a date like 2026-10-01",
    "date_from_datetime_inexact": "expected a date like 2026-10-01",
    "datetime_type": "expected a date and time like 2026-10-01T09:00:00",
    "datetime_parsing": "expected a date and time like 2026-10-01T09:00:00",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "string_type": "expected text",
    "string_unicode": "expected text",
    "list_type": "expected a list",
    "tuple_type": "expected a list",
    "set_type": "expected a list",
    "frozen_set_type": "expected a list",
    "iterable_type": "expected a list",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
    "mapping_type": "expected a mapping",
    "url_type": "expected a URL",
    "url_parsing": "expected a URL",
    "url_syntax_violation": "expected a URL",
    "url_scheme": "expected a URL",
}

_BOUNDS = {
    "greater_than": ("gt", "must be greater than {}"),
    "greater_than_equal": ("ge", "must be at least {}"),
    "less_than": ("lt", "must be less than {}"),
    "less_than_equal": ("le", "must be at most {}"),
    "multiple_of": ("multiple_of", "must be a multiple of {}"),
}

# pydantic's own error types; any other type comes from a PydanticCustomError and is used verbatim.
_PYDANTIC_OWN = frozenset(get_args(ErrorType))


def describe_error(error: Mapping[str, Any]) -> str:
    """One pydantic error (from `ValidationError.errors()`) in plain words, with the value."""
    kind: str = error["type"]
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    got = f", got {show_value(error.get('input'))}"
    if kind == "missing":
        return "missing required key"
    if kind in _SIMPLE:
        return _SIMPLE[kind] + got
    if kind in _BOUNDS:
        key, template = _BOUNDS[kind]
        bound = ctx.get(key)
        shown = show_number(bound) if isinstance(bound, float) else str(bound)
        return template.format(shown) + got
    if kind in {"literal_error", "enum"}:
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return f"expected one of {', '.join(choices)}" + got
    if kind == "string_too_short":
        least = ctx.get("min_length", 1)
        return ("must not be empty" if least == 1 else f"needs at least {least} characters") + got
    if kind == "string_too_long":
        return f"takes at most {ctx.get('max_length')} characters" + got
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        return f"needs at least {least} item{'s' if least != 1 else ''}" + got
    if kind == "too_long":
        return f"takes at most {ctx.get('max_length')} items" + got
    if kind == "string_pattern_mismatch":
        return f"does not match the pattern {ctx.get('pattern')}" + got
    if kind in {"value_error", "assertion_error"}:
        return str(ctx.get("error", "is not valid")) + got
    if kind not in _PYDANTIC_OWN and error.get("msg"):
        return str(error["msg"])  # a PydanticCustomError: its author wrote the whole message
    return _lower_first(str(error.get("msg", "is not valid"))) + got


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def closest(word: str, candidates: Sequence[str]) -> str | None:
    """The candidate most like `word` (difflib ratio >= 0.6); ties go to the earliest candidate."""
    best: tuple[float, int] | None = None
    for position, candidate in enumerate(candidates):
        ratio = difflib.SequenceMatcher(None, word, candidate).ratio()
        if ratio >= 0.6 and (best is None or ratio > best[0]):
            best = (ratio, position)
    return None if best is None else candidates[best[1]]


def _unknown_key(model: type[BaseModel], where: Sequence[int | str], key: int | str) -> str:
    message = f"unknown key {show_value(key)}"
    known = known_keys(model, where)
    close = closest(str(key), known)
    return f"{message} (did you mean {close!r}?)" if close else message


# --- which keys a model accepts at a path (for "did you mean") ------------------------------------


def known_keys(model: type[BaseModel], loc: Sequence[int | str]) -> list[str]:
    """The keys the model accepts at `loc`, following fields, lists and mappings; [] if unsure."""
    candidates: list[object] = [model]
    for part in loc:
        candidates = [step for c in candidates for step in _steps(c, part)]
    return [key for c in candidates for key in _keys_of(c)]


def without_union_labels(model: type[BaseModel], loc: Sequence[int | str]) -> tuple[int | str, ...]:
    """Drop the steps pydantic adds for a union member ('auth.CloudAuth.email' -> 'auth.email')."""
    kept: list[int | str] = []
    candidates: list[object] = [model]
    for part in loc:
        steps = [step for c in candidates for step in _steps(c, part)]
        members = [m for c in candidates for m in _flatten(c) if m is not type(None)]
        if not steps and isinstance(part, str) and len(members) > 1:
            # Not a key of any member: the label of the member pydantic tried; narrow to it.
            named = [m for m in members if getattr(m, "__name__", None) == part]
            candidates = named or members
            continue
        kept.append(part)
        candidates = steps
    return tuple(kept)


def _steps(annotation: object, part: int | str) -> list[object]:
    result: list[object] = []
    for kind in _flatten(annotation):
        origin = get_origin(kind)
        if isinstance(kind, type) and issubclass(kind, BaseModel) and isinstance(part, str):
            for name, info in kind.model_fields.items():
                if part in (name, info.alias):
                    result.append(info.annotation)
        elif origin in (list, tuple, set, frozenset, Sequence) and isinstance(part, int):
            result.extend(arg for arg in get_args(kind) if arg is not Ellipsis)
        elif origin in (dict, Mapping) and isinstance(part, str):
            result.extend(get_args(kind)[1:2])
    return result


def _flatten(annotation: object) -> list[object]:
    """Annotated[X, ...] -> [X]; X | Y | None -> [X, Y]."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _flatten(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [kind for arg in get_args(annotation) for kind in _flatten(arg)]
    return [annotation]


def _keys_of(annotation: object) -> list[str]:
    keys: list[str] = []
    for kind in _flatten(annotation):
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            keys.extend(info.alias or name for name, info in kind.model_fields.items())
    return keys
