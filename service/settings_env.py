"""`${VAR}` in the settings: replaced by the environment's value when the file loads.

A missing or empty variable is an error naming the file, the key and the variable, except in a
service's `auth`: those secrets are needed only to reach Jira or Confluence, so there the error
waits until the service is contacted (`Auth.require`), and the commands that read only the store
run without them.
"""

from __future__ import annotations

import re

from rules.validation import ValidationProblem

ENV_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
BARE_VAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")  # $TOKEN: almost certainly meant ${TOKEN}
# Secrets needed only to reach Jira or Confluence: a missing one is an error only then, so the
# commands that read the store alone (check, export, status, ...) run without them.
LAZY_SECRETS = ("jira.auth.", "confluence.auth.")


def interpolate(
    data: object,
    filename: str,
    environ: dict[str, str],
    path: str = "",
    unresolved: dict[str, str] | None = None,
) -> object:
    """Replace `${VAR}` in every string with the environment's value; a missing or empty VAR is
    an error, except in a service's auth: there it is noted in `unresolved` (path -> message) and
    the text is kept, to fail when that service is contacted."""
    if isinstance(data, dict):
        return {
            k: interpolate(v, filename, environ, _join(path, str(k)), unresolved)
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [
            interpolate(v, filename, environ, f"{path}[{i}]", unresolved)
            for i, v in enumerate(data)
        ]
    if not isinstance(data, str):
        return data
    _refuse_bare_variable(data, filename, path)
    lazy = unresolved is not None and path.startswith(LAZY_SECRETS)
    problems: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        value = environ.get(name)
        if value:
            return value
        why = "is not set; export it first" if value is None else "is empty; export its value"
        problems.append(f"environment variable {name} {why}")
        return match.group(0)

    text = ENV_VAR.sub(substitute, data)
    if problems and lazy:
        assert unresolved is not None
        unresolved[path] = str(ValidationProblem(filename, path, problems[0]))
        return data
    if problems:
        raise ValidationProblem(filename, path, problems[0])
    return text


def _refuse_bare_variable(text: str, filename: str, path: str) -> None:
    """`token: $JIRA_TOKEN` would be sent as it is (and fail as a 401): say how to write it."""
    secret = ".auth." in f".{path}" or path == "store.url"
    match = BARE_VAR.fullmatch(text.strip()) or (BARE_VAR.search(text) if secret else None)
    if match is not None:
        name = match.group(1)
        raise ValidationProblem(
            filename,
            path,
            f"${name} is not replaced; write ${{{name}}} to read it from the environment",
        )


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
