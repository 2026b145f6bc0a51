"""The rules document (YAML or JSON): its shape, and the checks that point at the offending field.

A rule is `when` (a signal type, optionally "after" a duration), `if` (conditions on the signal's
attributes and the customer's context) and `then` (actions). Actions are checked one by one against
their own schema, so an error's path is the field in the document, e.g. rules/2/then/1/template.
"""

import re
import uuid
from typing import Any

from pydantic import ValidationError

from attent.channels.service import languages_missing
from attent.core.errors import FieldError
from attent.core.forms import plain
from attent.core.i18n import Label
from attent.core.labels import N_
from attent.signals.shapes import (
    ACTIONS,
    CLOCK,
    MAX_NODES,
    MAX_RULES,
    NEEDS_CASE,
    CallWebhook,
    Condition,
    OpenCase,
    Path,
    Rulebook,
    RuleIn,
    RuleSettings,
    SendMessage,
    SignalTypeIn,
    duration,
)
from attent.signals.types import ATTRIBUTE_NAME, KINDS, KNOWN, ON_CASE, Kind, is_type_name, parse_date


def _errors(exc: ValidationError, at: Path) -> list[FieldError]:
    return [FieldError((*at, *err["loc"]), *plain(err)) for err in exc.errors()]


def _nodes(value: Any, budget: int = MAX_NODES) -> int:
    """How much of the budget a document uses (stops early once it is over)."""
    stack, left = [value], budget
    while stack and left > 0:
        item = stack.pop()
        left -= 1
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return budget - left


def parse(document: Any, *, sources: set[str], team_ids: set[uuid.UUID]) -> tuple[Rulebook, list[FieldError]]:
    """The document normalised, and every problem found (an empty list: it can be saved)."""
    errors: list[FieldError] = []
    empty = Rulebook(settings=RuleSettings(), signal_types={}, rules=[])
    if not isinstance(document, dict):
        return empty, [FieldError((), "The document is a mapping with settings, signal_types and rules.")]
    if _nodes(document) >= MAX_NODES:
        return empty, [FieldError((), "The document is too large (more than {n} values).", {"n": MAX_NODES})]
    errors += [
        FieldError((k,), "Unknown field.") for k in document if k not in ("settings", "signal_types", "rules")
    ]
    settings = RuleSettings()
    try:
        settings = RuleSettings.model_validate(document.get("settings") or {})
    except ValidationError as exc:
        errors += _errors(exc, ("settings",))
    own, type_errors = _signal_types(document.get("signal_types") or {})
    errors += type_errors
    types = {**KNOWN, **{name: t.attributes for name, t in own.items()}}
    raw_rules = document.get("rules") or []
    if not isinstance(raw_rules, list):
        return empty, [*errors, FieldError(("rules",), "A list of rules.")]
    if len(raw_rules) > MAX_RULES:
        errors.append(FieldError(("rules",), "At most {n} rules.", {"n": MAX_RULES}))
    rules, keys = [], set()
    for i, raw in enumerate(raw_rules[:MAX_RULES]):
        rule, rule_errors = _rule(raw, ("rules", i), types, sources, team_ids)
        errors += rule_errors
        if rule is not None:
            if rule["key"] in keys:
                errors.append(
                    FieldError(
                        ("rules", i, "key"), "Another rule already has key “{key}”.", {"key": rule["key"]}
                    )
                )
            keys.add(rule["key"])
            rules.append(rule)
    return Rulebook(settings=settings, signal_types=own, rules=rules), errors


def _signal_types(raw: Any) -> tuple[dict[str, SignalTypeIn], list[FieldError]]:
    if not isinstance(raw, dict):
        return {}, [FieldError(("signal_types",), "A mapping of type name to its attributes.")]
    own, errors = {}, []
    for name, spec in raw.items():
        at: Path = ("signal_types", name)
        if not is_type_name(str(name)) or len(str(name)) > 80:
            errors.append(FieldError(at, "Write a type as words joined by dots, e.g. “shop.return”."))
            continue
        if name in KNOWN:
            errors.append(FieldError(at, "“{name}” is a built-in type; choose another name.", {"name": name}))
            continue
        try:
            own[name] = SignalTypeIn.model_validate(spec or {})
        except ValidationError as exc:
            errors += _errors(exc, at)
            continue
        errors += [
            FieldError(
                (*at, "attributes", a), "Use lower-case letters, digits and _ only, starting with a letter."
            )
            for a in own[name].attributes
            if not re.match(ATTRIBUTE_NAME, a)
        ]
    return own, errors


def _rule(
    raw: Any, at: Path, types: dict[str, dict[str, Kind]], sources: set[str], team_ids: set[uuid.UUID]
) -> tuple[dict[str, Any] | None, list[FieldError]]:
    try:
        rule = RuleIn.model_validate(raw)
    except ValidationError as exc:
        return None, _errors(exc, at)
    errors: list[FieldError] = []
    attributes = types.get(rule.when.signal)
    if attributes is None:
        errors.append(
            FieldError((*at, "when", "signal"), "Unknown signal type “{type}”.", {"type": rule.when.signal})
        )
        attributes = {}
    if rule.when.after is not None:
        try:
            duration(rule.when.after)
        except ValueError as exc:
            errors.append(FieldError.because((*at, "when", "after"), exc))
    for j, condition in enumerate(rule.if_):
        errors += check_condition(condition, (*at, "if", j), attributes, types)
    actions, case_opened = [], rule.when.signal in ON_CASE
    for j, action in enumerate(rule.then):
        checked, action_errors = _action(action, (*at, "then", j), sources, team_ids, case_opened)
        errors += action_errors
        if checked is not None:
            case_opened = case_opened or checked["do"] == "open_case"
            actions.append(checked)
    normal = rule.model_dump(mode="json", by_alias=True, exclude={"state"})
    return {**normal, "then": actions}, errors


def _action(
    raw: dict[str, Any], at: Path, sources: set[str], team_ids: set[uuid.UUID], case_opened: bool
) -> tuple[dict[str, Any] | None, list[FieldError]]:
    name = raw.get("do")
    model = ACTIONS.get(name) if isinstance(name, str) else None
    if model is None:
        known = ", ".join(sorted(ACTIONS))
        return None, [
            FieldError(
                (*at, "do"), "Unknown action “{name}”; one of: {known}.", {"name": name, "known": known}
            )
        ]
    try:
        action = model.model_validate(raw)
    except ValidationError as exc:
        return None, _errors(exc, at)
    errors = []
    if name in NEEDS_CASE and not case_opened:
        errors.append(
            FieldError(
                (*at, "do"), "“{name}” works on a case: put an “open_case” action before it.", {"name": name}
            )
        )
    for field in ("due_in", "after"):
        if isinstance(getattr(action, field, None), str):
            try:
                duration(getattr(action, field))
            except ValueError as exc:
                errors.append(FieldError.because((*at, field), exc))
    if isinstance(action, SendMessage):
        missing = languages_missing(action.template)
        if missing:
            errors.append(
                FieldError(
                    (*at, "template"),
                    "No template “{template}” for: {languages}.",
                    {"template": action.template, "languages": ", ".join(missing)},
                )
            )
    if isinstance(action, CallWebhook) and action.source not in sources:
        errors.append(
            FieldError(
                (*at, "source"),
                "No signal source “{source}”; its secret signs the call.",
                {"source": action.source},
            )
        )
    if isinstance(action, OpenCase) and action.team_id is not None and action.team_id not in team_ids:
        errors.append(FieldError((*at, "team_id"), "No team with id {id}.", {"id": action.team_id}))
    return action.model_dump(mode="json", exclude_none=True), errors


# --- conditions -------------------------------------------------------------------------------------

OPS_BY_KIND: dict[str, set[str]] = {
    "string": {"eq", "ne", "in", "not_in"},
    "number": {"eq", "ne", "gt", "gte", "lt", "lte"},
    "integer": {"eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in"},
    "boolean": {"eq", "ne"},
    "datetime": {"local_time_after", "local_time_before", "falls_between"},
    "date": {"falls_between", "eq", "ne"},
}
CONTEXT_FIELDS: dict[str, Kind] = {
    "customer.language": "string",
    "customer.birthday": "date",
    "customer.days_since_contact": "number",
    "signal.occurred_at": "datetime",
}
COUNTERS = ("customer.signals_this_month.", "customer.signals_30d.")


def field_kind(field: str, attributes: dict[str, Kind], types: dict[str, dict[str, Kind]]) -> Kind | None:
    """The kind of value a condition's field holds, or None when there is no such field."""
    if field in CONTEXT_FIELDS:
        return CONTEXT_FIELDS[field]
    if field.startswith("signal."):
        return attributes.get(field.removeprefix("signal."))
    if field.startswith("customer.facts.") and re.match(
        ATTRIBUTE_NAME, field.removeprefix("customer.facts.")
    ):
        return "string"
    for counter in COUNTERS:
        if field.startswith(counter) and field.removeprefix(counter) in types:
            return "integer"
    return None


def check_condition(
    condition: Condition, at: Path, attributes: dict[str, Kind], types: dict[str, dict[str, Kind]]
) -> list[FieldError]:
    """Whether the field exists for this trigger, the operator suits it and the value suits both."""
    kind = field_kind(condition.field, attributes, types)
    if kind is None:
        hint = ", ".join(sorted(f"signal.{a}" for a in attributes)) or "-"
        return [
            FieldError(
                (*at, "field"),
                "No field “{field}” here (signal attributes: {hint}).",
                {"field": condition.field, "hint": hint},
            )
        ]
    op, value = condition.op, condition.value
    if op in ("exists", "missing"):
        return [] if value is None else [FieldError((*at, "value"), "“{op}” takes no value.", {"op": op})]
    if op not in OPS_BY_KIND[kind]:
        allowed = ", ".join(sorted(OPS_BY_KIND[kind] | {"exists", "missing"}))
        return [
            FieldError(
                (*at, "op"),
                "“{field}” is a {kind}; use one of: {allowed}.",
                {"field": condition.field, "kind": Label(kind, "value_kind"), "allowed": allowed},
            )
        ]
    problem = _value_problem(kind, op, value, attributes, types)
    return [FieldError((*at, "value"), problem, {"kind": Label(kind, "value_kind")})] if problem else []


def _value_problem(
    kind: str, op: str, value: Any, attributes: dict[str, Kind], types: dict[str, dict[str, Kind]]
) -> str | None:
    if op in ("local_time_after", "local_time_before"):
        return None if isinstance(value, str) and CLOCK.match(value) else N_("A local time such as 21:00.")
    if op == "falls_between":
        ok = isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)
        if not ok or any(field_kind(v, attributes, types) not in ("date", "datetime") for v in value):
            return N_("Two date fields, e.g. [signal.arrives_at, signal.departs_on].")
        return None
    items = value if op in ("in", "not_in") else [value]
    if op in ("in", "not_in") and not (isinstance(value, list) and value):
        return N_("A non-empty list.")
    numeric = kind in ("number", "integer")
    for item in items:
        wrong = (
            (numeric and (not isinstance(item, int | float) or isinstance(item, bool)))
            or (kind == "string" and not isinstance(item, str))
            or (kind == "boolean" and not isinstance(item, bool))
            or (kind == "date" and not isinstance(item, str))
        )
        if wrong:
            return N_("Give a value of the kind {kind}.")
        if kind == "date":  # the engine reads it when the rule is compiled, in the worker
            try:
                parse_date(item)
            except ValueError as exc:
                return str(exc)  # the sentence of signals/types.py, a catalog msgid
    return None


assert set(OPS_BY_KIND) == set(KINDS)
