"""How messages to the customer fold into the brief: what they were told, and what failed to reach them."""

from attent.briefs.fold import Fold, reduces
from attent.channels import MessageFailed, MessageNotSent, MessageSent
from attent.timeline import TimelineEvent


@reduces(MessageSent)
def _sent(fold: Fold, e: TimelineEvent) -> None:
    channel = fold.t(e.data.get("channel", ""))
    fold.did(
        e,
        fold.t("Attent told the customer ({channel}): {subject}", channel=channel, subject=e.data["subject"]),
    )


def _reply_lost(fold: Fold, e: TimelineEvent, reason: str) -> None:
    """The agent's e-mail reply never reached the customer: what it answered is open again."""
    fold.questions = fold.answered.pop(str(e.data.get("contact_id")), []) + fold.questions
    fold.did(
        e,
        fold.t(
            "The reply did NOT reach the customer ({reason}): they still wait for an answer, and "
            "what was promised them is still open.",
            reason=reason,
        ),
    )


@reduces(MessageFailed)
def _failed(fold: Fold, e: TimelineEvent) -> None:
    said = e.data.get("said")
    reason = (
        fold.t(said["template"], **said["params"]) if isinstance(said, dict) else e.data.get("reason", "")
    )
    if e.data.get("template") == "reply":
        _reply_lost(fold, e, reason)
        return
    fold.did(
        e,
        fold.t(
            "The customer was NOT told ({subject}): {reason}",
            subject=e.data.get("subject", ""),
            reason=reason,
        ),
    )


@reduces(MessageNotSent)
def _not_sent(fold: Fold, e: TimelineEvent) -> None:
    if e.data.get("template") == "reply":
        _reply_lost(fold, e, fold.t("we have no address to write to"))
        return
    fold.did(e, fold.t("The customer was NOT told: we have no address to write to"))
