"""An admin invites an agent in the browser; the agent sets a password from the real e-mail and signs
in with two-factor sign-in, as the organisation requires."""

import json
import re
import time
import zipfile
from collections.abc import Iterator

import pyotp
import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, Page, expect

from attent.demo import PASSWORD
from tests.browser.conftest import VIEWPORT, Server, _serve
from tests.conftest import Mailbox, free_port

ADMIN = "sanne@kopjekoffie.example"


@pytest.fixture(scope="module")
def inbox() -> Iterator[Mailbox]:
    """A real SMTP server the served app sends its e-mail to."""
    box = Mailbox(port=free_port())
    controller = Controller(box, hostname=box.host, port=box.port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture(scope="module")
def mailing_server(tmp_path_factory: pytest.TempPathFactory, inbox: Mailbox) -> Iterator[Server]:
    """The demo with its worker, sending e-mail to `inbox`."""
    env = {"ATTENT_SMTP_HOST": inbox.host, "ATTENT_SMTP_PORT": str(inbox.port)}
    yield from _serve(tmp_path_factory.mktemp("attent-trust"), worker=True, extra_env=env)


def _fresh(browser: Browser, server: Server) -> Page:
    context = browser.new_context(base_url=server.url, viewport=VIEWPORT)
    context.set_default_timeout(10_000)
    return context.new_page()


def _sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/signin")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.get_by_role("button", name="Inloggen").click()


def _mail_to(inbox: Mailbox, address: str) -> str:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for message in inbox.messages:
            if message["To"] == address:
                return str(message.get_content())
        time.sleep(0.2)
    raise AssertionError(f"no e-mail to {address} arrived: {[m['To'] for m in inbox.messages]}")


@pytest.mark.browser
def test_an_admin_exports_then_erases_a_customer_and_the_access_log_says_who(browser, mailing_server):
    token = mailing_server.attent(
        "token", "create", "--org", "kopje-koffie", "--email", ADMIN, "--name", "t"
    ).strip()
    customer = mailing_server.api("GET", "/api/v1/customers?limit=1", token)["items"][0]
    admin = _fresh(browser, mailing_server)
    _sign_in(admin, ADMIN, PASSWORD)
    admin.goto(f"/customers/{customer['id']}")
    with admin.expect_download() as download:
        admin.get_by_role("link", name="Alle gegevens exporteren (ZIP)").click()
    archive = zipfile.ZipFile(download.value.path())
    assert json.loads(archive.read("customer.json"))["name"] == customer["name"]
    admin.get_by_role("link", name="Klant wissen").click()
    admin.get_by_label(re.compile("Typ de naam van de klant over")).fill(customer["name"])
    admin.get_by_role("button", name="Definitief wissen").click()
    expect(admin.get_by_role("status")).to_contain_text("De persoonsgegevens van de klant zijn gewist.")
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Klant gewist op")
    time.sleep(1.5)  # the writer thread writes views once a second
    admin.get_by_role("link", name="Wie de gegevens van deze persoon heeft gezien").click()
    rows = admin.locator("table.list tbody tr")
    expect(rows.filter(has_text="gewist: klantgegevens")).to_contain_text("Sanne de Vries")
    expect(rows.filter(has_text="geëxporteerd: klantgegevens")).to_contain_text("Sanne de Vries")
    expect(rows.filter(has_text="geopend: klantgegevens").first).to_contain_text("Sanne de Vries")


@pytest.mark.browser
def test_an_invited_agent_sets_a_password_and_signs_in_with_two_factor(browser, mailing_server, inbox):
    admin = _fresh(browser, mailing_server)
    _sign_in(admin, ADMIN, PASSWORD)
    admin.goto("/admin/people")
    admin.get_by_label("Elke medewerker logt in met een code uit een authenticator-app").check()
    admin.get_by_role("button", name="Opslaan").last.click()
    expect(admin.get_by_role("status")).to_contain_text("Opgeslagen.")
    admin.get_by_label("Naam").fill("Ilse Nieuw")
    admin.get_by_label("E-mailadres").fill("ilse@kopjekoffie.example")
    admin.get_by_role("button", name="Uitnodiging versturen").click()
    expect(admin.get_by_role("status")).to_contain_text("Uitnodiging verstuurd.")
    expect(admin.get_by_role("cell", name="ilse@kopjekoffie.example")).to_be_visible()

    link = re.search(r"http://\S+/password/\S+", _mail_to(inbox, "ilse@kopjekoffie.example"))
    assert link, "the invitation carries a link"
    ilse = _fresh(browser, mailing_server)
    ilse.goto(link.group(0))
    expect(ilse.get_by_text("Welkom, Ilse Nieuw.")).to_be_visible()
    ilse.get_by_label("Nieuw wachtwoord (minstens 10 tekens)").fill("ilse haar wachtwoord")
    ilse.get_by_label("Hetzelfde wachtwoord nog eens").fill("ilse haar wachtwoord")
    ilse.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(ilse.get_by_role("status")).to_contain_text("Uw wachtwoord is ingesteld.")

    _sign_in(ilse, "ilse@kopjekoffie.example", "ilse haar wachtwoord")
    expect(ilse).to_have_url(re.compile(r"/signin/setup"))
    expect(ilse.locator("figure.qr svg")).to_be_visible()
    secret = ilse.locator("code[data-secret]").inner_text()
    ilse.get_by_label("Code uit de app").fill(pyotp.TOTP(secret).now())
    ilse.get_by_role("button", name="Aanzetten").click()
    expect(ilse.get_by_role("status")).to_contain_text("Inloggen in twee stappen staat aan.")
    expect(ilse.locator("ol.codes li")).to_have_count(10)
    ilse.get_by_role("link", name="Verder").click()
    expect(ilse.locator(".me-name")).to_have_text("Ilse Nieuw")

    ilse.goto(link.group(0))  # the invitation worked once
    expect(ilse.get_by_role("alert")).to_contain_text("Deze link is al gebruikt of verlopen")
