"""Claim overrides: the file (settings `claims.overrides`) where leaders set or take back an epic's
claim by hand, read and checked."""

from __future__ import annotations

from rules.errors import UserError
from rules.overrides import Override, parse_overrides
from rules.validation import ValidationProblem
from service.settings import LoadedSettings, read_yaml


def read_overrides(loaded: LoadedSettings) -> tuple[Override, ...]:
    name = loaded.settings.claims.overrides
    if name is None:
        return ()
    path = loaded.resolve(name)
    try:
        return parse_overrides(read_yaml(path), str(path))
    except ValidationProblem as problem:
        raise UserError(str(problem)) from None
