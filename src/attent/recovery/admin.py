"""The recovery pages for admins and leads: the catalogue and budget (admins), and which gestures work."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from attent.agents.models import Role
from attent.agents.service import require_role
from attent.core.deps import ClockDep, CurrentAgent, DbSession
from attent.core.errors import AttentError, FieldError, Invalid
from attent.core.moments import EARLIEST, LATEST, OUTSIDE, within
from attent.core.templating import check_csrf, render
from attent.recovery import service
from attent.recovery.models import CheckInMode, GestureKind
from attent.recovery.money import money
from attent.recovery.outcomes import outcomes
from attent.recovery.policy import organisation
from attent.recovery.schemas import Catalogue, CheckInPolicy
from attent.recovery.suggest import budget

router = APIRouter(include_in_schema=False)
Rows = Annotated[list[str], Form()]


def _cents(value: str, path: tuple[str | int, ...]) -> int:
    """'15', '15.00' or '15,00' -> 1500; anything else is a field error."""
    try:
        amount = Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        raise Invalid(
            "invalid_amount",
            "Amounts are numbers such as 15,00.",
            [FieldError(path, f"{value!r} is not an amount.")],
        ) from None
    return int(amount * 100)


def _catalogue_page(request: Request, status_code: int = 200, **context: Any) -> HTMLResponse:
    language = context["agent"].language
    context["money"] = lambda cents: money(cents, context["catalogue"].currency, language)
    return render(
        request,
        "recovery/catalogue.html",
        status_code=status_code,
        kinds=list(GestureKind),
        modes=list(CheckInMode),
        **context,
    )


@router.get("/recovery/catalogue")
def catalogue_page(request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> HTMLResponse:
    """The catalogue, budget, threshold and check-in setting, as one form (admins)."""
    require_role(actor, Role.ADMIN)
    return _catalogue_page(
        request,
        agent=actor,
        catalogue=service.get_catalogue(db=db, actor=actor),
        policy=service.get_policy(db=db, actor=actor),
        budget=budget(db=db, organisation_id=actor.organisation_id, at=clock.now()),
    )


@router.post("/recovery/catalogue")
def save_catalogue_page(
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    code: Rows,
    kind: Rows,
    name_nl: Rows,
    name_en: Rows,
    description_nl: Rows,
    description_en: Rows,
    cost: Rows,
    promise_hours: Rows,
    currency: Annotated[str, Form(max_length=3)],
    monthly_budget: Annotated[str, Form(max_length=20)],
    approval_threshold: Annotated[str, Form(max_length=20)],
    failure_types: Annotated[str, Form(max_length=2000)] = "",
    check_in_hours: Annotated[str, Form(max_length=6)] = "",
    check_in_mode: Annotated[str, Form(max_length=10)] = "task",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Save the form: the catalogue first, then the policy's failure types and check-in setting."""
    require_role(actor, Role.ADMIN)
    check_csrf(request, csrf)
    rows = zip(
        code, kind, name_nl, name_en, description_nl, description_en, cost, promise_hours, strict=False
    )
    try:
        gestures = [
            {
                "code": c.strip(),
                "kind": k,
                "name": {"nl": nl, "en": en},
                "description": {"nl": dnl, "en": den},
                "cost_cents": _cents(money_, ("gestures", i, "cost")),
                "currency": currency.strip().upper(),
                "promise_hours": int(hours) if hours.strip() else None,
            }
            for i, (c, k, nl, en, dnl, den, money_, hours) in enumerate(rows)
            if c.strip()
        ]
        data = Catalogue.model_validate(
            {
                "gestures": gestures,
                "currency": currency.strip().upper(),
                "monthly_budget_cents": _cents(monthly_budget, ("monthly_budget",)),
                "approval_threshold_cents": _cents(approval_threshold, ("approval_threshold",)),
            }
        )
        service.put_catalogue(db=db, actor=actor, data=data)
        policy = service.get_policy(db=db, actor=actor).model_copy(deep=True)
        policy.failure_types = [t.strip() for t in failure_types.split(",") if t.strip()]
        policy.check_in = (
            CheckInPolicy(after_hours=int(check_in_hours), mode=CheckInMode(check_in_mode))
            if check_in_hours.strip()
            else None
        )
        service.put_policy(db=db, actor=actor, data=type(policy).model_validate(policy.model_dump()))
    except (AttentError, ValidationError, ValueError) as exc:
        db.rollback()
        return _catalogue_page(
            request,
            status_code=422,
            agent=actor,
            catalogue=service.get_catalogue(db=db, actor=actor),
            policy=service.get_policy(db=db, actor=actor),
            budget=budget(db=db, organisation_id=actor.organisation_id, at=clock.now()),
            errors=_messages(exc),
        )
    return RedirectResponse("/recovery/catalogue?saved=1", status_code=303)


def _messages(exc: Exception) -> list[str]:
    """Each problem with where it is, for the top of the form."""
    if isinstance(exc, ValidationError):
        return [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
    if isinstance(exc, Invalid):
        return [exc.detail] + [f"{'.'.join(str(p) for p in e.path)}: {e.message}" for e in exc.errors]
    return [exc.detail if isinstance(exc, AttentError) else str(exc)]


def _day(value: str, tz: ZoneInfo, default: date, name: str) -> datetime:
    try:
        day = date.fromisoformat(value) if value else default
    except ValueError:
        raise Invalid(
            "invalid_date",
            "Dates are written as 2026-11-23.",
            [FieldError(("query", name), f"{value!r} is not a date.")],
        ) from None
    start = datetime.combine(day, time(), tzinfo=tz) if EARLIEST.year < day.year < LATEST.year else None
    if start is None or not within(start):
        raise Invalid("invalid_date", OUTSIDE, [FieldError(("query", name), OUTSIDE)])
    return start.astimezone(UTC)


@router.get("/recovery/outcomes")
def outcomes_page(
    request: Request,
    db: DbSession,
    actor: CurrentAgent,
    clock: ClockDep,
    since: str = "",
    until: str = "",
    group_by: Literal["kind", "code"] = "kind",
) -> HTMLResponse:
    """Which gestures work (leads): given, cost, repeat contacts within 30 days, survey scores."""
    require_role(actor, Role.LEAD)
    tz = ZoneInfo(organisation(db, actor.organisation_id).timezone)
    today = clock.now().astimezone(tz).date()
    start = _day(since, tz, today - timedelta(days=90), "since")
    end = _day(until, tz, today + timedelta(days=1), "until")
    report = outcomes(db=db, actor=actor, since=start, until=end, group_by=group_by)
    return render(
        request,
        "recovery/outcomes.html",
        agent=actor,
        report=report,
        group_by=group_by,
        since=start.astimezone(tz).date().isoformat(),
        until=end.astimezone(tz).date().isoformat(),
        money=lambda cents: money(cents, report.currency, actor.language),
    )
