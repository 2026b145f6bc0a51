"""Kopje Koffie's support mailbox: a customer's e-mail that became a case with an answer time, and a
newsletter that was put aside. The mailbox is switched off (its server is made up), so no worker tries
to read it; an admin points it at a real server in Settings → E-mail."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from attent.agents import Agent, Role, Team
from attent.core.settings import Settings
from attent.mailboxes.ingest import receive
from attent.mailboxes.schemas import MailboxIn
from attent.mailboxes.service import create_mailbox
from attent.organisations.service import find_organisation

QUESTION = """From: Lotte Smit <lotte.smit@example.nl>
To: Kopje Koffie Klantenservice <support@kopjekoffie.example>
Subject: Capsules lekken bij het zetten
Message-ID: <demo-lotte-1@example.nl>
Date: {date}
Content-Type: text/plain; charset=utf-8

Hallo,

Sinds de nieuwe doos lekken de capsules bij het zetten; het koffiezetapparaat staat vol koffie.
Kunnen jullie een nieuwe doos sturen?

Groetjes,
Lotte

Verzonden vanaf mijn iPhone
"""
NEWSLETTER = """From: Koffiebranders Nieuws <nieuws@koffiebranders.example>
To: support@kopjekoffie.example
Subject: Nieuwe oogst uit Colombia
Message-ID: <demo-nieuwsbrief-1@koffiebranders.example>
List-Id: Koffiebranders <nieuws.koffiebranders.example>
Precedence: list
Date: {date}

De nieuwe oogst is binnen.
"""


def load_mail(db: Session, now: datetime, secret_key: str | None) -> None:
    """The mailbox, one customer e-mail (a case, a promise, an acknowledgement) and one newsletter."""
    org = find_organisation(db=db, slug="kopje-koffie")
    admin = db.scalars(
        select(Agent)
        .where(Agent.organisation_id == org.id, Agent.role == Role.ADMIN)
        .order_by(Agent.created_at)
    ).first()
    team = db.scalars(select(Team).where(Team.organisation_id == org.id, Team.name == "Klantcontact")).first()
    assert admin is not None
    settings = Settings(secret_key=secret_key) if secret_key else Settings()
    data = MailboxIn(
        address="support@kopjekoffie.example", display_name="Kopje Koffie Klantenservice",
        team_id=team.id if team else None, active=False, imap_host="imap.kopjekoffie.example",
        imap_username="support@kopjekoffie.example", imap_password="demo-mailbox-password",
    )  # fmt: skip
    at = now - timedelta(minutes=40)
    mailbox = create_mailbox(db=db, actor=admin, data=data, secret_key=settings.secret_key, at=at)
    date = at.strftime("%a, %d %b %Y %H:%M:%S +0000")
    for raw in (QUESTION, NEWSLETTER):
        message = raw.format(date=date).replace("\n", "\r\n").encode()
        receive(db=db, mailbox=mailbox, raw=message, settings=settings, at=at)
