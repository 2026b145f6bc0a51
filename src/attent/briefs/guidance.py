"""How verification and playbook events fold into the brief: who is on the line, what is being done."""

from attent.briefs.fold import Fold, reduces
from attent.briefs.schemas import CurrentStep, Verified
from attent.playbooks import StepStartedEvent
from attent.timeline import TimelineEvent
from attent.verification import VerificationFailed, VerificationPassed


@reduces(VerificationPassed)
def _passed(fold: Fold, e: TimelineEvent) -> None:
    label = fold.pick(e.data.get("label"))
    fold.verified = Verified(
        by=label, at=e.at, actor_name=fold.who(e), summary=fold.t("Verified by: {label}", label=label)
    )
    fold.did(e, fold.t("{who} verified the customer by {label}", who=fold.who(e), label=label))


@reduces(VerificationFailed)
def _failed(fold: Fold, e: TimelineEvent) -> None:
    label = fold.pick(e.data.get("label"))
    fold.did(e, fold.t("{who}: verification by {label} did not match", who=fold.who(e), label=label))


@reduces(StepStartedEvent)
def _step_started(fold: Fold, e: TimelineEvent) -> None:
    title = fold.pick(e.data.get("title"))
    low, high = int(e.data.get("low_minutes", 0)), int(e.data.get("high_minutes", 0))
    expected = f"{low}" if low == high else f"{low}-{high}"
    time = e.at.astimezone(fold.tz).strftime("%H:%M")
    fold.current_step = CurrentStep(
        key=str(e.data.get("step", "")),
        title=title,
        started_at=e.at,
        started_by=fold.who(e),
        low_minutes=low,
        high_minutes=high,
        summary=fold.t(
            "{who} is working on: {title} (about {expected} minutes, since {time})",
            who=fold.who(e),
            title=title,
            expected=expected,
            time=time,
        ),
    )
    fold.did(e, fold.t("{who} started: {title}", who=fold.who(e), title=title))
