"""Settings → Telefoon: the phone line as a page (what PUT /api/v1/phone/line sets), for admins.

Queues and extensions are typed the way an admin knows them, one per line: `support = Front` (a team
by name) and `201 = anna@example.nl` (an agent by e-mail); the page turns them into the ids the API
takes. The secret is on the answer to the form that made or rotated it, and never again. Plain forms
with the CSRF token, as every admin page: it works without JavaScript.
"""

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from attent.agents import Agent, CurrentAgent, Role, Team
from attent.agents.service import require_role
from attent.core.deps import ClockDep, DbSession, SettingsDep
from attent.core.errors import AttentError, FieldError, Invalid
from attent.core.i18n import gettext
from attent.core.labels import N_
from attent.core.templating import check_csrf, page_language, render
from attent.phone import service
from attent.phone.schemas import PhoneLineIn, PhoneLineRead

router = APIRouter(include_in_schema=False)
# What each field wants, said when the value is refused (the reader's language through the catalog).
WANTS = {
    "provider": N_("Choose the telephone system: generic or Twilio."),
    "twilio_auth_token": N_("Twilio's auth token is at least 8 characters."),
    "abandoned_after_seconds": N_("A number of seconds from 0 to 3600."),
    "region": N_("Two capital letters, the country whose national numbers calls carry (NL)."),
    "queues": N_("One queue per line: queue = team name."),
    "extensions": N_("One extension per line: extension = the agent's e-mail address."),
}

REASONS = {
    "missing_signature": N_("not signed"),
    "malformed_signature": N_("an unreadable signature"),
    "bad_signature": N_("a wrong signature"),
    "stale_timestamp": N_("signed too long ago (more than 5 minutes)"),
}


def _lines(text: str) -> list[tuple[str, str]]:
    """`key = value` lines; blank lines skipped."""
    pairs = (line.partition("=") for line in text.splitlines() if line.strip())
    return [(k.strip(), v.strip()) for k, _, v in pairs]


def _teams(db: Session, actor: Agent) -> list[Team]:
    return list(
        db.scalars(select(Team).where(Team.organisation_id == actor.organisation_id).order_by(Team.name))
    )


def _agents(db: Session, actor: Agent) -> list[Agent]:
    query = select(Agent).where(Agent.organisation_id == actor.organisation_id).order_by(Agent.email)
    return list(db.scalars(query))


def _as_text(line: PhoneLineRead | None, db: Session, actor: Agent) -> dict[str, str]:
    """The line's settings as the form shows them (teams by name, agents by e-mail)."""
    if line is None:
        return {"provider": "generic", "region": "NL", "abandoned_after_seconds": "30"}
    teams = {str(t.id): t.name for t in _teams(db, actor)}
    agents = {str(a.id): a.email for a in _agents(db, actor)}
    return {
        "provider": line.provider,
        "region": line.region,
        "abandoned_after_seconds": str(line.abandoned_after_seconds),
        "queues": "\n".join(f"{q} = {teams.get(str(t), t)}" for q, t in line.queues.items()),
        "extensions": "\n".join(f"{e} = {agents.get(str(a), a)}" for e, a in line.extensions.items()),
    }


def _page(request: Request, db: Session, actor: Agent, status_code: int = 200, **extra: Any) -> HTMLResponse:
    require_role(actor, Role.ADMIN)
    line = _current(db, actor)
    saved: PhoneLineRead | None = extra.pop("saved", None)
    shown = saved or line
    return render(
        request, "admin_phone.html", status_code=status_code, agent=actor, line=shown,
        secret=saved.secret if saved else None, form=extra.pop("form", None) or _as_text(line, db, actor),
        errors=extra.pop("errors", {}), teams=_teams(db, actor), agents=_agents(db, actor),
        hook=f"{_base(request)}{shown.url_path}" if shown else None,
        reasons={k: gettext(page_language(request), v) for k, v in REASONS.items()},
    )  # fmt: skip


def _current(db: Session, actor: Agent) -> PhoneLineRead | None:
    try:
        return service.get_line(db=db, actor=actor)
    except AttentError:
        return None


def _base(request: Request) -> str:
    public: str | None = request.app.state.settings.public_url
    return (public or str(request.base_url)).rstrip("/")


@router.get("/admin/phone")
def phone_page(request: Request, db: DbSession, actor: CurrentAgent) -> HTMLResponse:
    """The phone line: its address, settings and recent refusals; the form that sets them (admins)."""
    return _page(request, db, actor)


@router.post("/admin/phone")
async def save_line(
    request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep, settings: SettingsDep
) -> Response:
    """Create or change the line; a new (or rotated) secret is on this answer only."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    require_role(actor, Role.ADMIN)
    keys = ("provider", "twilio_auth_token", "abandoned_after_seconds", "region", "queues", "extensions")
    values = {k: str(form.get(k, "")).strip() for k in keys}
    try:
        data = PhoneLineIn.model_validate(_input(db, actor, values))
        saved = service.put_line(
            db=db, actor=actor, data=data, at=clock.now(), key=settings.secret_key,
            rotate=form.get("rotate") == "true",
        )  # fmt: skip
    except (ValidationError, Invalid) as exc:
        db.rollback()
        errors = _errors(exc, page_language(request))
        shown = {k: v for k, v in values.items() if k != "twilio_auth_token"}  # a secret is not sent back
        return _page(request, db, actor, status_code=422, form=shown, errors=errors)
    db.commit()
    return _page(request, db, actor, saved=saved)


def _input(db: Session, actor: Agent, values: dict[str, str]) -> dict[str, Any]:
    """The form's text as PhoneLineIn's fields: names and e-mail addresses become ids; one that names
    nobody is refused on its line."""
    teams = {t.name.casefold(): t.id for t in _teams(db, actor)}
    agents = {a.email.casefold(): a.id for a in _agents(db, actor)}
    problems: list[FieldError] = []
    queues: dict[str, uuid.UUID] = {}
    for queue, name in _lines(values["queues"]):
        if name.casefold() in teams and queue:
            queues[queue] = teams[name.casefold()]
        else:
            problems.append(FieldError(("queues",), "No team named {name}.", {"name": name or "?"}))
    extensions: dict[str, uuid.UUID] = {}
    for extension, email in _lines(values["extensions"]):
        if email.casefold() in agents and extension:
            extensions[extension] = agents[email.casefold()]
        else:
            problems.append(
                FieldError(("extensions",), "No agent with e-mail {email}.", {"email": email or "?"})
            )
    if problems:
        raise Invalid(
            "invalid_phone_line", "The phone line names teams or agents that do not exist.", problems
        )
    return {
        "provider": values["provider"] or "generic",
        "twilio_auth_token": values["twilio_auth_token"] or None,  # empty: keep the one we have
        "abandoned_after_seconds": values["abandoned_after_seconds"] or "30",
        "region": values["region"].upper() or "NL",
        "queues": queues,
        "extensions": extensions,
    }


def _errors(exc: ValidationError | Invalid, language: str) -> dict[str, list[str]]:
    """Each refused field's sentences in the reader's language, by field name."""
    found: dict[str, list[str]] = {}
    if isinstance(exc, ValidationError):
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "provider"
            found.setdefault(name, []).append(gettext(language, WANTS.get(name, WANTS["provider"])))
        return {k: sorted(set(v)) for k, v in found.items()}
    for field_error in exc.errors or []:
        found.setdefault(str(field_error.path[0]), []).append(field_error.say(language))
    if not found:
        found["provider"] = [exc.say(language)]
    return found
