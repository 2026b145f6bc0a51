"""How recovery events fold into the brief: what was given or offered, what waits for a lead, check-ins."""

import uuid
from datetime import datetime

from attent.briefs.fold import Fold, reduces
from attent.briefs.schemas import GestureLine
from attent.recovery import (
    CheckInDone,
    CheckInScheduled,
    CheckInSkipped,
    GestureApprovalRequested,
    GestureApproved,
    GestureDeclined,
    GestureDone,
    GestureGranted,
    GestureSuggested,
    GestureSurvey,
)
from attent.recovery.service import money
from attent.timeline import TimelineEvent

STATES: dict[str, str] = {
    GestureSuggested.name: "suggested",
    GestureApprovalRequested.name: "pending_approval",
    GestureGranted.name: "granted",
    GestureApproved.name: "granted",
    GestureDeclined.name: "declined",
    GestureDone.name: "done",
}
SAYS: dict[str, str] = {
    GestureSuggested.name: "Suggested: {name}",
    GestureApprovalRequested.name: "{who} asked a lead to approve: {name}",
    GestureGranted.name: "{who} granted: {name}",
    GestureApproved.name: "{who} approved: {name}",
    GestureDeclined.name: "{who} declined: {name}",
    GestureDone.name: "{who} did: {name}",
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
    if e.kind == GestureDeclined.name and e.data.get("reason"):
        text += f" ({e.data['reason']})"
    fold.did(e, text)


for _kind in (
    GestureSuggested,
    GestureApprovalRequested,
    GestureGranted,
    GestureApproved,
    GestureDeclined,
    GestureDone,
):
    reduces(_kind)(_gesture)


@reduces(GestureSurvey)
def _survey(fold: Fold, e: TimelineEvent) -> None:
    fold.did(
        e,
        fold.t(
            "Survey after {name}: {score} of 5", name=fold.pick(e.data.get("name")), score=e.data.get("score")
        ),
    )


@reduces(CheckInScheduled)
def _check_in_planned(fold: Fold, e: TimelineEvent) -> None:
    due = fold.when(datetime.fromisoformat(str(e.data["due_at"])))
    fold.did(e, fold.t("Check-in planned for {due}: {note}", due=due, note=e.data.get("note", "")))


@reduces(CheckInDone)
def _check_in_done(fold: Fold, e: TimelineEvent) -> None:
    if e.data.get("mode") == "message":
        fold.did(e, fold.t("Attent wrote to the customer to check in"))
    else:
        fold.did(e, fold.t("Check-in task for the team: {note}", note=e.data.get("note", "")))


@reduces(CheckInSkipped)
def _check_in_skipped(fold: Fold, e: TimelineEvent) -> None:
    fold.did(e, fold.t("Check-in skipped: the customer came back before it was due"))
