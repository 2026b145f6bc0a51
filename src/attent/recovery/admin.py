"""The recovery pages for admins and leads: the catalogue and budget (admins), and which gestures work."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from attent.agents import CurrentAgent, Role
from attent.agents.service import require_role
from attent.core.clock import Clock
from attent.core.deps import ClockDep, DbSession
from attent.core.errors import AttentError, FieldError, Invalid
from attent.core.forms import RowLabels, say_plain
from attent.core.i18n import gettext
from attent.core.labels import N_
from attent.core.moments import EARLIEST, LATEST, OUTSIDE, within
from attent.core.pageforms import redraws
from attent.core.templating import check_csrf, page_language, render
from attent.recovery import service
from attent.recovery.models import CheckInMode, GestureKind
from attent.recovery.money import money
from attent.recovery.outcomes import outcomes
from attent.recovery.policy import organisation
from attent.recovery.schemas import Catalogue, CheckInPolicy, RecoveryPolicy
from attent.recovery.suggest import budget

router = APIRouter(include_in_schema=False)
Rows = Annotated[list[str], Form()]
LABELS = RowLabels(
    collection="gestures",
    item=N_("Gesture {number}"),
    fields={
        "gestures": N_("Gestures"),
        "code": N_("code"),
        "kind": N_("kind"),
        "name": N_("name"),
        "description": N_("description"),
        "cost": N_("cost"),
        "cost_cents": N_("cost"),
        "currency": N_("currency"),
        "promise_hours": N_("promise within (hours)"),
    },
    others={
        "currency": N_("Currency"),
        "monthly_budget": N_("Monthly budget"),
        "monthly_budget_cents": N_("Monthly budget"),
        "approval_threshold": N_("A lead approves gestures costing more than"),
        "approval_threshold_cents": N_("A lead approves gestures costing more than"),
        "failure_types": N_("Failure case types (comma-separated)"),
        "check_in": N_("Check in by"),
    },
)


def _cents(value: str, path: tuple[str | int, ...]) -> int:
    """'15', '15.00' or '15,00' -> 1500; anything else is a field error."""
    try:
        amount = Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        raise Invalid(
            "invalid_amount",
            "Amounts are numbers such as 15,00.",
            [FieldError(path, "“{value}” is not an amount.", {"value": value})],
        ) from None
    return int(amount * 100)


COLUMNS = ("code", "kind", "name_nl", "name_en", "description_nl", "description_en", "cost", "promise_hours")


def _stored(catalogue: Catalogue, policy: RecoveryPolicy) -> dict[str, Any]:
    """The form's fields as stored."""
    return {
        "rows": [
            {
                "code": g.code, "kind": g.kind.value, "name_nl": g.name.nl, "name_en": g.name.en,
                "description_nl": g.description.nl, "description_en": g.description.en,
                "cost": f"{g.cost_cents / 100:.2f}", "promise_hours": str(g.promise_hours or ""),
            }
            for g in catalogue.gestures
        ],
        "currency": catalogue.currency,
        "monthly_budget": f"{catalogue.monthly_budget_cents / 100:.2f}",
        "approval_threshold": f"{catalogue.approval_threshold_cents / 100:.2f}",
        "failure_types": ", ".join(policy.failure_types),
        "check_in_hours": str(policy.check_in.after_hours) if policy.check_in else "",
        "check_in_mode": policy.check_in.mode.value if policy.check_in else CheckInMode.TASK.value,
    }  # fmt: skip


def _typed(form: FormData) -> dict[str, Any]:
    """The form's fields as typed, to fill it in again when it is refused."""
    columns = [form.getlist(name) for name in COLUMNS]
    rows = [dict(zip(COLUMNS, map(str, row), strict=True)) for row in zip(*columns, strict=False)]
    single = (
        "currency",
        "monthly_budget",
        "approval_threshold",
        "failure_types",
        "check_in_hours",
        "check_in_mode",
    )
    return {"rows": [row for row in rows if row["code"].strip()], **{k: str(form.get(k, "")) for k in single}}


def _catalogue_page(request: Request, status_code: int = 200, **context: Any) -> HTMLResponse:
    language = page_language(request)
    context["money"] = lambda cents: money(cents, context["catalogue"].currency, language)
    names = {g.code: g.name.model_dump().get(language) or g.code for g in context["catalogue"].gestures}
    context["gesture_names"] = lambda codes: [names.get(code, code) for code in codes]
    return render(
        request,
        "recovery/catalogue.html",
        status_code=status_code,
        page_url="/recovery/catalogue",
        kinds=list(GestureKind),
        modes=list(CheckInMode),
        **context,
    )


@router.get("/recovery/catalogue")
def catalogue_page(request: Request, db: DbSession, actor: CurrentAgent, clock: ClockDep) -> HTMLResponse:
    """The catalogue, budget, threshold and check-in setting, as one form (admins)."""
    require_role(actor, Role.ADMIN)
    catalogue, policy = service.get_catalogue(db=db, actor=actor), service.get_policy(db=db, actor=actor)
    return _catalogue_page(
        request,
        agent=actor,
        catalogue=catalogue,
        policy=policy,
        fields=_stored(catalogue, policy),
        budget=budget(db=db, organisation_id=actor.organisation_id, at=clock.now()),
    )


def _refused(
    request: Request, *, db: Session, actor: Any, clock: Clock, form: FormData, errors: list[FieldError]
) -> Response:
    """The form refused before it was read (a field too long): again, as typed, each field named."""
    require_role(actor, Role.ADMIN)
    language = page_language(request)
    return _catalogue_page(
        request,
        status_code=422,
        agent=actor,
        catalogue=service.get_catalogue(db=db, actor=actor),
        policy=service.get_policy(db=db, actor=actor),
        fields=_typed(form),
        budget=budget(db=db, organisation_id=actor.organisation_id, at=clock.now()),
        errors=[f"{LABELS(e.path[1:], language)}: {e.say(language)}" for e in errors],
    )


@router.post("/recovery/catalogue")
@redraws(_refused)
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
        lists = (code, kind, name_nl, name_en, description_nl, description_en, cost, promise_hours)
        singles = {
            "currency": currency, "monthly_budget": monthly_budget, "approval_threshold": approval_threshold,
            "failure_types": failure_types, "check_in_hours": check_in_hours, "check_in_mode": check_in_mode,
        }  # fmt: skip
        items: list[tuple[str, str | UploadFile]] = [
            (name, value) for name, values in zip(COLUMNS, lists, strict=True) for value in values
        ]
        items += singles.items()
        form = FormData(items)
        return _catalogue_page(
            request,
            status_code=422,
            agent=actor,
            catalogue=service.get_catalogue(db=db, actor=actor),
            policy=service.get_policy(db=db, actor=actor),
            fields=_typed(form),
            budget=budget(db=db, organisation_id=actor.organisation_id, at=clock.now()),
            errors=_messages(exc, page_language(request)),
        )
    return RedirectResponse("/recovery/catalogue?saved=1", status_code=303)


def _messages(exc: Exception, language: str) -> list[str]:
    """Each problem with where it is, for the top of the form."""
    if isinstance(exc, ValidationError):
        return [f"{LABELS(tuple(e['loc']), language)}: {say_plain(e, language)}" for e in exc.errors()]
    if isinstance(exc, Invalid) and exc.errors:
        return [f"{LABELS(e.path, language)}: {e.say(language)}" for e in exc.errors]
    if isinstance(exc, AttentError):
        return [exc.say(language)]
    return [gettext(language, "Hours are whole numbers, such as 24.")]


def _day(value: str, tz: ZoneInfo, default: date, name: str) -> datetime:
    try:
        day = date.fromisoformat(value) if value else default
    except ValueError:
        raise Invalid(
            "invalid_date",
            "Dates are written as 2026-11-23.",
            [FieldError(("query", name), "“{value}” is not a date.", {"value": value})],
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
