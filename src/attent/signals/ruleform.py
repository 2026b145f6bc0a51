"""A rule as a form: when / if / then, each field a control, read back into the document's shape.

The page posts flat names (`if-0-op`, `then-1-due_in-n`); `from_form` turns them into the rule as the
YAML would write it, so the form and the YAML view save the same stored rules through the same checks
(`rulebook.parse`), and each error's path (`if/0/value`) names the control it belongs beside. Values
are typed by what the condition's field holds: a number field's "3" is the number 3, a local time is
entered with `<input type=time>` and kept as "21:00", never a YAML trap such as `start: 22:00`.
Adding or removing a condition or an action is an edit of the draft, drawn again by the server (`edit`),
so the form works without JavaScript; htmx only swaps the rule's section in place.
"""

import re
from collections.abc import Mapping
from typing import Any

import yaml

from attent.cases import Priority
from attent.core import yamlload
from attent.core.errors import FieldError
from attent.core.labels import N_
from attent.promises import PromiseKind
from attent.signals.rulebook import CONTEXT_FIELDS, COUNTERS, OPS_BY_KIND, field_kind
from attent.signals.shapes import ACTIONS
from attent.signals.types import Kind

# Operators in the order the select offers them, with how each reads.
OPS: dict[str, str] = {
    "eq": N_("is"),
    "ne": N_("is not"),
    "in": N_("is one of"),
    "not_in": N_("is none of"),
    "gt": N_("is more than"),
    "gte": N_("is at least"),
    "lt": N_("is less than"),
    "lte": N_("is at most"),
    "exists": N_("is filled in"),
    "missing": N_("is missing"),
    "local_time_after": N_("local time is after"),
    "local_time_before": N_("local time is before"),
    "falls_between": N_("falls between"),
}
ACTION_LABELS: dict[str, str] = {
    "open_case": N_("Open a case"),
    "make_promise": N_("Make a promise"),
    "send_message": N_("Send the customer a message"),
    "call_webhook": N_("Call a webhook"),
    "suggest_gesture": N_("Suggest a gesture"),
    "schedule_check_in": N_("Schedule a check-in"),
}
CONTEXT_LABELS: dict[str, str] = {
    "customer.language": N_("the customer's language"),
    "customer.birthday": N_("the customer's birthday"),
    "customer.days_since_contact": N_("days since the last contact"),
    "signal.occurred_at": N_("when the signal happened"),
}
# Each action's parameters in the order the form shows them, and the control each gets.
PARAMS: dict[str, list[tuple[str, str, str]]] = {
    "open_case": [
        ("subject", "text", N_("Subject")),
        ("note", "textarea", N_("Note")),
        ("type", "text", N_("Case type")),
        ("priority", "priority", N_("Priority")),
        ("team_id", "team", N_("Team")),
        ("resolved", "checkbox", N_("Keep as a record only (resolved)")),
    ],
    "make_promise": [
        ("kind", "promise_kind", N_("Kind")),
        ("due_in", "duration", N_("Due in")),
        ("words", "text", N_("Words")),
    ],
    "send_message": [("template", "text", N_("Template"))],
    "call_webhook": [
        ("url", "text", N_("Address (URL)")),
        ("source", "source", N_("Signed with the secret of source")),
        ("body", "yaml", N_("Extra body fields (YAML)")),
    ],
    "suggest_gesture": [
        ("reason", "text", N_("Reason")),
        ("occasion", "text", N_("Occasion")),
        ("gesture", "text", N_("Gesture code")),
    ],
    "schedule_check_in": [
        ("after", "duration", N_("After")),
        ("mode", "check_in_mode", N_("As")),
        ("note", "text", N_("Note")),
    ],
}
assert set(PARAMS) == set(ACTIONS) == set(ACTION_LABELS)
UNITS: dict[str, str] = {"m": N_("minutes"), "h": N_("hours"), "d": N_("days"), "w": N_("weeks")}
CHOICES: dict[str, list[str]] = {
    "priority": [p.value for p in Priority],
    "promise_kind": [k.value for k in PromiseKind],
    "check_in_mode": ["task", "message"],
}
_DURATION = re.compile(r"^([0-9]+)([mhdw])$")
_INDEX = re.compile(r"^(if|then)-([0-9]{1,2})-")


def default(do: str, param: str) -> Any:
    """What the action takes when a parameter is left out, so a new action's select starts there."""
    model = ACTIONS.get(do)
    field = model.model_fields.get(param) if model else None
    value = None if field is None or field.is_required() else field.get_default(call_default_factory=True)
    return getattr(value, "value", value)


def split_duration(text: str | None) -> tuple[str, str]:
    """'3d' -> ('3', 'd'); anything else -> ('', 'h') (an empty number: not set)."""
    match = _DURATION.match(text or "")
    return (match.group(1), match.group(2)) if match else ("", "h")


def _duration(form: Mapping[str, str], name: str) -> str | None:
    number, unit = form.get(f"{name}-n", "").strip(), form.get(f"{name}-unit", "h")
    return f"{number}{unit}" if number else None


def _count(form: Mapping[str, str], part: str) -> int:
    found = [int(m.group(2)) for key in form if (m := _INDEX.match(key)) and m.group(1) == part]
    return max(found) + 1 if found else 0


def _number(raw: str, kind: Kind) -> Any:
    """A number field's text as a number; left as text when it is none (the check then says so)."""
    try:
        return int(raw) if kind == "integer" else float(raw.replace(",", "."))
    except ValueError:
        try:
            whole = float(raw.replace(",", "."))
        except ValueError:
            return raw
        return int(whole) if whole.is_integer() else raw


def _typed_value(raw: str, kind: Kind | None) -> Any:
    raw = raw.strip()
    if kind in ("number", "integer"):
        return _number(raw, kind)
    if kind == "boolean":
        return {"true": True, "false": False}.get(raw, raw)
    return raw


def _condition(
    form: Mapping[str, str], j: int, attributes: dict[str, Kind], types: dict[str, dict[str, Kind]]
) -> dict[str, Any]:
    field, op = form.get(f"if-{j}-field", "").strip(), form.get(f"if-{j}-op", "eq")
    raw = form.get(f"if-{j}-value", "")
    value: Any
    if op in ("exists", "missing"):
        value = None
    elif op in ("local_time_after", "local_time_before"):
        value = raw.strip()[:5]  # <input type=time> may send seconds: 21:00:00
    elif op == "falls_between":
        value = [raw.strip(), form.get(f"if-{j}-value2", "").strip()]
    elif op in ("in", "not_in"):
        kind = field_kind(field, attributes, types)
        value = [_typed_value(item, kind) for item in raw.split(",") if item.strip()]
    else:
        value = _typed_value(raw, field_kind(field, attributes, types))
    return {"field": field, "op": op, "value": value}


def _action(form: Mapping[str, str], j: int) -> tuple[dict[str, Any], list[FieldError]]:
    do = form.get(f"then-{j}-do", "")
    action: dict[str, Any] = {"do": do}
    errors: list[FieldError] = []
    for param, control, _label in PARAMS.get(do, []):
        name = f"then-{j}-{param}"
        if control == "checkbox":
            action[param] = bool(form.get(name))
        elif control == "duration":
            if (text := _duration(form, name)) is not None:
                action[param] = text
        elif control == "yaml":
            text = form.get(name, "").strip()
            try:
                action[param] = (yamlload.safe_load(text) or {}) if text else {}
            except yaml.YAMLError:
                errors.append(FieldError(("then", j, param), "Not valid YAML."))
        elif value := form.get(name, "").strip():
            action[param] = value
    return action, errors


def from_form(
    form: Mapping[str, str], *, key: str, types: dict[str, dict[str, Kind]]
) -> tuple[dict[str, Any], list[FieldError]]:
    """The rule the form describes (in the document's shape), and what could not even be read."""
    signal = form.get("signal", "").strip()
    attributes = types.get(signal, {})
    rule: dict[str, Any] = {
        "key": form.get("key", key).strip(),
        "name": form.get("name", "").strip(),
        "active": bool(form.get("active")),
        "when": {"signal": signal, "after": _duration(form, "after")},
        "if": [_condition(form, j, attributes, types) for j in range(_count(form, "if"))],
        "then": [],
    }
    errors: list[FieldError] = []
    for j in range(_count(form, "then")):
        action, action_errors = _action(form, j)
        rule["then"].append(action)
        errors += action_errors
    return rule, errors


def edit(rule: dict[str, Any], command: str) -> dict[str, Any]:
    """`add-if`, `add-then`, `remove-if-2`, `remove-then-0`; anything else (`refresh`) changes nothing."""
    if command == "add-if":
        rule["if"].append({"field": "", "op": "eq", "value": ""})
    elif command == "add-then":
        rule["then"].append({"do": "open_case"})
    elif match := re.match(r"^remove-(if|then)-([0-9]{1,2})$", command):
        part, index = match.group(1), int(match.group(2))
        if index < len(rule[part]):
            del rule[part][index]
    return rule


def blank(signal: str) -> dict[str, Any]:
    """A new rule's draft: a trigger and one action, the least a rule needs."""
    return {
        "key": "", "name": "", "active": True, "when": {"signal": signal, "after": None},
        "if": [], "then": [{"do": "open_case"}],
    }  # fmt: skip


def field_options(signal: str, types: dict[str, dict[str, Kind]]) -> list[tuple[str, str | None]]:
    """The fields a condition on this trigger may test: (field, its label or None to show the attribute)."""
    options: list[tuple[str, str | None]] = [(f"signal.{a}", None) for a in sorted(types.get(signal, {}))]
    options += [(field, CONTEXT_LABELS[field]) for field in CONTEXT_FIELDS]
    options += [(f"{counter}{t}", None) for counter in COUNTERS for t in sorted(types)]
    return options


def date_fields(signal: str, types: dict[str, dict[str, Kind]]) -> list[str]:
    """The date and time fields `falls_between` may name."""
    attributes = types.get(signal, {})
    return [
        f for f, _ in field_options(signal, types) if field_kind(f, attributes, types) in ("date", "datetime")
    ]


def value_control(condition: dict[str, Any], signal: str, types: dict[str, dict[str, Kind]]) -> str:
    """Which control the condition's value gets: none, time, two_fields, list, number, boolean, date, text."""
    op = condition.get("op")
    if op in ("exists", "missing"):
        return "none"
    if op in ("local_time_after", "local_time_before"):
        return "time"
    if op == "falls_between":
        return "two_fields"
    if op in ("in", "not_in"):
        return "list"
    kind = field_kind(str(condition.get("field") or ""), types.get(signal, {}), types)
    return {"number": "number", "integer": "number", "boolean": "boolean", "date": "date"}.get(
        kind or "", "text"
    )


def shown(value: Any) -> str:
    """A condition's or parameter's value as its text box shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(shown(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):
        return yaml.safe_dump(value, sort_keys=False, allow_unicode=True).strip() if value else ""
    return str(value)


def placed(
    rule: dict[str, Any], errors: list[tuple[str, str]]
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Split (path, message) pairs into those a control shows beside itself and the rest (for the top)."""
    paths = {"key", "name", "active", "when/signal", "when/after", "if", "then"}
    for j in range(len(rule.get("if", []))):
        paths |= {f"if/{j}", f"if/{j}/field", f"if/{j}/op", f"if/{j}/value"}
    for j, action in enumerate(rule.get("then", [])):
        params = PARAMS.get(action.get("do"), [])
        paths |= {f"then/{j}", f"then/{j}/do"} | {f"then/{j}/{p}" for p, _, _ in params}
    beside: dict[str, str] = {}
    rest = []
    for path, message in errors:
        if path in paths:
            beside[path] = f"{beside[path]} {message}" if path in beside else message
        else:
            rest.append((path, message))
    return beside, rest


assert all(op in OPS for ops in OPS_BY_KIND.values() for op in ops)
