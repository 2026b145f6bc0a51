"""One error hierarchy; mapped to problem+json (API) or a flash fragment (pages) in one place."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class FieldError:
    """One bad field: where it is (a path into the request) and what is wrong with it."""

    path: tuple[str | int, ...]
    message: str


class AttentError(Exception):
    """A failure a person can act on: a stable code, a sentence, an HTTP status."""

    status = 400
    title = "Bad request"

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class Invalid(AttentError):
    """The input breaks a rule; each offending field is named."""

    status = 422
    title = "Invalid input"

    def __init__(self, code: str, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(code, detail)
        self.errors = errors or []


class Unauthenticated(AttentError):
    """No valid credentials were presented."""

    status = 401
    title = "Not signed in"


class Forbidden(AttentError):
    """The actor is known but may not do this."""

    status = 403
    title = "Forbidden"


class NotFound(AttentError):
    """Nothing with that id exists for this actor (other organisations' rows included)."""

    status = 404
    title = "Not found"

    @classmethod
    def of(cls, thing: str, ident: object) -> "NotFound":
        """The standard 'no such thing' error."""
        return cls(f"{thing}_not_found", f"No {thing.replace('_', ' ')} with id {ident} exists.")


class Conflict(AttentError):
    """The request is well-formed but clashes with the current state."""

    status = 409
    title = "Conflict"


class TooLarge(AttentError):
    """The request body is larger than the configured limit."""

    status = 413
    title = "Request body too large"


class RateLimited(AttentError):
    """Too many attempts in too short a time; `retry_at` says when trying again is allowed."""

    status = 429
    title = "Too many requests"

    def __init__(self, code: str, detail: str, retry_at: datetime | None = None) -> None:
        super().__init__(code, detail)
        self.retry_at = retry_at
