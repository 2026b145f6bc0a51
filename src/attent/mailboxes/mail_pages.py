"""One received e-mail in full: its headers, its whole text (quotes and signature included), its
attachments and whatever was wrong with it, and the original to download. Never rendered as HTML:
the text is shown escaped in a <pre>, and the download is an attachment under a sandboxing CSP.
"""

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from attent.agents import CurrentAgent
from attent.core.deps import DbSession
from attent.core.templating import render
from attent.mailboxes.conversation import get_mail
from attent.organisations.service import get_organisation

router = APIRouter(include_in_schema=False)


@router.get("/mail/{mail_id}")
def mail_page(request: Request, mail_id: uuid.UUID, db: DbSession, actor: CurrentAgent) -> HTMLResponse:
    """The full message, for agents who may see its case (admins for mail on no case)."""
    mail = get_mail(db=db, actor=actor, mail_id=mail_id)
    org = get_organisation(db=db, organisation_id=actor.organisation_id)
    return render(request, "mailboxes/mail.html", agent=actor, mail=mail, tz=org.timezone)


@router.get("/mail/{mail_id}/original")
def mail_original(mail_id: uuid.UUID, db: DbSession, actor: CurrentAgent) -> Response:
    """The message exactly as it arrived, as a download (never shown in the browser)."""
    mail = get_mail(db=db, actor=actor, mail_id=mail_id)
    return Response(
        mail.raw,
        media_type="message/rfc822",
        headers={
            "Content-Disposition": f'attachment; filename="message-{mail.id}.eml"',
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "X-Content-Type-Options": "nosniff",
        },
    )
