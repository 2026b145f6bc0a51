"""The e-mails Attent sends to its own agents: an invitation and a password reset, each with a link.

Queued as a job in the transaction that made the link, sent by the worker after commit (`attent.wiring`
registers `deliver_agent_mail`). Once sent, the job forgets the link: the queue does not keep a working
credential around in the clear.
"""

from datetime import datetime

from sqlalchemy.orm import Session

from attent.agents.models import Agent, LinkPurpose, OneTimeLink
from attent.core import queue
from attent.core.i18n import gettext
from attent.core.mailer import send_plain
from attent.core.queue import Job
from attent.core.settings import get_settings

MAIL_JOB = "agents.mail"


def _texts(purpose: LinkPurpose, language: str, **values: str) -> tuple[str, str]:
    if purpose is LinkPurpose.INVITE:
        subject = gettext(language, "You are invited to Attent")
        body = gettext(
            language,
            "Hello {name},\n\n{inviter} invited you to Attent. Choose your password here:\n\n{url}\n\n"
            "The link works once, until {until} (UTC).",
            **values,
        )
    else:
        subject = gettext(language, "Set a new password for Attent")
        body = gettext(
            language,
            "Hello {name},\n\nSomeone asked to reset your Attent password. If that was you, choose a new "
            "one here:\n\n{url}\n\nThe link works once, until {until} (UTC). If it was not you, ignore "
            "this e-mail: your password stays as it is.",
            **values,
        )
    return subject, body


def queue_link_mail(
    *, db: Session, agent: Agent, link: OneTimeLink, url: str, inviter: str | None, at: datetime
) -> None:
    """Queue the e-mail that carries a link, in the agent's language."""
    until = link.expires_at.strftime("%Y-%m-%d %H:%M")
    subject, body = _texts(
        link.purpose, agent.language, name=agent.name, inviter=inviter or "Attent", url=url, until=until
    )
    queue.enqueue(
        db=db,
        organisation_id=agent.organisation_id,
        kind=MAIL_JOB,
        key=f"agent-link:{link.id}",
        payload={"to": agent.email, "subject": subject, "body": body, "language": agent.language},
        due_at=at,
        at=at,
    )


def deliver_agent_mail(db: Session, job: Job, now: datetime) -> None:
    """Send one queued agent e-mail; a failure raises and the queue retries with backoff."""
    payload = job.payload
    send_plain(
        get_settings(),
        to=payload["to"],
        subject=payload["subject"],
        body=payload["body"],
        language=payload.get("language", "nl"),
    )
    job.payload = {"to": payload["to"], "subject": payload["subject"], "sent": now.isoformat()}
