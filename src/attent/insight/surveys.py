"""Surveys after resolution: scheduled when a case is resolved, sent by the worker N hours later through
the outbox (unless the customer came back in the meantime, was surveyed in the last N days, or cannot be
reached), answered once through a link that needs no sign-in, and a low score told to the owner's lead.

The link carries a random token; only its SHA-256 is stored, so the table leaks no working link. The
token works once (the survey is then answered) and for 30 days.
"""

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, exists, select
from sqlalchemy.orm import Session

from attent.cases import Case, CaseStatus
from attent.channels.service import queue_message
from attent.contacts import Contact, Direction
from attent.core.errors import AttentError, Conflict, NotFound
from attent.customers import Customer
from attent.insight.kinds import SurveyAnswered, SurveyLowScore, SurveySent, SurveySkipped
from attent.insight.models import Survey, SurveyState
from attent.insight.schemas import InsightSettings, SurveyAnswer
from attent.notifications.service import leads_by_team, notify_many
from attent.organisations import Organisation
from attent.recovery.service import suggest_gesture
from attent.signals.service import raise_signal
from attent.timeline.service import record_case_event

LINK_LIFE = timedelta(days=30)
LOW = 2  # a satisfaction of 1 or 2 tells the lead
LOW_EFFORT_SCORE = 2  # "how easy was it?" answered 1 or 2 (of 7): it was hard
LOW_SCORE_SIGNAL = "survey.scored_low"


def rules_of(db: Session, organisation_id: uuid.UUID) -> InsightSettings:
    """The organisation's insight rules (the survey delay, quiet days, link address)."""
    org = db.get(Organisation, organisation_id)
    return InsightSettings.model_validate(org.settings.get("insight", {}) if org else {})


def schedule(*, db: Session, case: Case, at: datetime) -> Survey | None:
    """A resolved case's survey, due N hours from now; resolved again before it went, its time moves on."""
    rules = rules_of(db, case.organisation_id)
    if not rules.surveys:
        return None
    survey = db.scalar(
        select(Survey).where(Survey.organisation_id == case.organisation_id, Survey.case_id == case.id)
    )
    due = at + timedelta(hours=rules.survey_after_hours)
    if survey is None:
        survey = Survey(
            organisation_id=case.organisation_id,
            case_id=case.id,
            customer_id=case.customer_id,
            resolved_at=at,
            due_at=due,
            created_at=at,
        )
        db.add(survey)
    elif survey.state is SurveyState.SCHEDULED:
        survey.resolved_at, survey.due_at = at, due
    db.flush()
    return survey


def due_surveys(*, now: datetime, limit: int) -> Select[Any]:
    """Scheduled surveys whose time has come, for the worker to claim."""
    return (
        select(Survey)
        .where(Survey.state == SurveyState.SCHEDULED, Survey.due_at <= now)
        .order_by(Survey.due_at)
        .limit(limit)
    )


def send(*, db: Session, batch: Sequence[Survey], now: datetime) -> int:
    """Send (or skip, saying why) each claimed survey; returns how many were sent."""
    sent = 0
    for survey in batch:
        case = db.get(Case, (survey.organisation_id, survey.case_id))
        customer = db.get(Customer, (survey.organisation_id, survey.customer_id))
        assert case is not None
        assert customer is not None
        rules = rules_of(db, survey.organisation_id)
        reason = _skip_reason(db, survey, case, rules, now)
        if reason is None:
            token = secrets.token_urlsafe(24)
            org = db.get(Organisation, survey.organisation_id)
            message = queue_message(
                db=db,
                case=case,
                customer=customer,
                template="survey",
                values={
                    "customer_name": customer.name,
                    "organisation": org.name if org else "",
                    "case_subject": case.subject,
                    "link": f"{rules.public_url.rstrip('/')}{answer_path(survey)}?t={token}",
                },
                key=f"survey:{survey.id}",
                at=now,
                data={"survey_id": str(survey.id)},
            )
            reason = None if message is not None else "unreachable"
            if message is not None:
                survey.state, survey.sent_at, survey.expires_at = SurveyState.SENT, now, now + LINK_LIFE
                survey.token_hash = _hash(token)
                record_case_event(
                    db=db, case=case, event=SurveySent(survey_id=str(survey.id)), at=now, actor=None
                )
                sent += 1
        if reason is not None:
            survey.state, survey.skip_reason = SurveyState.SKIPPED, reason
            event = SurveySkipped(survey_id=str(survey.id), reason=reason)
            record_case_event(db=db, case=case, event=event, at=now, actor=None)
    db.flush()
    return sent


def _skip_reason(
    db: Session, survey: Survey, case: Case, rules: InsightSettings, now: datetime
) -> str | None:
    """Why not to ask: the case is open again, the customer came back, or was asked recently."""
    if case.status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        return "reopened"
    came_back = db.scalar(
        select(
            exists().where(
                Contact.organisation_id == survey.organisation_id,
                Contact.customer_id == survey.customer_id,
                Contact.direction == Direction.INBOUND,
                Contact.started_at > survey.resolved_at,
            )
        )
    )
    if came_back:
        return "came_back"
    recent = db.scalar(
        select(
            exists().where(
                Survey.organisation_id == survey.organisation_id,
                Survey.customer_id == survey.customer_id,
                Survey.id != survey.id,
                and_(
                    Survey.sent_at.is_not(None),
                    Survey.sent_at > now - timedelta(days=rules.survey_quiet_days),
                ),
            )
        )
    )
    return "surveyed_recently" if recent else None


def answer_path(survey: Survey) -> str:
    """Where the customer answers: the organisation in the path finds the row by its primary key."""
    return f"/survey/{survey.organisation_id}/{survey.id}"


def _suggest_recovery(db: Session, survey: Survey, case: Case, now: datetime) -> None:
    """Where the organisation chose a gesture for low scores, suggest it on the case (as a rule would).
    A gesture the catalogue no longer has must not cost the customer their answer: then only the lead
    is told."""
    code = rules_of(db, survey.organisation_id).low_score_gesture
    if code is None:
        return
    try:
        with db.begin_nested():
            suggest_gesture(
                db=db,
                organisation_id=survey.organisation_id,
                customer_id=survey.customer_id,
                case_id=case.id,
                reason=f"CSAT {survey.csat}/5" + (f": {survey.comment}" if survey.comment else ""),
                occasion=None,
                gesture_code=code,
                source=f"survey:{survey.id}",
                at=now,
            )
    except AttentError:
        pass


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_survey(
    *, db: Session, organisation_id: uuid.UUID, survey_id: uuid.UUID, token: str, now: datetime
) -> Survey:
    """The survey a link names, if its token is right and it may still be answered."""
    survey = db.get(Survey, (organisation_id, survey_id))
    if (
        survey is None
        or survey.token_hash is None
        or not secrets.compare_digest(survey.token_hash, _hash(token))
    ):
        raise NotFound.of("survey", survey_id)  # a tampered link is as unknown as a made-up one
    if survey.state is SurveyState.ANSWERED:
        raise Conflict("survey_answered", "This survey has been answered already. Thank you!")
    if survey.expires_at is not None and survey.expires_at <= now:
        raise Conflict("survey_expired", "This survey link has expired.")
    return survey


def answer(
    *,
    db: Session,
    organisation_id: uuid.UUID,
    survey_id: uuid.UUID,
    token: str,
    data: SurveyAnswer,
    now: datetime,
) -> Survey:
    """Store the one answer of a case's survey; a low satisfaction tells the owner's team leads."""
    survey = open_survey(db=db, organisation_id=organisation_id, survey_id=survey_id, token=token, now=now)
    survey.state, survey.answered_at = SurveyState.ANSWERED, now
    survey.csat, survey.ces, survey.comment = data.csat, data.ces, (data.comment or None)
    survey.token_hash = None  # used: the link works no more
    case = db.get(Case, (survey.organisation_id, survey.case_id))
    assert case is not None
    answered = SurveyAnswered(
        survey_id=str(survey.id), csat=data.csat, ces=data.ces, commented=bool(data.comment)
    )
    record_case_event(db=db, case=case, event=answered, at=now, actor=None)
    if data.csat <= LOW:
        low = SurveyLowScore(
            survey_id=str(survey.id), csat=data.csat, owner_id=str(case.owner_id) if case.owner_id else None
        )
        record_case_event(db=db, case=case, event=low, at=now, actor=None)
        _suggest_recovery(db, survey, case, now)
        team_leads = (
            leads_by_team(db=db, team_ids={case.team_id}).get(case.team_id, []) if case.team_id else []
        )
        notify_many(
            db=db,
            rows=[
                {
                    "organisation_id": organisation_id,
                    "agent_id": lead_id,
                    "kind": SurveyLowScore.name,
                    "case_id": case.id,
                    "data": {**low.data(), "comment": survey.comment},
                    "created_at": now,
                }
                for organisation_id, lead_id in team_leads
            ],
        )
    if data.csat <= LOW or data.ces <= LOW_EFFORT_SCORE:
        _raise_low_score(db, survey, case, now)
    db.flush()
    return survey


def _raise_low_score(db: Session, survey: Survey, case: Case, now: datetime) -> None:
    """A low satisfaction or a hard effort raises the `survey.scored_low` signal, so the organisation's own
    rules can answer it (suggest a recovery gesture, schedule a check-in, make a call-back promise on
    the case) on top of the lead's notification."""
    raise_signal(
        db=db,
        organisation_id=survey.organisation_id,
        customer_id=survey.customer_id,
        type=LOW_SCORE_SIGNAL,
        attributes={
            "csat": survey.csat,
            "ces": survey.ces,
            "commented": survey.comment is not None,
            "case_id": str(case.id),
            "case_type": case.type,
        },
        external_id=f"survey:{survey.id}",
        at=now,
    )
