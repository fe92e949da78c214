"""The exceptions Outcomes raises, and the exit code each one maps to.

    OutcomesError
    ├── UserError          exit 2: bad arguments, settings or catalogue (names file, key, value)
    ├── ServiceError       exit 3: Jira or Confluence unreachable, refused, or over the retry budget
    │   └── AuthError          credentials rejected (401) or not permitted (403)
    └── LockHeld           exit 4: another run holds the lock; nothing was done

Messages are one line, say what to do, and never contain secrets, request headers or bodies.
"""

from __future__ import annotations


class OutcomesError(Exception):
    exit_code = 1


class UserError(OutcomesError):
    exit_code = 2


class ServiceError(OutcomesError):
    exit_code = 3


class AuthError(ServiceError):
    pass


class LockHeld(OutcomesError):
    exit_code = 4
