"""The customer's pages at /help/{org}: the web form (and its embeddable script), signing in by an
e-mailed link, and "Mijn vragen". Dutch or English by the browser's language (`?lang=` overrides);
they work without JavaScript."""

import hashlib
import hmac
import json
import re
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from attent.core.csrf import check_csrf
from attent.core.deps import ClockDep, DbSession, SettingsDep
from attent.core.errors import AttentError, Invalid, RateLimited, TooLarge
from attent.core.i18n import accepted_language, gettext, pick_language
from attent.core.templating import render
from attent.core.when import say_when
from attent.files import UploadedBy, download
from attent.files.service import store_attachments, uploads_of
from attent.organisations import Organisation
from attent.organisations.service import find_organisation
from attent.portal import form, service
from attent.timeline import Say, line_of

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
# An empty file input sends a part without a name (a browser) or a plain empty field (some clients).
Files = Annotated[list[UploadFile | str], File(default_factory=list)]
FIELDS = ("name", "email", "reference", "question")


def _language(request: Request, org: Organisation) -> str:
    """?lang=, else the browser's Accept-Language, else the organisation's language."""
    chosen = request.query_params.get("lang") or accepted_language(request.headers.get("accept-language"))
    language = pick_language(chosen or org.language)
    request.state.language = language
    return language


def _base(request: Request) -> str:
    """ATTENT_PUBLIC_URL, else this request's address: a forged Host header must not choose where a
    sign-in link, which carries its token, points."""
    public: str | None = request.app.state.settings.public_url
    return (public or str(request.base_url)).rstrip("/")


def _page(
    request: Request, name: str, org: Organisation, status_code: int = 200, **context: Any
) -> HTMLResponse:
    return render(request, name, status_code=status_code, org=org, agent=None, **context)


def _sent_token(key: str, case_id: uuid.UUID, due: datetime) -> str:
    payload = f"{case_id}.{int(due.timestamp())}"
    return payload + "." + hmac.new(key.encode(), f"sent:{payload}".encode(), hashlib.sha256).hexdigest()[:24]


@router.get("/help/{slug}")
def form_page(
    slug: str, request: Request, db: DbSession, clock: ClockDep, settings: SettingsDep
) -> HTMLResponse:
    """The contact form."""
    org = find_organisation(db=db, slug=slug)
    _language(request, org)
    stamp = form.form_stamp(settings.secret_key, org.id, clock.now().timestamp())
    return _page(request, "portal_form.html", org, stamp=stamp, values={}, errors={}, problem=None)


@router.post("/help/{slug}")
def submit_form(
    slug: str, request: Request, db: DbSession, clock: ClockDep, settings: SettingsDep, files: Files,
    name: Text = "", email: Text = "", reference: Text = "", question: Text = "", stamp: Text = "",
    website: Text = "",
) -> Response:  # fmt: skip
    """Take a question (and its files); the answer page says when we will answer (post, redirect, get)."""
    org = find_organisation(db=db, slug=slug)
    language = _language(request, org)
    data = form.Question(name=name, email=email, reference=reference, question=question, language=language)
    remote = request.client.host if request.client else "unknown"
    try:
        sent = form.submit(
            db=db, org=org, data=data, stamp=stamp, honeypot=website, remote=remote, at=clock.now(),
            key=settings.secret_key, base_url=_base(request),
        )  # fmt: skip
        if sent is not None and (uploads := uploads_of([f for f in files if not isinstance(f, str)])):
            store_attachments(
                db, org_id=org.id, case_id=sent.case_id, uploads=uploads, clock=clock, settings=settings,
                uploaded_by=UploadedBy.CUSTOMER, contact_id=sent.contact_id,
            )  # fmt: skip
    except (Invalid, RateLimited, TooLarge) as exc:
        db.rollback()
        errors = {str(e.path[0]): e.say(language) for e in getattr(exc, "errors", [])}
        fresh = form.form_stamp(settings.secret_key, org.id, clock.now().timestamp())
        values = dict(zip(FIELDS, (name, email, reference, question), strict=True))
        return _page(request, "portal_form.html", org, status_code=exc.status, stamp=fresh, values=values,
                     errors=errors, problem=exc.say(language))  # fmt: skip
    if sent is None:  # the honeypot: answered as if it worked
        return RedirectResponse(f"/help/{org.slug}/sent?lang={language}", status_code=303)
    db.commit()
    token = _sent_token(settings.secret_key, sent.case_id, sent.due_by)
    return RedirectResponse(f"/help/{org.slug}/sent?lang={language}&t={token}", status_code=303)


@router.get("/help/{slug}/sent")
def sent_page(
    slug: str, request: Request, db: DbSession, clock: ClockDep, settings: SettingsDep, t: str = ""
) -> HTMLResponse:
    """Thank you, and when we will answer (said as the e-mail says it)."""
    org = find_organisation(db=db, slug=slug)
    language = _language(request, org)
    said = None
    parts = t.split(".")
    if len(parts) == 3 and parts[1].isdigit():
        due = datetime.fromtimestamp(int(parts[1]), tz=UTC)
        case_id = uuid.UUID(parts[0]) if len(parts[0]) == 36 else None
        if case_id and hmac.compare_digest(_sent_token(settings.secret_key, case_id, due), t):
            said = say_when(due, now=clock.now(), timezone=org.timezone, language=language, sentence=True)
    return _page(request, "portal_sent.html", org, said=said)


_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@router.get("/help/{slug}/theme.css")
def theme(slug: str, db: DbSession) -> Response:
    """The organisation's colours (`settings.portal.colours`: accent, text on it), as a style sheet: the
    pages allow no inline style."""
    org = find_organisation(db=db, slug=slug)
    colours = (org.settings.get("portal") or {}).get("colours") or {}
    accent, on_accent = colours.get("accent", "#1f4e79"), colours.get("on_accent", "#ffffff")
    if not (isinstance(accent, str) and _COLOUR.match(accent)):
        accent = "#1f4e79"
    if not (isinstance(on_accent, str) and _COLOUR.match(on_accent)):
        on_accent = "#ffffff"
    css = (
        f".portal {{ --accent: {accent}; --on-accent: {on_accent}; }}\n"
        ".portal .top { border-bottom: 4px solid var(--accent); }\n"
        ".portal button[type=submit] { background: var(--accent); color: var(--on-accent); }\n"
    )
    return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=300"})


@router.get("/help/{slug}/embed.js")
def embed_script(
    slug: str, request: Request, db: DbSession, clock: ClockDep, settings: SettingsDep
) -> Response:
    """The form as a small script for the shop's own page: it builds the same form (posting here)."""
    org = find_organisation(db=db, slug=slug)
    language = _language(request, org)
    words = {k: gettext(language, v) for k, v in {
        "title": "Ask us a question", "name": "Your name", "email": "Your e-mail address",
        "reference": "Order number or booking reference (optional)", "question": "Your question",
        "send": "Send", "website": "Leave this field empty", "files": "Files (optional)",
    }.items()}  # fmt: skip
    config = {
        "action": f"{_base(request)}/help/{org.slug}?lang={language}",
        "stamp": form.form_stamp(settings.secret_key, org.id, clock.now().timestamp()),
        "words": words,
        "lang": language,
    }
    script = EMBED.replace("__CONFIG__", json.dumps(config).replace("<", "\\u003c"))
    headers = {"Cache-Control": "no-store", "Access-Control-Allow-Origin": "*"}
    return Response(script, media_type="text/javascript", headers=headers)


# Builds the form with DOM calls (no HTML strings), where the script tag stands; the form posts to Attent.
EMBED = """(function () {
  var c = __CONFIG__;
  var here = document.currentScript;
  var f = document.createElement("form");
  f.method = "post"; f.action = c.action; f.className = "attent-form"; f.lang = c.lang;
  f.enctype = "multipart/form-data";
  var h = document.createElement("h2"); h.textContent = c.words.title; f.appendChild(h);
  function field(name, kind, required) {
    var l = document.createElement("label"); l.textContent = c.words[name];
    var i = document.createElement(kind === "textarea" ? "textarea" : "input");
    if (kind !== "textarea") i.type = kind;
    i.name = name; i.required = required; l.appendChild(i); f.appendChild(l); return l;
  }
  field("name", "text", true); field("email", "email", true); field("reference", "text", false);
  field("question", "textarea", true);
  field("files", "file", false).querySelector("input").multiple = true;
  var trap = field("website", "text", false); trap.style.position = "absolute"; trap.style.left = "-10000px";
  trap.setAttribute("aria-hidden", "true"); trap.querySelector("input").tabIndex = -1;
  trap.querySelector("input").autocomplete = "off";
  var s = document.createElement("input"); s.type = "hidden"; s.name = "stamp"; s.value = c.stamp;
  f.appendChild(s);
  var b = document.createElement("button"); b.type = "submit"; b.textContent = c.words.send; f.appendChild(b);
  here.parentNode.insertBefore(f, here.nextSibling);
})();
"""


# --- signing in and "Mijn vragen" --------------------------------------------------------------------


@router.get("/help/{slug}/signin")
def signin_page(slug: str, request: Request, db: DbSession, sent: int = 0, next: str = "") -> HTMLResponse:
    """Ask for a sign-in link by e-mail."""
    org = find_organisation(db=db, slug=slug)
    _language(request, org)
    return _page(request, "portal_signin.html", org, sent=bool(sent), next=next, problem=None)


@router.post("/help/{slug}/signin")
def ask_link(
    slug: str, request: Request, db: DbSession, clock: ClockDep,
    email: Text = "", csrf: Text = "", next: Text = "",
) -> Response:  # fmt: skip
    """Send the link (if we know the address); the page says the same either way."""
    org = find_organisation(db=db, slug=slug)
    language = _language(request, org)
    check_csrf(request, csrf)
    if "@" in email:
        service.send_link(
            db=db, org=org, email=email, at=clock.now(), base_url=_base(request), next_path=next
        )
        db.commit()
    return RedirectResponse(f"/help/{org.slug}/signin?sent=1&lang={language}", status_code=303)


@router.get("/help/{slug}/in/{token}")
def link_page(slug: str, token: str, request: Request, db: DbSession) -> HTMLResponse:
    """The link from the e-mail: a button that signs in (a mail scanner opening the link spends nothing)."""
    org = find_organisation(db=db, slug=slug)
    _language(request, org)
    return _page(request, "portal_link.html", org, token=token)


@router.post("/help/{slug}/in/{token}")
def use_link(
    slug: str, token: str, request: Request, db: DbSession, clock: ClockDep, csrf: Text = ""
) -> Response:
    """Spend the link and sign in."""
    org = find_organisation(db=db, slug=slug)
    language = _language(request, org)
    check_csrf(request, csrf)
    try:
        cookie, next_path = service.use_link(db=db, org=org, token=token, at=clock.now())
    except AttentError as exc:
        db.rollback()
        return _page(request, "portal_signin.html", org, status_code=exc.status, sent=False, next="",
                     problem=exc.say(language))  # fmt: skip
    db.commit()
    response = RedirectResponse(next_path or f"/help/{org.slug}/mine", status_code=303)
    secure = request.app.state.settings.secure_cookies
    response.set_cookie(service.COOKIE, cookie, httponly=True, samesite="lax", secure=secure,
                        path=f"/help/{org.slug}", max_age=service.SESSION_DAYS * 86400)  # fmt: skip
    return response


def _customer(request: Request, db: Any, org: Organisation, now: datetime) -> Any:
    return service.signed_in(db=db, org=org, cookie=request.cookies.get(service.COOKIE), at=now)


def _to_signin(org: Organisation, path: str) -> RedirectResponse:
    return RedirectResponse(f"/help/{org.slug}/signin?next={path}", status_code=303)


@router.get("/help/{slug}/mine")
def mine_page(slug: str, request: Request, db: DbSession, clock: ClockDep) -> Response:
    """The customer's questions."""
    org = find_organisation(db=db, slug=slug)
    _language(request, org)
    customer = _customer(request, db, org, clock.now())
    if customer is None:
        return _to_signin(org, request.url.path)
    cases = service.customer_cases(db=db, customer=customer)
    return _page(request, "portal_mine.html", org, customer=customer, cases=cases, tz=org.timezone)


@router.get("/help/{slug}/mine/{case_id}")
def case_page(slug: str, case_id: uuid.UUID, request: Request, db: DbSession, clock: ClockDep) -> Response:
    """One question: the conversation as the customer had it, and every promise with its due time."""
    org = find_organisation(db=db, slug=slug)
    language = _language(request, org)
    customer = _customer(request, db, org, clock.now())
    if customer is None:
        return _to_signin(org, request.url.path)
    view = service.case_view(db=db, customer=customer, case_id=case_id)
    say = Say(language)
    lines = [line_of(e, say) for e in view.events]
    now = clock.now()
    promises = [
        {"promise": p, "due": say_when(p.due_by, now=now, timezone=org.timezone, language=language)}
        for p in view.promises
    ]
    files = service.customer_files(db=db, customer=customer, case_id=case_id)
    return _page(request, "portal_case.html", org, customer=customer, case=view.case, lines=lines,
                 promises=promises, files=files, tz=org.timezone)  # fmt: skip


@router.get("/help/{slug}/mine/{case_id}/files/{attachment_id}")
def download_file(
    slug: str, case_id: uuid.UUID, attachment_id: uuid.UUID, request: Request, db: DbSession, clock: ClockDep,
    settings: SettingsDep,
) -> Response:  # fmt: skip
    """A file of the customer's case they may see, as a download (never shown inline)."""
    org = find_organisation(db=db, slug=slug)
    _language(request, org)
    customer = _customer(request, db, org, clock.now())
    if customer is None:
        return _to_signin(org, request.url.path)
    attachment = service.customer_file(db=db, customer=customer, case_id=case_id, attachment_id=attachment_id)
    return download(attachment, settings)


@router.post("/help/{slug}/mine/{case_id}/reply")
def reply(
    slug: str, case_id: uuid.UUID, request: Request, db: DbSession, clock: ClockDep, settings: SettingsDep,
    files: Files, text: Text = "", csrf: Text = "",
) -> Response:  # fmt: skip
    """The customer's reply from their page, with files if they add them."""
    org = find_organisation(db=db, slug=slug)
    _language(request, org)
    check_csrf(request, csrf)
    customer = _customer(request, db, org, clock.now())
    if customer is None:
        return _to_signin(org, f"/help/{org.slug}/mine/{case_id}")
    contact = service.reply(db=db, customer=customer, case_id=case_id, text=text, at=clock.now())
    if uploads := uploads_of([f for f in files if not isinstance(f, str)]):
        store_attachments(
            db, org_id=org.id, case_id=case_id, uploads=uploads, clock=clock, settings=settings,
            uploaded_by=UploadedBy.CUSTOMER, contact_id=contact.id,
        )  # fmt: skip
    db.commit()
    return RedirectResponse(f"/help/{org.slug}/mine/{case_id}#conversation", status_code=303)


@router.post("/help/{slug}/signout")
def sign_out(slug: str, request: Request, db: DbSession, csrf: Text = "") -> Response:
    """End the customer's session."""
    org = find_organisation(db=db, slug=slug)
    check_csrf(request, csrf)
    service.sign_out(db=db, cookie=request.cookies.get(service.COOKIE))
    db.commit()
    response = RedirectResponse(f"/help/{org.slug}", status_code=303)
    response.delete_cookie(service.COOKIE, path=f"/help/{org.slug}")
    return response
