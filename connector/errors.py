"""The exceptions Outcomes raises, and the exit code each one maps to.

    OutcomesError
    ├── UserError          exit 2: bad arguments, settings or catalogue (names file, key, value)
    │   └── BadQuery           Jira refused a JQL query (with Jira's own errorMessages)
    ├── ServiceError       exit 3: Jira or Confluence failed, or is out of reach
    │   ├── AuthError          credentials rejected (401)
    │   ├── Forbidden          no permission (403)
    │   ├── NotFound           no such resource (404): a wrong URL, or a page that was deleted
    │   ├── RateLimited        429 beyond the retry budget
    │   └── Unavailable        5xx, timeouts or connection errors beyond the retry budget
    └── LockHeld           exit 4: another run holds the lock; nothing was done

Messages are one line, say what to do, and never contain secrets, request headers or bodies.
"""

from __future__ import annotations


class OutcomesError(Exception):
    exit_code = 1


class UserError(OutcomesError):
    exit_code = 2


class BadQuery(UserError):
    def __init__(self, message: str, jql: str | None = None) -> None:
        super().__init__(message)
        self.jql = jql  # the refused query, so the caller can name the setting it came from


class ServiceError(OutcomesError):
    exit_code = 3


class AuthError(ServiceError):
    pass


class Forbidden(ServiceError):
    pass


class NotFound(ServiceError):
    pass


class RateLimited(ServiceError):
    pass


class Unavailable(ServiceError):
    pass


class LockHeld(OutcomesError):
    exit_code = 4
