"""Rules compiled once per organisation (cached by the rule set's version) and conditions as closures.

A worker keeps the compiled rules of each organisation it has seen and recompiles only when the rule
set's `version` changed (every save, pause and resume bumps it), so 200 rules cost one small query per
batch, not a parse per signal.
"""

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from attent.signals.models import Rule, RuleFiring, RuleSet, Signal
from attent.signals.shapes import CONTACTS, Action, RuleSettings, duration, typed_action
from attent.signals.types import CONSENT_TYPES, KNOWN, Kind, parse_value


@dataclass
class Compiled:
    """One rule, ready to test signals against."""

    id: uuid.UUID
    key: str
    name: str
    signal_type: str
    delay: timedelta | None
    checks: list[Callable[["Facts"], bool]]
    fact_checks: list[Callable[["Facts"], bool]]  # need the consented fact: tested only with consent
    actions: list[Action]
    contacts: bool
    consent_fact: str | None
    active: bool
    paused: bool


@dataclass
class Book:
    """An organisation's compiled rules, indexed by the signal type that triggers them."""

    version: int
    settings: RuleSettings
    types: dict[str, dict[str, Kind]]
    rules: dict[uuid.UUID, Compiled]
    by_type: dict[str, list[Compiled]] = field(default_factory=dict)

    def triggered_by(self, signal_type: str) -> list[Compiled]:
        """Active rules (paused ones included: their signals wait) that this type triggers."""
        return self.by_type.get(signal_type, [])


_cache: dict[uuid.UUID, Book] = {}
_lock = threading.Lock()


def book_for(*, db: Session, organisation_id: uuid.UUID) -> Book:
    """The organisation's compiled rules, recompiled only when the rule set changed since last time."""
    version = db.scalar(select(RuleSet.version).where(RuleSet.organisation_id == organisation_id)) or 0
    cached = _cache.get(organisation_id)
    if cached is not None and cached.version == version:
        return cached
    book = compile_book(db=db, organisation_id=organisation_id, version=version)
    with _lock:
        _cache[organisation_id] = book
    return book


def forget(organisation_id: uuid.UUID) -> None:
    """Drop this process's compiled rules (other processes notice the new version by themselves)."""
    with _lock:
        _cache.pop(organisation_id, None)


def compile_book(*, db: Session, organisation_id: uuid.UUID, version: int) -> Book:
    """Compile every live rule of the organisation."""
    rule_set = db.get(RuleSet, organisation_id)
    settings = RuleSettings.model_validate(rule_set.settings if rule_set else {})
    own = rule_set.signal_types if rule_set else {}
    types = {**KNOWN, **{name: dict(spec.get("attributes", {})) for name, spec in own.items()}}
    rows = db.scalars(
        select(Rule)
        .where(Rule.organisation_id == organisation_id, Rule.deleted_at.is_(None))
        .order_by(Rule.position)
    )
    book = Book(version=version, settings=settings, types=types, rules={})
    for row in rows:
        rule = compile_rule(row, types)
        book.rules[rule.id] = rule
        if rule.active:
            book.by_type.setdefault(rule.signal_type, []).append(rule)
    return book


def compile_rule(row: Rule, types: dict[str, dict[str, Kind]]) -> Compiled:
    """One stored rule as closures; the definition was validated when it was saved."""
    definition = row.definition
    when = definition["when"]
    conditions = definition.get("if", [])
    on_fact = [c for c in conditions if _mentions_birthday(c)]
    consent = CONSENT_TYPES.get(when["signal"]) or ("birthday" if on_fact else None)
    attributes = types.get(when["signal"], {})
    # Attribute tests first: they cost nothing, and only signals that pass them pay for a query.
    plain = [c for c in conditions if not _mentions_birthday(c)]
    ordered = sorted(plain, key=lambda c: not c["field"].startswith("signal."))
    return Compiled(
        id=row.id,
        key=row.key,
        name=definition["name"],
        signal_type=when["signal"],
        delay=duration(when["after"]) if when.get("after") else None,
        checks=[compile_condition(c, attributes) for c in ordered],
        fact_checks=[compile_condition(c, attributes) for c in on_fact],
        actions=[typed_action(action) for action in definition["then"]],
        contacts=any(a["do"] in CONTACTS for a in definition["then"]),
        consent_fact=consent,
        active=row.active,
        paused=row.paused_at is not None,
    )


def _mentions_birthday(condition: dict[str, Any]) -> bool:
    value = condition.get("value")
    return condition["field"] == "customer.birthday" or (
        isinstance(value, list) and "customer.birthday" in value
    )


def matches(rule: Compiled, facts: "Facts") -> bool:
    """Whether the rule applies; without consent the fact's own tests are left to the consent guard rail."""
    if not all(check(facts) for check in rule.checks):
        return False
    if rule.consent_fact is not None and fact(facts.customer, rule.consent_fact) is None:
        return True  # held back for want of consent, and recorded as such
    return all(check(facts) for check in rule.fact_checks)


# --- facts about a signal and its customer ----------------------------------------------------------


class Context:
    """Customer context that costs a query, asked only when a rule needs it, cached per batch."""

    def __init__(self, db: Session) -> None:
        self.db = db
        self._last_contact: dict[uuid.UUID, datetime | None] = {}

    def last_contact(self, organisation_id: uuid.UUID, customer_id: uuid.UUID) -> datetime | None:
        """The last time we were in touch: a logged contact or a rule's proactive contact."""
        if customer_id not in self._last_contact:
            from attent.contacts.service import last_contact_at

            logged = last_contact_at(db=self.db, organisation_id=organisation_id, customer_id=customer_id)
            proactive = self.db.scalar(
                select(func.max(RuleFiring.contacted_at)).where(
                    RuleFiring.organisation_id == organisation_id, RuleFiring.customer_id == customer_id
                )
            )
            self._last_contact[customer_id] = max((t for t in (logged, proactive) if t), default=None)
        return self._last_contact[customer_id]

    def count_signals(
        self, organisation_id: uuid.UUID, customer_id: uuid.UUID, type: str, since: datetime, until: datetime
    ) -> int:
        """How many signals of a type the customer had in a period (the triggering one included)."""
        return (
            self.db.scalar(
                select(func.count()).where(
                    Signal.organisation_id == organisation_id,
                    Signal.customer_id == customer_id,
                    Signal.type == type,
                    Signal.occurred_at >= since,
                    Signal.occurred_at <= until,
                )
            )
            or 0
        )


class CustomerFacts(Protocol):
    """What conditions read of a customer (an ORM customer or a plain row)."""

    id: uuid.UUID
    language: str
    facts: dict[str, Any]


class SignalFacts(Protocol):
    """What conditions read of a signal (a stored signal, a claimed row, or an action's view of it)."""

    organisation_id: uuid.UUID
    type: str
    occurred_at: datetime
    attributes: dict[str, Any]


@dataclass
class Facts:
    """What conditions can ask about one signal, in the customer's time zone."""

    organisation_id: uuid.UUID
    signal_type: str
    occurred_at: datetime
    attributes: dict[str, Any]
    kinds: dict[str, Kind]
    customer: "CustomerFacts"
    zone: ZoneInfo
    now: datetime
    context: Context
    known: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        signal: SignalFacts,
        *,
        book: "Book",
        customer: CustomerFacts,
        zone: ZoneInfo,
        now: datetime,
        context: Context,
    ) -> "Facts":
        """The one way facts are made: the worker, the dry run and a delayed firing see the same."""
        return cls(
            organisation_id=signal.organisation_id,
            signal_type=signal.type,
            occurred_at=signal.occurred_at,
            attributes=signal.attributes,
            kinds=book.types.get(signal.type, {}),
            customer=customer,
            zone=zone,
            now=now,
            context=context,
        )

    def value(self, name: str) -> Any:
        """A field's value (worked out once per signal, however many rules ask), or None when absent."""
        if name not in self.known:
            self.known[name] = self._value(name)
        return self.known[name]

    def _value(self, name: str) -> Any:
        if name == "signal.occurred_at":
            return self.occurred_at
        if name.startswith("signal."):
            attribute = name.removeprefix("signal.")
            raw = self.attributes.get(attribute)
            try:
                return None if raw is None else parse_value(self.kinds.get(attribute, "string"), raw)
            except ValueError:
                return None
        if name == "customer.language":
            return self.customer.language
        if name == "customer.birthday":
            raw = fact(self.customer, "birthday")
            try:
                return None if raw is None else parse_value("date", raw)
            except ValueError:
                return None
        if name.startswith("customer.facts."):
            return fact(self.customer, name.removeprefix("customer.facts."))
        if name == "customer.days_since_contact":
            last = self.context.last_contact(self.organisation_id, self.customer.id)
            return float("inf") if last is None else (self.now - last).total_seconds() / 86400
        return self._counter(name)

    def _counter(self, name: str) -> int | None:
        if name.startswith("customer.signals_this_month."):
            local = self.occurred_at.astimezone(self.zone)
            since = datetime.combine(local.date().replace(day=1), time(), self.zone)
            type = name.removeprefix("customer.signals_this_month.")
        elif name.startswith("customer.signals_30d."):
            since, type = self.occurred_at - timedelta(days=30), name.removeprefix("customer.signals_30d.")
        else:
            return None
        return self.context.count_signals(
            self.organisation_id, self.customer.id, type, since, self.occurred_at
        )


def fact(customer: CustomerFacts, key: str) -> str | None:
    """A consented fact's value (facts are only stored with consent)."""
    stored = customer.facts.get(key)
    if isinstance(stored, dict):
        value = stored.get("value")
        return str(value) if value is not None else None
    return None if stored is None else str(stored)


def zone_of(customer: CustomerFacts, organisation_zone: str) -> ZoneInfo:
    """The customer's time zone when they shared one, else the organisation's."""
    for name in (fact(customer, "timezone"), organisation_zone):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("Europe/Amsterdam")


# --- conditions -------------------------------------------------------------------------------------


def compile_condition(condition: dict[str, Any], attributes: dict[str, Kind]) -> Callable[[Facts], bool]:
    """A condition as a function of the facts; a missing value fails every test but `missing`."""
    name, op = condition["field"], condition["op"]
    expected: Any = condition.get("value")
    if op == "exists":
        return lambda facts: facts.value(name) is not None
    if op == "missing":
        return lambda facts: facts.value(name) is None
    if op in ("local_time_after", "local_time_before"):
        hours, minutes = (int(p) for p in expected.split(":"))
        limit = time(hours, minutes)
        after = op == "local_time_after"

        def local_time(facts: Facts) -> bool:
            value = facts.value(name)
            if not isinstance(value, datetime):
                return False
            clock = value.astimezone(facts.zone).time()
            return clock >= limit if after else clock < limit

        return local_time
    if op == "falls_between":
        start, end = expected
        anniversary = name == "customer.birthday"
        return lambda facts: _between(
            facts.value(name), facts.value(start), facts.value(end), facts.zone, anniversary
        )
    test = _COMPARE[op]
    if condition_kind(name, attributes) == "date" and isinstance(expected, str):
        expected = date.fromisoformat(expected[:10])

    def compare(facts: Facts) -> bool:
        value = facts.value(name)
        return value is not None and test(value, expected)

    return compare


def condition_kind(name: str, attributes: dict[str, Kind]) -> Kind | None:
    """The declared kind of a signal attribute (context fields carry their own)."""
    return attributes.get(name.removeprefix("signal.")) if name.startswith("signal.") else None


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "in": lambda a, b: a in b,
    "not_in": lambda a, b: a not in b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def _day(value: Any, zone: ZoneInfo) -> date | None:
    if isinstance(value, datetime):
        return value.astimezone(zone).date()
    return value if isinstance(value, date) else None


def _between(value: Any, start: Any, end: Any, zone: ZoneInfo, anniversary: bool) -> bool:
    """Whether a date (or, for birthdays, its yearly return) falls within [start, end]."""
    day, first, last = _day(value, zone), _day(start, zone), _day(end, zone)
    if day is None or first is None or last is None or last < first:
        return False
    if not anniversary:
        return first <= day <= last
    for year in range(first.year, last.year + 1):
        try:
            candidate = day.replace(year=year)
        except ValueError:  # 29 February in a common year: celebrated on the 28th
            candidate = date(year, 2, 28)
        if first <= candidate <= last:
            return True
    return False
