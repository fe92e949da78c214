"""The exceptions Outcomes raises, and the exit code each one maps to.

    OutcomesError
    ├── UserError          exit 2: bad arguments, settings or catalogue (names file, key, value)
    │   └── BadQuery           Jira refused a JQL query (with Jira's own errorMessages)
    ├── ServiceError       exit 3: Jira or Confluence failed, or is out of reach
    │   ├── AuthError          credentials rejected (401)
    │   ├── Forbidden          no permission (403)
    │   ├── NotFound           no such resource (404): a wrong URL, or a page that was deleted
    │   ├── RateLimited        429 beyond the retry budget
    │   ├── Unavailable        5xx, timeouts, connection errors or garbled answers beyond the
    │   │                      retry budget
    │   ├── AnswerLost         a write was sent but its answer was lost (reset, timeout, cut
    │   │                      off): it may have taken effect, so it is not blindly sent again
    │   ├── StoreUnavailable   the store's database failed or dropped the connection
    │   └── LockLost           the run's lock was lost mid-run; it stopped without committing
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


class AnswerLost(ServiceError):
    """A write (POST/PUT) reached the service but its answer never came back whole. The write
    may have happened; the caller re-reads before it writes again (one page, not the run)."""


class StoreUnavailable(ServiceError):
    pass


class LockLost(ServiceError):
    pass


class LockHeld(OutcomesError):
    exit_code = 4
