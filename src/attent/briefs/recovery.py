"""How recovery events fold into the brief: what was given or offered, what waits for a lead, check-ins."""

import uuid
from datetime import datetime

from attent.briefs.fold import Fold, reduces
from attent.briefs.schemas import GestureLine
from attent.recovery.service import money
from attent.timeline import TimelineEvent

STATES = {
    "gesture.suggested": "suggested",
    "gesture.approval_requested": "pending_approval",
    "gesture.granted": "granted",
    "gesture.approved": "granted",
    "gesture.declined": "declined",
    "gesture.done": "done",
}
SAYS = {
    "gesture.suggested": "Suggested: {name}",
    "gesture.approval_requested": "{who} asked a lead to approve: {name}",
    "gesture.granted": "{who} granted: {name}",
    "gesture.approved": "{who} approved: {name}",
    "gesture.declined": "{who} declined: {name}",
    "gesture.done": "{who} did: {name}",
}


def _line(fold: Fold, e: TimelineEvent) -> tuple[GestureLine, str]:
    """The gesture's line, with its name and cost in the reader's language and its latest state."""
    key = str(e.data.get("gesture_id"))
    state = STATES[e.kind]
    name = fold.pick(e.data.get("name"))
    cost = money(int(e.data.get("cost_cents", 0)), str(e.data.get("currency", "EUR")), fold.language)
    label = f"{name} ({cost})"
    if e.data.get("occasion"):
        label += " — " + fold.t("surprise for: {occasion}", occasion=fold.t(str(e.data["occasion"])))
    line = GestureLine(
        gesture_id=uuid.UUID(key),
        code=str(e.data.get("code")),
        name=name,
        state=state,
        summary=f"{label} — {fold.t(state)}",
    )
    fold.gestures[key] = line
    return line, label


def _gesture(fold: Fold, e: TimelineEvent) -> None:
    _, label = _line(fold, e)
    text = fold.t(SAYS[e.kind], who=fold.who(e), name=label)
    if e.kind == "gesture.declined" and e.data.get("reason"):
        text += f" ({e.data['reason']})"
    fold.did(e, text)


for _kind in STATES:
    reduces(_kind)(_gesture)


@reduces("gesture.survey")
def _survey(fold: Fold, e: TimelineEvent) -> None:
    fold.did(
        e,
        fold.t(
            "Survey after {name}: {score} of 5", name=fold.pick(e.data.get("name")), score=e.data.get("score")
        ),
    )


@reduces("check_in.scheduled")
def _check_in_planned(fold: Fold, e: TimelineEvent) -> None:
    due = fold.when(datetime.fromisoformat(str(e.data["due_at"])))
    fold.did(e, fold.t("Check-in planned for {due}: {note}", due=due, note=e.data.get("note", "")))


@reduces("check_in.done")
def _check_in_done(fold: Fold, e: TimelineEvent) -> None:
    if e.data.get("mode") == "message":
        fold.did(e, fold.t("Attent wrote to the customer to check in"))
    else:
        fold.did(e, fold.t("Check-in task for the team: {note}", note=e.data.get("note", "")))


@reduces("check_in.skipped")
def _check_in_skipped(fold: Fold, e: TimelineEvent) -> None:
    fold.did(e, fold.t("Check-in skipped: the customer came back before it was due"))
