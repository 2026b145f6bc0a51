"""The issue's "Done when", in a real browser against `attent serve` with its worker, a real Dovecot and a
real SMTP server: a customer's e-mail dropped into the mailbox becomes a case with an acknowledgement
promise; the agent replies with an attachment; the customer's reply (quoted history and all) lands on
the same case showing only the new text; the promise is kept."""

import os
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import BIN, DEMO_ORG, VIEWPORT, Server, _free_port, _wait_until_up
from tests.browser.test_workspace import sign_in
from tests.mailserver import Dovecot, MailAccount

QUESTION = (
    "From: Lotte de Jong <lotte.dejong@example.nl>\r\nTo: hallo@kopjekoffie.example\r\n"
    "Subject: Mijn capsules zijn kapot aangekomen\r\nMessage-ID: <vraag-lotte@example.nl>\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    "Hallo,\r\n\r\nDe doos capsules kwam vandaag kapot aan. Kunnen jullie een nieuwe sturen?\r\n\r\nLotte\r\n"
)


@pytest.fixture
def email_server(tmp_path: Path, mailbox) -> Iterator[Server]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTENT_")}
    env |= {
        "ATTENT_DATABASE_URL": f"sqlite:///{tmp_path / 'attent.db'}",
        "ATTENT_WORKER_POLL_SECONDS": "0.2",
        "ATTENT_SMTP_HOST": mailbox.host,
        "ATTENT_SMTP_PORT": str(mailbox.port),
        "ATTENT_FILES_DIR": str(tmp_path / "files"),
    }
    port = _free_port()
    server = Server(url=f"http://127.0.0.1:{port}", env=env, workdir=tmp_path)
    server.attent("migrate")
    server.attent("demo")
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(BIN / "attent"), "serve", "--host", "127.0.0.1", "--port", str(port), "--worker"],
            env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        _wait_until_up(f"{server.url}/signin", process, log)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_for(database: Path, query: str, args: tuple = (), seconds: float = 20) -> object:  # type: ignore[type-arg]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with closing(sqlite3.connect(database)) as conn:
            row = conn.execute(query, args).fetchone()
        if row is not None and row[0] is not None:
            return row[0]
        time.sleep(0.2)
    raise AssertionError(f"nothing for {query} within {seconds} s")


@pytest.mark.browser
def test_an_e_mail_becomes_a_case_the_reply_threads_and_the_promise_is_kept(
    browser: Browser,
    email_server: Server,
    dovecot: Dovecot,
    imap_account: MailAccount,
    mailbox,
    tmp_path: Path,
):
    admin = email_server.attent(
        "token", "create", "--org", DEMO_ORG, "--email", "sanne@kopjekoffie.example"
    ).strip()
    email_server.api(
        "POST", "/api/v1/mailboxes", admin,
        {"address": "hallo@kopjekoffie.example", "display_name": "Kopje Koffie", "imap_host": dovecot.host,
         "imap_port": dovecot.port, "imap_security": "none", "imap_username": imap_account.username,
         "imap_password": imap_account.password},
    )  # fmt: skip
    database = tmp_path / "attent.db"
    imap_account.drop(QUESTION.encode())
    case_id = _wait_for(
        database, "SELECT case_id FROM inbound_mails WHERE message_id = ?", ("<vraag-lotte@example.nl>",)
    )
    case_hex = str(case_id).replace("-", "")
    case_url = f"/cases/{case_hex[:8]}-{case_hex[8:12]}-{case_hex[12:16]}-{case_hex[16:20]}-{case_hex[20:]}"

    context = browser.new_context(base_url=email_server.url, viewport=VIEWPORT)
    context.set_default_timeout(15_000)
    page: Page = context.new_page()
    sign_in(page)
    page.goto(case_url)
    expect(page.locator("#conversation")).to_contain_text("De doos capsules kwam vandaag kapot aan.")
    expect(page.locator("#promises")).to_contain_text("vervolg nodig")  # the acknowledgement's promise
    _wait_for(
        database, "SELECT id FROM outbound_messages WHERE template = 'mail_received' AND state = 'sent'"
    )
    [ack] = [m for m in mailbox.messages if m["In-Reply-To"] == "<vraag-lotte@example.nl>"]
    assert "[#K-" in ack["Subject"] and ack["Auto-Submitted"] == "auto-replied"

    photo = tmp_path / "retourlabel.pdf"
    photo.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.locator("#reply-text").fill(
        "Wat vervelend! Er gaat vandaag een nieuwe doos naar u toe; het retourlabel zit erbij."
    )
    page.locator("#reply-files").set_input_files(str(photo))
    page.locator("#reply").get_by_role("button", name="Versturen").click()
    _wait_for(database, "SELECT id FROM outbound_messages WHERE template = 'reply' AND state = 'sent'")
    [reply] = [
        m for m in mailbox.messages if m["Auto-Submitted"] is None and m["To"] == "lotte.dejong@example.nl"
    ]
    assert [p.get_filename() for p in reply.iter_attachments()] == ["retourlabel.pdf"]
    assert reply["In-Reply-To"] == "<vraag-lotte@example.nl>"
    _wait_for(database, "SELECT id FROM promises WHERE source = 'email' AND state = 'kept'")

    answer = (
        f"From: Lotte de Jong <lotte.dejong@example.nl>\r\nTo: hallo@kopjekoffie.example\r\n"
        f"Subject: Re: {reply['Subject']}\r\nMessage-ID: <antwoord-lotte@example.nl>\r\n"
        f"In-Reply-To: {reply['Message-ID']}\r\n"
        f"References: <vraag-lotte@example.nl> {reply['Message-ID']}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nTop, dank jullie wel!\r\n\r\n"
        "Op 7 dec 2026 om 10:00 schreef Kopje Koffie <hallo@kopjekoffie.example>:\r\n"
        "> Wat vervelend! Er gaat vandaag een nieuwe doos naar u toe.\r\n"
    )
    imap_account.drop(answer.encode())
    again = _wait_for(
        database, "SELECT case_id FROM inbound_mails WHERE message_id = ?", ("<antwoord-lotte@example.nl>",)
    )
    assert again == case_id
    page.reload()
    conversation = page.locator("#conversation")
    expect(conversation).to_contain_text("Top, dank jullie wel!")
    expect(conversation.locator(".turn.customer").last).not_to_contain_text("schreef Kopje Koffie")
    expect(page.locator("#timeline")).to_contain_text("nagekomen")
    context.close()
