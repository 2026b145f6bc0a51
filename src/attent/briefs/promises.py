"""How promise events fold into the brief: what is open, at risk, kept or broken, and by whom."""

import uuid
from datetime import datetime

from attent.briefs.fold import Fold, reduces
from attent.briefs.schemas import OpenPromise
from attent.promises import (
    PromiseAtRisk,
    PromiseBroken,
    PromiseCancelled,
    PromiseKept,
    PromiseMade,
    PromiseOffered,
    PromiseReassigned,
    PromiseReopened,
)
from attent.timeline import TimelineEvent


def _due_and_owner(fold: Fold, promise: OpenPromise) -> tuple[str, str]:
    """The due time as Attent says it ('morgen 15:20'), and who has the promise (else the team)."""
    due = fold.when(promise.due_at) if promise.due_at else "?"
    return due, promise.owner_name or fold.t("the team")


def _summary(fold: Fold, promise: OpenPromise) -> str:
    """The promise said once: what, by when, who ('call-back, due today 15:20 — Fatima'). The list it
    stands in is headed 'Promised' and the lines around it say what happened ('Attent promised: …',
    'Fatima kept: …'), so it does not say 'Promised' itself."""
    due, owner = _due_and_owner(fold, promise)
    text = fold.t("{kind}, due {due} — {owner}", kind=fold.t(promise.kind), due=due, owner=owner)
    if promise.state in ("at_risk", "broken"):
        text += " — " + fold.t(promise.state)
    if promise.offered:
        text += " — " + fold.t("offered to the team")
    return text


def _refresh(fold: Fold, promise: OpenPromise) -> None:
    promise.summary = _summary(fold, promise)


@reduces(PromiseMade)
def _made(fold: Fold, e: TimelineEvent) -> None:
    owner = e.data.get("owner_id")
    owner_id = uuid.UUID(owner) if owner else None
    promise = OpenPromise(
        promise_id=uuid.UUID(e.data["promise_id"]),
        kind=e.data["kind"],
        due_at=datetime.fromisoformat(e.data["due_by"]),
        owner_id=owner_id,
        owner_name=fold.names.get(owner_id) if owner_id else None,
        words=e.data.get("words"),
        state="open",
        summary="",
    )
    _refresh(fold, promise)
    fold.promises[e.data["promise_id"]] = promise
    fold.did(e, fold.t("{who} promised: {words}", who=fold.who(e), words=promise.words or promise.summary))


@reduces(PromiseAtRisk)
def _at_risk(fold: Fold, e: TimelineEvent) -> None:
    promise = fold.promises.get(e.data["promise_id"])
    if promise is not None:
        promise.state = "at_risk"
        _refresh(fold, promise)


@reduces(PromiseReassigned)
def _reassigned(fold: Fold, e: TimelineEvent) -> None:
    promise = fold.promises.get(e.data["promise_id"])
    if promise is not None:
        owner = e.data.get("owner_id")
        promise.owner_id = uuid.UUID(owner) if owner else None
        promise.owner_name = fold.names.get(promise.owner_id) if promise.owner_id else None
        promise.offered = False
        _refresh(fold, promise)
        fold.did(e, fold.t("{who} handed over: {promise}", who=fold.who(e), promise=promise.summary))


@reduces(PromiseOffered)
def _offered(fold: Fold, e: TimelineEvent) -> None:
    """Its owner is gone (or leaves before it is due): any teammate may take it."""
    promise = fold.promises.get(e.data["promise_id"])
    if promise is not None:
        promise.offered = True
        _refresh(fold, promise)
        fold.did(e, fold.t("Offered to the team: {promise}", promise=promise.summary))


def _closed(fold: Fold, e: TimelineEvent, message: str) -> None:
    promise = fold.promises.pop(e.data["promise_id"], None)
    described = promise.summary if promise else fold.t(e.data.get("kind", ""))
    fold.did(e, fold.t(message, who=fold.who(e), promise=described))


@reduces(PromiseKept)
def _kept(fold: Fold, e: TimelineEvent) -> None:
    _closed(fold, e, "{who} kept: {promise}")


@reduces(PromiseCancelled)
def _cancelled(fold: Fold, e: TimelineEvent) -> None:
    _closed(fold, e, "{who} cancelled: {promise}")


@reduces(PromiseReopened)
def _reopened(fold: Fold, e: TimelineEvent) -> None:
    """A kept promise is owed again (the reply that kept it bounced): back in view, saying why."""
    owner = e.data.get("owner_id")
    owner_id = uuid.UUID(owner) if owner else None
    promise = OpenPromise(
        promise_id=uuid.UUID(e.data["promise_id"]), kind=e.data["kind"],
        due_at=datetime.fromisoformat(e.data["due_by"]), owner_id=owner_id,
        owner_name=fold.names.get(owner_id) if owner_id else None, words=e.data.get("words"), state="open",
        summary="",
    )  # fmt: skip
    _refresh(fold, promise)
    fold.promises[e.data["promise_id"]] = promise
    fold.did(
        e, fold.t("Open again, the reply did NOT reach the customer: {promise}", promise=promise.summary)
    )


@reduces(PromiseBroken)
def _broken(fold: Fold, e: TimelineEvent) -> None:
    """A broken promise stays in view: the customer is still owed it, and an apology."""
    promise = fold.promises.get(e.data["promise_id"])
    if promise is not None:
        promise.state = "broken"
        _refresh(fold, promise)
        fold.did(e, fold.t("Broken: {promise}", promise=promise.summary))


def next_step_for(fold: Fold, promise: OpenPromise) -> str:
    """What the next colleague should do about the most urgent promise."""
    due, owner = _due_and_owner(fold, promise)
    if promise.state == "broken":
        return fold.t(
            "Apologise and make good the broken promise ({kind}, was due {due}).",
            kind=fold.t(promise.kind),
            due=due,
        )
    if promise.kind == "callback":
        return fold.t("Call the customer back by {due} ({owner}).", due=due, owner=owner)
    return fold.t(
        "Keep the promise ({kind}) by {due} ({owner}).", kind=fold.t(promise.kind), due=due, owner=owner
    )
