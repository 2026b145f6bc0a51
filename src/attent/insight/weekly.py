"""The weekly summary e-mail to leads who asked for it: on Monday from 07:00 (the organisation's time),
last week's four headline figures against the week before, and three cases worth a look (a broken
promise, a low satisfaction score, a customer who came back).

A timed step plans one job per lead and week (`insight-weekly:<agent>:<monday>`, so a second worker or
tick plans nothing twice); the queue sends it, with retries. Opting in or out is the lead's own choice.
"""

import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from attent.agents import Agent, Role
from attent.agents.service import require_role
from attent.cases import Case
from attent.channels import Envelope, channels_from
from attent.contacts import Contact, Direction
from attent.core.db import Database
from attent.core.errors import Forbidden
from attent.core.i18n import gettext
from attent.core.queue import GiveUp, Job, enqueue
from attent.core.settings import Settings, get_settings
from attent.insight.models import Survey
from attent.insight.scope import Scope, build_scope
from attent.insight.service import report
from attent.insight.surveys import LOW
from attent.organisations import Organisation
from attent.promises import Promise, PromiseState

JOB = "insight.weekly_summary"
SEND_FROM = time(7, 0)
FIGURES = (
    ("fcr", "fcr_share", "First-contact resolution"),
    ("repeats", "came_back_7d_share", "Came back within 7 days"),
    ("promises", "kept_share", "Promises kept"),
    ("surveys", "csat_avg", "Satisfaction (1-5)"),
)


def subscribed(*, db: Session, actor: Agent) -> bool:
    """Whether the actor gets the weekly summary."""
    org = db.get(Organisation, actor.organisation_id)
    return org is not None and str(actor.id) in org.settings.get("insight", {}).get("weekly_summary_to", [])


def set_subscribed(*, db: Session, actor: Agent, on: bool) -> bool:
    """Opt the actor (a lead or an admin) in or out of the weekly summary."""
    if actor.role is Role.AGENT:
        raise Forbidden("leads_only", "The weekly summary is for leads and admins.")
    require_role(actor, Role.LEAD)
    org = db.get(Organisation, actor.organisation_id)
    assert org is not None
    rules = dict(org.settings.get("insight", {}))
    people = [p for p in rules.get("weekly_summary_to", []) if p != str(actor.id)]
    rules["weekly_summary_to"] = [*people, str(actor.id)] if on else people
    org.settings = {**org.settings, "insight": rules}
    db.flush()
    return on


def plan_weekly_summaries(*, database: Database, now: datetime, limit: int, settings: Settings) -> int:
    """Queue this week's summary for each subscribed lead, once, from Monday 07:00 local time."""
    planned = 0
    with database.unit_of_work() as db:
        for org in db.scalars(select(Organisation)):
            people = org.settings.get("insight", {}).get("weekly_summary_to", [])
            local = now.astimezone(ZoneInfo(org.timezone))
            if not people or local.weekday() != 0 or local.time() < SEND_FROM:
                continue
            monday = local.date().isoformat()
            for agent_id in people:
                key = f"insight-weekly:{agent_id}:{monday}"
                exists = db.scalar(select(Job.id).where(Job.organisation_id == org.id, Job.key == key))
                if exists is None and planned < limit:
                    enqueue(
                        db=db, organisation_id=org.id, kind=JOB, key=key,
                        payload={"agent_id": agent_id, "monday": monday}, due_at=now, at=now,
                    )  # fmt: skip
                    planned += 1
    return planned


def summary(*, db: Session, agent: Agent, now: datetime) -> tuple[str, str]:
    """(subject, body) of the summary for last week, in the agent's language, covering what they see."""
    lang = agent.language
    scope = build_scope(db=db, actor=agent, now=now)
    monday = scope.last_day - timedelta(days=scope.last_day.weekday())
    scope = build_scope(
        db=db, actor=agent, now=now, since=monday - timedelta(days=7), until=monday - timedelta(days=1)
    )
    lines = [
        gettext(
            lang,
            "Last week ({since} to {until}), against the week before:",
            since=scope.first_day.strftime("%d-%m"),
            until=scope.last_day.strftime("%d-%m"),
        ),
        "",
    ]
    for measure, name, label in FIGURES:
        found = report(db=db, scope=scope, measure=measure)
        now_value = found.total.values.get(name)
        before = found.previous.values.get(name) if found.previous else None
        lines.append(f"- {gettext(lang, label)}: {_say(name, now_value)} ({_say(name, before)})")
    lines += ["", gettext(lang, "Worth a look:")]
    for label, case in _worth_a_look(db, scope):
        lines.append(f"- {gettext(lang, label)}: {case.subject}")
    if len(lines) == len(FIGURES) + 4:
        lines.append("- " + gettext(lang, "nothing stood out."))
    subject = gettext(
        lang, "Attent: your week in figures ({since})", since=scope.first_day.strftime("%d-%m-%Y")
    )
    return subject, "\n".join(lines) + "\n"


def _say(name: str, value: object) -> str:
    if value is None:
        return "—"
    if name.endswith("_share"):
        return f"{float(value) * 100:.0f}%"  # type: ignore[arg-type]
    return f"{float(value):.1f}"  # type: ignore[arg-type]


def _mine(query: Select[Case], scope: Scope) -> Select[Case]:
    """The scope's cases only (the lead's teams), the first one."""
    query = query.where(Case.organisation_id == scope.organisation_id)
    if scope.team_ids is not None:
        query = query.where(Case.team_id.in_(scope.team_ids))
    if scope.agent_id is not None:
        query = query.where(Case.owner_id == scope.agent_id)
    return query.limit(1)


def _on_case(model: type[Promise] | type[Survey] | type[Contact]) -> ColumnElement[bool]:
    return (model.organisation_id == Case.organisation_id) & (model.case_id == Case.id)


def _worth_a_look(db: Session, scope: Scope) -> list[tuple[str, Case]]:
    """A broken promise, the lowest satisfaction score and the case with most inbound contacts."""
    since, until = scope.since, scope.until
    broken = (
        select(Case)
        .join(Promise, _on_case(Promise))
        .where(Promise.state == PromiseState.BROKEN, Promise.made_at >= since, Promise.made_at < until)
    )
    low = (
        select(Case)
        .join(Survey, _on_case(Survey))
        .where(Survey.csat <= LOW, Survey.answered_at >= since, Survey.answered_at < until)
    )
    again = (
        select(Case)
        .join(Contact, _on_case(Contact))
        .where(
            Contact.direction == Direction.INBOUND, Contact.started_at >= since, Contact.started_at < until
        )
        .group_by(Case.organisation_id, Case.id)
        .having(func.count() > 1)
    )
    found = [
        ("A broken promise", db.scalar(_mine(broken.order_by(Promise.made_at.desc()), scope))),
        (
            "A low satisfaction score",
            db.scalar(_mine(low.order_by(Survey.csat, Survey.answered_at.desc()), scope)),
        ),
        ("A customer who came back", db.scalar(_mine(again.order_by(func.count().desc()), scope))),
    ]
    return [(label, case) for label, case in found if case is not None]


def send_weekly_summary(db: Session, job: Job, now: datetime) -> None:
    """The queue's handler: write and send one lead's summary; no SMTP server configured, no retries."""
    agent = db.get(Agent, (job.organisation_id, uuid.UUID(job.payload["agent_id"])))
    if agent is None or not agent.active:
        return
    channel = channels_from(get_settings()).get("email")
    if channel is None:
        raise GiveUp("No SMTP server is configured, so the weekly summary cannot be sent.")
    subject, body = summary(db=db, agent=agent, now=now)
    org = db.get(Organisation, agent.organisation_id)
    envelope = Envelope(
        recipient=agent.email,
        subject=subject,
        body=body,
        message_id=f"<{job.key}@attent>",
        language=agent.language,
        sender_name=org.name if org else "Attent",
    )
    with channel.connect() as sender:
        sender.send(envelope)
