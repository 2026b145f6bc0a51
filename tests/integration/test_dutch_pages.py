"""Every page as each role, and every error a person can reach, in Dutch: no English, no raw codes.

The pages are found in the app's routes, so a new page is checked by itself (a new kind of path
parameter fails here until it is given values). An English sentence shows up as a catalog miss: the
pages render through a Dutch catalog that records each message it has no words for. A raw code is a
snake_case word in the visible text; machine words shown on purpose stand in <code>, form fields or
“quotes”.
"""

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from babel.messages.pofile import read_po
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from attent.agents.models import Agent, Role
from attent.agents.service import sign_in
from attent.cases.models import Case, CaseStatus
from attent.channels.jobs import deliver_due_messages
from attent.core import i18n
from attent.core.csrf import SESSION_COOKIE
from attent.core.settings import Settings
from attent.customers.models import Customer
from attent.demo import PASSWORD, load_demo
from attent.insight.models import Survey
from attent.mailboxes import InboundMail, Mailbox
from attent.organisations.models import Organisation
from attent.playbooks.models import Playbook
from attent.recovery.models import Gesture, GestureState
from attent.signals import rules
from attent.signals.models import Rule
from tests.conftest import page_csrf
from tests.integration.rulebooks import FAILED_DELIVERY, document

ORG = "kopje-koffie"
ROLES = {Role.AGENT: "fatima@kopjekoffie.example", Role.LEAD: "daan@kopjekoffie.example"}
# Files as their senders made them (attachments, thumbnails), not pages; their refusals are checked below.
FILES = {
    "/cases/{case_id}/attachments/{attachment_id}",
    "/cases/{case_id}/attachments/{attachment_id}/thumbnail",
    "/help/{slug}/mine/{case_id}/files/{attachment_id}",  # the customer's download (test_portal)
}
STREAMS = {"/cases/{case_id}/live", "/insight/{measure}.csv"}  # server-sent events and a download, not pages
STREAMS |= {"/me/calls/live", "/help/{slug}/embed.js", "/help/{slug}/theme.css"}  # not pages either
QUERIES = {  # extra views of a page behind its query string
    "/": ["?status=waiting_on_customer"],
    "/recovery/outcomes": ["?group_by=code"],
    "/admin/playbooks/{case_type}": ["?saved=1"],
}
CODE = re.compile(r"(?<![\w@./:<-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@/>-])")
EVENT_KIND = re.compile(
    r"(?<![\w@./])(?:case|contact|message|note|promise|gesture|verification|playbook|coach|signal)\.[a-z_]+\b"
)
QUOTED = re.compile(r"“[^”]*”")


class Visible(HTMLParser):
    """The text a person reads: text nodes and the labels screen readers say, not code or form values."""

    HIDDEN = frozenset({"script", "style", "textarea", "code", "pre"})
    SAID = ("aria-label", "title", "alt")  # a placeholder shows what a field takes, e.g. a key

    def __init__(self) -> None:
        super().__init__()
        self.depth, self.texts = 0, []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.depth += 1
        elif not self.depth:
            self.texts += [value for name, value in attrs if name in self.SAID and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.depth = max(0, self.depth - 1)

    def handle_data(self, data: str) -> None:
        if not self.depth and data.strip():
            self.texts.append(data.strip())


def raw_codes(html: str) -> set[str]:
    """Snake_case words and event kinds a person would read on the page."""
    parser = Visible()
    parser.feed(html)
    found = set()
    for text in parser.texts:
        text = QUOTED.sub("", text)
        found |= set(CODE.findall(text)) | set(EVENT_KIND.findall(text))
    return found


@dataclass
class Recorder:
    """The Dutch catalog, noting each message (and context) it has no Dutch for."""

    inner: Any
    known: frozenset[tuple[str | None, str]]
    misses: set[str] = field(default_factory=set)

    def _seen(self, message: str, context: str | None = None) -> None:
        if message and (context, message) not in self.known:
            self.misses.add(f"{context}|{message}" if context else message)

    def gettext(self, message: str) -> str:
        self._seen(message)
        return str(self.inner.gettext(message))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        self._seen(singular)
        return str(self.inner.ngettext(singular, plural, n))

    def pgettext(self, context: str, message: str) -> str:
        self._seen(message, context)
        return str(self.inner.pgettext(context, message))


@pytest.fixture
def dutch(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """Every page renders through a Dutch catalog that records its misses."""
    with (i18n.LOCALES / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        catalog = read_po(fp, locale="nl")
    known = frozenset(
        (m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id and m.string
    )
    recorder = Recorder(i18n.translations("nl"), known)
    real = i18n.translations
    monkeypatch.setattr(
        i18n, "translations", lambda language: recorder if language == "nl" else real(language)
    )
    return recorder


@dataclass
class Demo:
    """The demo's coffee shop, everyone reading Dutch, with a signed-in session per role."""

    client: TestClient
    org: Organisation
    sessions: dict[Role, str]
    db: Session
    recorder: Recorder
    problems: dict[str, list[str]] = field(default_factory=dict)

    def as_(self, role: Role | None) -> TestClient:
        """The client, signed in as the role (None: signed out)."""
        self.client.cookies.clear()
        if role is not None:
            self.client.cookies.set(SESSION_COOKIE, self.sessions[role])
        return self.client

    def csrf(self) -> str:
        """The form token of the current session (or of the signed-out browser), as a page gives it."""
        return page_csrf(self.client, "/signin")

    def check(self, what: str, response: Any) -> None:
        """A page a person reads: HTML, no server error, no catalog miss, no raw code."""
        found = []
        if response.status_code >= 500:
            found.append(f"status {response.status_code}")
        if response.status_code == 200 and not response.headers.get("content-type", "").startswith("text/"):
            return  # not a page (an icon)
        if "text/html" not in response.headers.get("content-type", ""):
            found.append(f"not a page: {response.headers.get('content-type')} {response.text[:200]}")
        else:
            found += [f"raw code {code!r}" for code in sorted(raw_codes(response.text))]
        found += [f"no Dutch for {m!r}" for m in sorted(self.recorder.misses)]
        if found:
            self.problems[what] = found


def _render(demo: Demo, what: str, call: Any, url: str, **kw: Any) -> Any:
    """Make the request (`call` is the client's get or post) and check the page it answers with."""
    demo.recorder.misses.clear()  # misses are counted from the request on
    response = call(url, **kw)
    demo.check(what, response)
    return response


@pytest.fixture
def demo(app_client: TestClient, db: Session, clock: Any, dutch: Recorder) -> Demo:
    load_demo(db=db, now=clock.now())
    org = db.scalar(select(Organisation).where(Organisation.slug == ORG))
    assert org is not None
    db.execute(update(Agent).where(Agent.organisation_id == org.id).values(language="nl"))
    admin = db.scalar(select(Agent).where(Agent.organisation_id == org.id, Agent.role == Role.ADMIN))
    assert admin is not None
    rules.put_rulebook(db=db, actor=admin, document=document(FAILED_DELIVERY), at=clock.now())
    emails = {**ROLES, Role.ADMIN: admin.email}
    sessions = {
        role: sign_in(db=db, email=email, password=PASSWORD, at=clock.now(), session_ttl=timedelta(days=1))[1]
        for role, email in emails.items()
    }
    db.commit()
    return Demo(app_client, org, sessions, db, dutch)


def _values(db: Session, org: Organisation) -> dict[str, list[str]]:
    """Values for each kind of path parameter: every row of the organisation's that a page shows."""
    cases = db.scalars(select(Case).where(Case.organisation_id == org.id)).all()
    playbooks = db.scalars(select(Playbook.case_type).where(Playbook.organisation_id == org.id)).all()
    rules = db.scalars(select(Rule.id).where(Rule.organisation_id == org.id)).all()
    customers = db.scalars(select(Customer.id).where(Customer.organisation_id == org.id)).all()
    surveys = db.scalars(select(Survey.id).where(Survey.organisation_id == org.id).limit(2)).all()
    return {
        "organisation_id": [str(org.id)],
        "survey_id": [str(s) for s in surveys],
        "case_id": [str(c.id) for c in cases],
        "customer_id": [str(c) for c in customers],
        "case_type": sorted({c.type for c in cases} | set(playbooks) | {"brand_new_type"}),
        "rule_id": [str(r) for r in rules],
        "slug": [org.slug],  # the customer's pages (portal/)
        "agent_id": [str(a) for a in db.scalars(select(Agent.id).where(Agent.organisation_id == org.id))],
        # links nobody sent: the customer's sign-in link and an agent's invitation or reset say so
        "token": ["no-such-link", "att_a-link-that-was-never-sent"],
        "mailbox_id": [
            str(m) for m in db.scalars(select(Mailbox.id).where(Mailbox.organisation_id == org.id))
        ],
        "mail_id": [
            str(m) for m in db.scalars(select(InboundMail.id).where(InboundMail.organisation_id == org.id))
        ],
    }


def _pages(app: Any, values: dict[str, list[str]]) -> Iterator[str]:
    """Every URL of every HTML page the app serves (GET routes outside the API), with its query views."""
    for route in iter_route_contexts(app.routes):
        original = route.original_route
        if (
            not isinstance(original, APIRoute)
            or "GET" not in (route.methods or ())
            or original.include_in_schema
        ):
            continue
        path = str(route.path)
        if path.startswith(("/api/", "/hooks/")) or path in STREAMS or path in FILES:
            continue
        params = re.findall(r"{(\w+)}", path)
        missing = [p for p in params if p not in values]
        assert not missing, f"{path}: give this test values for {missing}, so the new page is checked"
        urls = [path]
        for param in params:
            assert values[param], f"the demo has no {param} for {path}"
            urls = [u.replace("{" + param + "}", v) for u in urls for v in values[param]]
        for url in urls:
            yield url
            for query in QUERIES.get(path, []):
                yield url + query


def _report(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"{what}:\n  " + "\n  ".join(found) for what, found in sorted(problems.items()))


def test_every_page_speaks_dutch_to_every_role(demo: Demo):
    urls = list(_pages(demo.client.app, _values(demo.db, demo.org)))
    assert len(urls) > 30
    for role in (None, Role.AGENT, Role.LEAD, Role.ADMIN):
        client = demo.as_(role)
        for url in urls if role is not None else ["/signin"]:
            _render(demo, f"{role.value if role else 'signed out'} GET {url}", client.get, url)
    assert not demo.problems, "Dutch pages show English or raw codes:\n" + _report(demo.problems)


def _case(db: Session, org: Organisation, type: str) -> Case:
    found = db.scalars(
        select(Case).where(Case.organisation_id == org.id, Case.type == type).order_by(Case.created_at)
    ).first()
    assert found is not None
    return found


BAD_RULE = """rules:
  - key: x
    name: X
    when: {signal: delivery.failed, after: soon}
    then:
      - do: make_promise
"""


def test_every_error_a_person_can_reach_speaks_dutch(demo: Demo):
    """Refusals on every kind of page, each drawn where the person is: the form, or the error page."""
    case = _case(demo.db, demo.org, "delivery_missing")
    on_case = f"/cases/{case.id}"
    client = demo.as_(Role.AGENT)  # a gesture that waits for a lead's approval
    asked = {"csrf": demo.csrf(), "code": "refund", "reason": "Kapot", "request_approval": "true"}
    assert client.post(f"{on_case}/recovery/offer", data=asked, follow_redirects=False).status_code == 303
    waiting = demo.db.scalars(
        select(Gesture).where(Gesture.case_id == case.id, Gesture.state == GestureState.PENDING_APPROVAL)
    ).one()
    on_case = f"/cases/{case.id}"
    call = {"direction": "inbound", "outcome": "resolved", "minutes": "601"}
    step = {"steps-0-key": "Trace Two", "steps-0-default_minutes": "0", "steps-0-title_nl": "Zoek"}
    question = {
        "questions-0-key": "birthday", "questions-0-fact": "customer.facts.birthday",
        "questions-0-label_nl": "Verjaardag", "questions-0-label_en": "Birthday",
        "questions-0-why_nl": "Ter controle.", "questions-0-why_en": "To check.",
    }  # fmt: skip
    gift = {
        "code": "gift", "kind": "small_attention", "name_nl": "Cadeau", "name_en": "Gift",
        "description_nl": "x", "description_en": "x", "cost": "veel", "promise_hours": "",
        "currency": "EUR", "monthly_budget": "500", "approval_threshold": "20",
    }  # fmt: skip
    promise = {"kind": "callback"}
    wrong = {"question": "email", "answer": "nee@nee.example"}
    posts: list[tuple[Role, str, str, dict[str, str], int]] = [
        (Role.AGENT, "an empty note", f"{on_case}/note", {"text": "  "}, 422),
        (Role.AGENT, "a note of 20,001 characters", f"{on_case}/note", {"text": "x" * 20_001}, 422),
        (Role.AGENT, "a promise without a time", f"{on_case}/promise", promise, 422),
        (Role.AGENT, "a promise in the past", f"{on_case}/promise", {**promise, "due_at": "2020-01-01T10:00"},
         422),
        (Role.AGENT, "a promise at no time", f"{on_case}/promise", {**promise, "due_at": "morgen"}, 422),
        (Role.AGENT, "a status that cannot follow", f"{on_case}/status", {"to": CaseStatus.NEW.value}, 409),
        (Role.AGENT, "a call of 601 minutes", f"{on_case}/call", call, 422),
        (Role.AGENT, "a gesture above an agent's limit", f"{on_case}/recovery/offer", {"code": "refund"},
         403),
        (Role.AGENT, "declining without a reason", f"{on_case}/recovery/decline-suggestion", {"reason": ""},
         422),
        (Role.AGENT, "a presence that does not exist", "/me/presence", {"presence": "asleep"}, 422),
        (Role.AGENT, "approving as an agent", f"/team/recovery/{waiting.id}/approve", {}, 403),
        (Role.ADMIN, "rules that are not YAML", "/rules", {"document": "rules: [\n  - {"}, 422),
        (Role.ADMIN, "a rule that cannot work", "/rules", {"document": BAD_RULE}, 422),
        (Role.ADMIN, "a playbook step without words", "/admin/playbooks/delivery_missing", step, 422),
        (Role.ADMIN, "a question about birthdays", "/admin/verification", question, 422),
        (Role.ADMIN, "an amount that is no amount", "/recovery/catalogue", gift, 422),
    ]  # fmt: skip
    gets: list[tuple[Role, str, str, int]] = [
        (Role.AGENT, "the team view", "/team", 403),
        (Role.AGENT, "the rules", "/rules", 403),
        (Role.AGENT, "the catalogue", "/recovery/catalogue", 403),
        (Role.AGENT, "a case that does not exist", f"/cases/{uuid.uuid4()}", 404),
        (Role.AGENT, "an attachment that does not exist", f"{on_case}/attachments/{uuid.uuid4()}", 404),
        (Role.AGENT, "a filter on a status that does not exist", "/?status=asleep", 422),
        (Role.LEAD, "outcomes since no date", "/recovery/outcomes?since=gisteren", 422),
    ]
    statuses, expected = {}, {}
    for role, what, url, form, status in posts:
        client, expected[what] = demo.as_(role), status
        data = {"csrf": demo.csrf(), **form}
        response = _render(demo, f"{role.value}: {what}", client.post, url, data=data, follow_redirects=False)
        statuses[what] = response.status_code
    for role, what, url, status in gets:
        client, expected[what] = demo.as_(role), status
        statuses[what] = _render(demo, f"{role.value}: {what}", client.get, url).status_code
    client = demo.as_(Role.AGENT)
    for n in range(1, 10):  # wrong answers until verification locks
        data = {"csrf": demo.csrf(), **wrong}
        answered = _render(demo, f"wrong answer {n}", client.post, f"{on_case}/verify", data=data)
        if answered.status_code == 429:
            break
        assert answered.status_code == 200, answered.text  # the page with "no match"
    assert answered.status_code == 429, "verification never locked"
    client = demo.as_(None)
    data = {"csrf": demo.csrf(), "email": "fatima@kopjekoffie.example", "password": "x"}
    statuses["a wrong password"] = _render(
        demo, "a wrong password", client.post, "/signin", data=data
    ).status_code
    assert statuses == {**expected, "a wrong password": 401}
    assert not demo.problems, "Dutch errors show English, raw codes or JSON:\n" + _report(demo.problems)


def test_a_message_that_could_not_go_says_why_in_dutch(demo: Demo, database: Any, clock: Any):
    """The worker's reason (no mail server here) reaches the brief in the reader's language."""
    case = _case(demo.db, demo.org, "delivery_missing")
    client = demo.as_(Role.AGENT)
    sent = client.post(
        f"/cases/{case.id}/reply",
        data={"csrf": demo.csrf(), "text": "We sturen een nieuwe."},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    deliver_due_messages(
        database=database, now=clock.now(), limit=10, settings=Settings(embedded_worker=False)
    )
    page = _render(demo, "agent: the case after a failed e-mail", client.get, f"/cases/{case.id}")
    assert "Op deze server is geen kanaal “email” ingesteld" in page.text
    assert not demo.problems, _report(demo.problems)


def test_the_checks_see_english_and_codes(dutch: Recorder):
    """The test's own eyes: a message the catalog lacks is a miss, a snake_case word is a code."""
    assert i18n.gettext("nl", "Sign in") == "Inloggen" and not dutch.misses
    assert i18n.gettext("nl", "A sentence nobody translated.") == "A sentence nobody translated."
    assert i18n.label("nl", "waiting_for_godot") == "waiting for godot"
    assert dutch.misses == {"A sentence nobody translated.", "waiting_for_godot"}
    html = (
        '<p title="a_title_code">Status: waiting_on_customer, case.status_changed</p>'
        "<code>shown_on_purpose</code><textarea>typed_text</textarea><p>“quoted_word” e.g. x.y_z</p>"
    )
    assert raw_codes(html) == {"a_title_code", "waiting_on_customer", "case.status_changed"}
