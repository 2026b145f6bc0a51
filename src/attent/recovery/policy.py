"""The recovery catalogue and policy: defaults, reading the stored ones, and checking them on save.

Both live in `organisations.settings["recovery"]`, like the verification policy: small, read and
replaced whole, and an organisation that never edits them gets these defaults. The suggestion ladder
is data on purpose (README, "Recovery"): a team tunes it without a release.
"""

import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from attent.cases import Priority
from attent.core.errors import FieldError, Invalid
from attent.core.schemas import Bilingual
from attent.organisations import Organisation
from attent.recovery.models import GestureKind
from attent.recovery.schemas import Catalogue, CatalogueGesture, RecoveryPolicy, Rung

SETTINGS_KEY = "recovery"


def _gesture(
    code: str,
    kind: GestureKind,
    cents: int,
    names: tuple[str, str],
    about: tuple[str, str],
    promise_hours: int | None = None,
) -> CatalogueGesture:
    return CatalogueGesture(
        code=code,
        kind=kind,
        name=Bilingual(nl=names[0], en=names[1]),
        description=Bilingual(nl=about[0], en=about[1]),
        cost_cents=cents,
        currency="EUR",
        promise_hours=promise_hours,
    )


DEFAULT_CATALOGUE = Catalogue(
    gestures=[
        _gesture(
            "small_attention",
            GestureKind.SMALL_ATTENTION,
            500,
            ("Klein presentje", "A small gift"),
            ("Iets kleins met een handgeschreven kaartje.", "Something small with a handwritten note."),
        ),
        _gesture(
            "replacement",
            GestureKind.REPLACEMENT,
            1500,
            ("Vervanging", "Replacement"),
            ("Een nieuwe zending, morgen bezorgd.", "A new shipment, delivered tomorrow."),
            24,
        ),
        _gesture(
            "credit",
            GestureKind.CREDIT,
            1000,
            ("Tegoed van €10", "A €10 credit"),
            ("Tegoed op de volgende bestelling.", "Credit on the next order."),
        ),
        _gesture(
            "refund",
            GestureKind.REFUND,
            2500,
            ("Terugbetaling", "Refund"),
            ("Het aankoopbedrag terug.", "The purchase price back."),
            72,
        ),
    ],
    currency="EUR",
    monthly_budget_cents=50_000,
    approval_threshold_cents=2_000,
)

DEFAULT_POLICY = RecoveryPolicy(
    failure_types=["delivery_missing", "delivery_late", "damaged", "wrong_item"],
    period_days=90,
    ladder=[
        Rung(failures=1, gestures=["small_attention", "replacement"]),
        Rung(failures=2, gestures=["replacement", "credit"]),
        Rung(failures=3, gestures=["credit"]),
    ],
    impact_priorities=[Priority.URGENT],
    occasions={"birthday": "small_attention"},
)


def _stored(org: Organisation) -> dict[str, Any]:
    value = (org.settings or {}).get(SETTINGS_KEY, {})
    return value if isinstance(value, dict) else {}


def catalogue_of(org: Organisation) -> Catalogue:
    """The organisation's catalogue, or the default one."""
    stored = _stored(org).get("catalogue")
    return Catalogue.model_validate(stored) if stored else DEFAULT_CATALOGUE


def policy_of(org: Organisation) -> RecoveryPolicy:
    """The organisation's recovery policy, or the default one."""
    stored = _stored(org).get("policy")
    return RecoveryPolicy.model_validate(stored) if stored else DEFAULT_POLICY


def _save(org: Organisation, key: str, value: dict[str, Any]) -> None:
    org.settings = {**(org.settings or {}), SETTINGS_KEY: {**_stored(org), key: value}}


def check_catalogue(catalogue: Catalogue, policy: RecoveryPolicy) -> None:
    """Codes are unique, costs are in the budget's currency, and what the policy names still exists."""
    errors: list[FieldError] = []
    seen: dict[str, int] = {}
    for i, gesture in enumerate(catalogue.gestures):
        if gesture.code in seen:
            errors.append(
                FieldError(
                    ("gestures", i, "code"),
                    "“{code}” is already gesture {number}.",
                    {"code": gesture.code, "number": seen[gesture.code] + 1},
                )
            )
        seen.setdefault(gesture.code, i)
        if gesture.currency != catalogue.currency:
            errors.append(
                FieldError(
                    ("gestures", i, "currency"),
                    "The budget is in {currency}; every gesture costs in it, not {other}.",
                    {"currency": catalogue.currency, "other": gesture.currency},
                )
            )
    used = {code for rung in policy.ladder for code in rung.gestures} | set(policy.occasions.values())
    for code in sorted(used - seen.keys()):
        errors.append(
            FieldError(
                ("gestures",),
                "The recovery policy suggests “{code}”; keep it, or change the policy first.",
                {"code": code},
            )
        )
    if errors:
        raise Invalid("invalid_catalogue", "The catalogue cannot be saved as given.", errors)


def check_policy(policy: RecoveryPolicy, catalogue: Catalogue) -> None:
    """The ladder climbs, and every gesture it or an occasion names is in the catalogue."""
    codes = {g.code for g in catalogue.gestures}
    errors: list[FieldError] = []
    previous = 0
    for i, rung in enumerate(policy.ladder):
        if rung.failures <= previous:
            errors.append(
                FieldError(
                    ("ladder", i, "failures"),
                    "Rungs climb: {failures} must be more than {previous}.",
                    {"failures": rung.failures, "previous": previous},
                )
            )
        previous = max(previous, rung.failures)
        for j, code in enumerate(rung.gestures):
            if code not in codes:
                errors.append(
                    FieldError(
                        ("ladder", i, "gestures", j), "No gesture “{code}” in the catalogue.", {"code": code}
                    )
                )
    for occasion, code in policy.occasions.items():
        if code not in codes:
            errors.append(
                FieldError(("occasions", occasion), "No gesture “{code}” in the catalogue.", {"code": code})
            )
    if errors:
        raise Invalid("invalid_recovery_policy", "The recovery policy cannot be saved as given.", errors)


def save_catalogue(*, org: Organisation, catalogue: Catalogue) -> None:
    """Check and store the catalogue (the caller checked the role)."""
    check_catalogue(catalogue, policy_of(org))
    _save(org, "catalogue", catalogue.model_dump(mode="json"))


def save_policy(*, org: Organisation, policy: RecoveryPolicy) -> None:
    """Check and store the policy (the caller checked the role)."""
    check_policy(policy, catalogue_of(org))
    _save(org, "policy", policy.model_dump(mode="json"))


def organisation(db: Session, organisation_id: uuid.UUID) -> Organisation:
    """The organisation row; it exists for every agent and customer by foreign key."""
    org = db.get(Organisation, organisation_id)
    assert org is not None
    return org


def month_of(at: datetime, timezone: str) -> tuple[str, datetime, datetime]:
    """The organisation's local month around `at`: its label and its bounds in UTC."""
    local = at.astimezone(ZoneInfo(timezone))
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return f"{start:%Y-%m}", start.astimezone(UTC), end.astimezone(UTC)
