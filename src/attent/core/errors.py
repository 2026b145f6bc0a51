"""One error hierarchy; mapped to problem+json (API) or a flash fragment (pages) in one place.

An error keeps its English sentence as a template and the values that fill it in, so each reader gets
it in their own language: `Conflict("team_exists", "A team named {name} already exists.", name=name)`.
The template is the catalog's msgid; a value that is a machine word (a status, a role) is passed as an
`i18n.Label` and shown as its label.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from attent.core.i18n import Label, gettext


@dataclass(frozen=True)
class FieldError:
    """One bad field: where it is (a path into the request) and what is wrong with it."""

    path: tuple[str | int, ...]
    message: str  # an English template, the catalog's msgid
    params: Mapping[str, object] = field(default_factory=dict, hash=False)

    def say(self, language: str) -> str:
        """The message in `language`, values filled in."""
        return gettext(language, self.message, **self.params)

    @classmethod
    def because(cls, path: tuple[str | int, ...], exc: ValueError) -> "FieldError":
        """A refused value's error: a `BadValue` keeps its template and values, any other its sentence."""
        if isinstance(exc, BadValue):
            return cls(path, exc.template, exc.params)
        return cls(path, str(exc))


class BadValue(ValueError):
    """A pydantic validator's refusal with values in it: the template and values travel separately."""

    def __init__(self, template: str, **params: object) -> None:
        self.template, self.params = template, params
        super().__init__(gettext("en", template, **params))


class AttentError(Exception):
    """A failure a person can act on: a stable code, a sentence, an HTTP status."""

    status = 400
    title = "Bad request"

    def __init__(
        self, code: str, detail: str, params: Mapping[str, object] | None = None, **values: object
    ) -> None:
        self.code = code
        self.template = detail
        self.params: dict[str, object] = {**(params or {}), **values}
        self.detail = self.say("en")  # the English sentence, for logs and the command line
        super().__init__(self.detail)

    def say(self, language: str) -> str:
        """The sentence in `language`, values filled in."""
        return gettext(language, self.template, **self.params)

    def heading(self, language: str) -> str:
        """The title ("Conflict", "Not found") in `language`."""
        return gettext(language, self.title)

    def more(self, language: str) -> dict[str, object]:
        """Members the problem+json body carries besides the standard ones (a refused batch's cases)."""
        return {}


class Invalid(AttentError):
    """The input breaks a rule; each offending field is named."""

    status = 422
    title = "Invalid input"

    def __init__(
        self,
        code: str,
        detail: str,
        errors: list[FieldError] | None = None,
        params: Mapping[str, object] | None = None,
        **values: object,
    ) -> None:
        super().__init__(code, detail, params, **values)
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
        """The standard 'no such thing' error; `thing` is a word the catalog names ("case", "gesture")."""
        return cls(
            f"{thing}_not_found", "No {thing} with id {id} exists.", thing=Label(thing, "thing"), id=ident
        )


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

    def __init__(
        self,
        code: str,
        detail: str,
        retry_at: datetime | None = None,
        params: Mapping[str, object] | None = None,
        **values: object,
    ) -> None:
        super().__init__(code, detail, params, **values)
        self.retry_at = retry_at
