"""Scoring transcripts for the API, and scorecards of contacts stored in Attent."""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from attent.agents import Agent, Role
from attent.agents.service import require_role
from attent.cases import CasesMerged
from attent.coach.engine import Line, Scorecard, Transcript, score
from attent.coach.models import ContactScorecard, PromiseProposal, ScoredVerdict
from attent.coach.pasted import parse_text
from attent.coach.schemas import CoachSettings, ScorecardRead, ScoreRequest, scorecard_read
from attent.coach.scoring import queue
from attent.coach.settings import SETTINGS_KEY, auto_promises
from attent.coach.settings import business_hours as business_hours  # for e-mail answer times
from attent.coach.stored import CoachPanel as CoachPanel  # the case page's coach panel, for workspace/
from attent.coach.stored import accept_proposal as accept_proposal
from attent.coach.stored import case_panel as case_panel
from attent.coach.stored import dismiss_proposal as dismiss_proposal
from attent.contacts import Contact
from attent.core.db import repoint
from attent.core.errors import FieldError, Invalid
from attent.organisations import Organisation
from attent.organisations.service import get_organisation
from attent.verification.service import policy_of


def _zone(name: str | None, org: Organisation, field: str) -> str:
    zone = name or org.timezone
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(
            "unknown_timezone",
            "That time zone is unknown.",
            [FieldError((field,), "Unknown zone “{zone}”.", {"zone": zone})],
        ) from None
    return zone


def score_with_org(
    transcript: Transcript, org: Organisation, language: str
) -> tuple[ScorecardRead, Scorecard]:
    """Score with the organisation's verification policy and business hours."""
    facts = [q.fact for q in policy_of(org.settings).questions]
    card = score(transcript, policy_facts=facts, hours=business_hours(org.settings))
    return scorecard_read(card, transcript, language), card


def score_text(
    *,
    db: Session,
    actor: Agent,
    text: str,
    started_at: datetime | None,
    timezone: str | None,
    language: str | None,
    at: datetime,
) -> ScorecardRead:
    """Score a plain-text transcript; an empty one gets an empty but valid scorecard."""
    org = get_organisation(db=db, organisation_id=actor.organisation_id)
    zone = _zone(timezone, org, "timezone")
    transcript = parse_text(text, started_at=started_at or at, timezone=zone)
    return score_with_org(transcript, org, language or actor.language)[0]


def score_messages(*, db: Session, actor: Agent, data: ScoreRequest, at: datetime) -> ScorecardRead:
    """Score JSON messages; each message's `at` becomes its time since the start."""
    org = get_organisation(db=db, organisation_id=actor.organisation_id)
    zone = _zone(data.timezone, org, "timezone")
    first = next((m.at for m in data.messages if m.at is not None), None)
    start = data.started_at or first or at
    lines = tuple(
        Line(m.speaker, m.text, (m.at - start).total_seconds() if m.at is not None else None)
        for m in data.messages
    )
    transcript = Transcript(lines, started_at=start, timezone=zone)
    return score_with_org(transcript, org, data.language or actor.language)[0]


def contact_ended(*, db: Session, contact: Contact, at: datetime) -> None:
    """Queue an ended contact for the worker if it has messages: one statement, one small row at most."""
    queue(db=db, organisation_id=contact.organisation_id, contact_id=contact.id, at=at, if_messages=True)


def messages_added(*, db: Session, contact: Contact, at: datetime) -> None:
    """Messages on an ended contact (a transcript logged afterwards) queue it to be scored again."""
    if contact.ended_at is not None:
        queue(db=db, organisation_id=contact.organisation_id, contact_id=contact.id, at=at)


def coach_settings(*, db: Session, actor: Agent) -> CoachSettings:
    """The organisation's coach settings with defaults filled in."""
    org = get_organisation(db=db, organisation_id=actor.organisation_id)
    return CoachSettings(auto_promises=auto_promises(org.settings))


def set_coach_settings(*, db: Session, actor: Agent, data: CoachSettings) -> CoachSettings:
    """Admins switch automatic promises on or off; business hours set elsewhere are kept."""
    require_role(actor, Role.ADMIN)
    org = get_organisation(db=db, organisation_id=actor.organisation_id)
    current = dict(org.settings.get(SETTINGS_KEY) or {})
    org.settings = {**org.settings, SETTINGS_KEY: {**current, "auto_promises": data.auto_promises}}
    db.flush()
    return coach_settings(db=db, actor=actor)


def cases_merged(db: Session, event: CasesMerged) -> None:
    """A case was merged into another (subscribed in `attent.wiring`): its scorecards and proposals move."""
    for model in (ContactScorecard, ScoredVerdict, PromiseProposal):
        repoint(db, model, organisation_id=event.organisation_id, old=event.merged_id, new=event.kept_id)
