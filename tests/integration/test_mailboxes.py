"""Mailboxes: the API (passwords sealed, never returned; admins only; per organisation), Settings → E-mail,
"Test connection" against a real Dovecot and SMTP server (saying in Dutch what failed), and the CLI."""

import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from attent.core.migrate import upgrade
from attent.mail import decrypt_password
from attent.mailboxes import Mailbox
from tests.conftest import Api
from tests.mailserver import free_port

SECRET = "dev-only-change-me"  # the settings fixture's default ATTENT_SECRET_KEY


def body(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "address": "Support@KopjeKoffie.nl",
        "display_name": "Kopje Koffie Klantenservice",
        "imap_host": "imap.kopjekoffie.nl",
        "imap_port": 993,
        "imap_security": "tls",
        "imap_username": "support@kopjekoffie.nl",
        "imap_password": "geheim-wachtwoord-1",
        "smtp_host": "smtp.kopjekoffie.nl",
        "smtp_port": 587,
        "smtp_security": "starttls",
        "smtp_username": "support@kopjekoffie.nl",
        "smtp_password": "smtp-geheim-2",
    }
    values.update(overrides)
    return values


def test_an_admin_connects_a_mailbox_and_no_password_ever_comes_back(admin_api, tenant, db):
    made = admin_api.post("/api/v1/mailboxes", json=body(team_id=str(tenant.team_id)))
    assert made.status_code == 201, made.text
    read = made.json()
    assert read["address"] == "support@kopjekoffie.nl"
    assert (read["imap_password_set"], read["smtp_password_set"]) == (True, True)
    for answer in (
        made,
        admin_api.get("/api/v1/mailboxes"),
        admin_api.get(f"/api/v1/mailboxes/{read['id']}"),
    ):
        assert "geheim" not in answer.text and 'imap_password"' not in answer.text
    stored = db.scalar(select(Mailbox).where(Mailbox.organisation_id == tenant.organisation_id))
    assert stored.imap_password.startswith("v1:") and "geheim" not in stored.imap_password
    context = f"{stored.organisation_id}:{stored.id}:imap"
    assert decrypt_password(stored.imap_password, secret_key=SECRET, context=context) == "geheim-wachtwoord-1"


def test_patch_keeps_a_password_left_out_and_seals_a_new_one(admin_api, db, tenant):
    made = admin_api.post("/api/v1/mailboxes", json=body()).json()
    changed = admin_api.patch(
        f"/api/v1/mailboxes/{made['id']}", json={"display_name": "Koffie", "imap_port": 143}
    )
    assert changed.status_code == 200 and changed.json()["display_name"] == "Koffie"
    mailbox = db.scalar(select(Mailbox).where(Mailbox.organisation_id == tenant.organisation_id))
    db.refresh(mailbox)
    context = f"{mailbox.organisation_id}:{mailbox.id}:imap"
    assert (
        decrypt_password(mailbox.imap_password, secret_key=SECRET, context=context) == "geheim-wachtwoord-1"
    )
    admin_api.patch(f"/api/v1/mailboxes/{made['id']}", json={"imap_password": "nieuw-wachtwoord"})
    db.refresh(mailbox)
    assert decrypt_password(mailbox.imap_password, secret_key=SECRET, context=context) == "nieuw-wachtwoord"


def test_bad_input_names_the_field_in_the_readers_language(admin_api):
    answer = admin_api.post(
        "/api/v1/mailboxes",
        json=body(address="geen-adres", imap_port=70000),
        headers={"Accept-Language": "nl"},
    )
    assert answer.status_code == 422
    errors = {e["path"][-1]: e["message"] for e in answer.json()["errors"]}
    assert set(errors) == {"address", "imap_port"}
    assert answer.json()["title"] != "Invalid input"  # said in Dutch


def test_a_second_mailbox_with_the_same_address_is_a_conflict(admin_api):
    assert admin_api.post("/api/v1/mailboxes", json=body()).status_code == 201
    again = admin_api.post("/api/v1/mailboxes", json=body(address="support@kopjekoffie.nl"))
    assert again.status_code == 409 and again.json()["code"] == "mailbox_exists"


def test_agents_may_not_manage_mailboxes_and_organisations_are_apart(
    admin_api, api, app_client, other_tenant
):
    assert api.post("/api/v1/mailboxes", json=body()).status_code == 403
    made = admin_api.post("/api/v1/mailboxes", json=body()).json()
    other = Api(app_client, other_tenant.tokens["admin"])
    assert other.get(f"/api/v1/mailboxes/{made['id']}").status_code == 404
    assert other.get("/api/v1/mailboxes").json() == []
    assert other.delete(f"/api/v1/mailboxes/{made['id']}").status_code == 404


def test_delete_removes_a_mailbox(admin_api):
    made = admin_api.post("/api/v1/mailboxes", json=body()).json()
    assert admin_api.delete(f"/api/v1/mailboxes/{made['id']}").status_code == 204
    assert admin_api.get(f"/api/v1/mailboxes/{made['id']}").status_code == 404


def test_test_connection_says_what_worked_and_what_failed_in_dutch(admin_api, dovecot, imap_account, mailbox):
    imap_account.drop(b"From: a@example.nl\r\nSubject: x\r\nMessage-ID: <x@example.nl>\r\n\r\nHallo\r\n")
    made = admin_api.post(
        "/api/v1/mailboxes",
        json=body(
            imap_host=dovecot.host, imap_port=dovecot.port, imap_security="none",
            imap_username=imap_account.username, imap_password=imap_account.password,
            smtp_host=mailbox.host, smtp_port=mailbox.port, smtp_security="none", smtp_username=None,
            smtp_password=None,
        ),
    ).json()  # fmt: skip
    tested = admin_api.post(f"/api/v1/mailboxes/{made['id']}/test", headers={"Accept-Language": "nl"})
    assert tested.status_code == 200, tested.text
    result = tested.json()
    assert result["ok"] is True
    imap_check, smtp_check = result["checks"]
    assert imap_check["ok"] and "INBOX" in imap_check["message"] and "(1 berichten)" in imap_check["message"]
    assert smtp_check["ok"] and smtp_check["message"].startswith("SMTP werkt")
    admin_api.patch(
        f"/api/v1/mailboxes/{made['id']}", json={"imap_password": "fout", "smtp_port": free_port()}
    )
    failed = admin_api.post(f"/api/v1/mailboxes/{made['id']}/test", headers={"Accept-Language": "nl"}).json()
    assert failed["ok"] is False
    assert [c["code"] for c in failed["checks"]] == ["login", "refused"]
    assert failed["checks"][0]["message"] == "De server weigerde de gebruikersnaam of het wachtwoord."
    assert "weigerde de verbinding" in failed["checks"][1]["message"]
    admin_api.patch(
        f"/api/v1/mailboxes/{made['id']}", json={"imap_security": "tls", "imap_port": dovecot.tls_port}
    )
    untrusted = admin_api.post(
        f"/api/v1/mailboxes/{made['id']}/test", headers={"Accept-Language": "nl"}
    ).json()
    assert untrusted["checks"][0]["code"] == "tls"  # a throwaway certificate the system does not trust
    assert "beveiligde (TLS-)verbinding" in untrusted["checks"][0]["message"]


def test_the_settings_page_connects_a_mailbox_and_shows_field_errors_in_place(app_client, tenant):
    page_user = Api(app_client, tenant.tokens["admin"])
    page = page_user.get("/admin/mailboxes")
    assert page.status_code == 200 and "Een mailbox koppelen" in page.text
    csrf = app_client.cookies.get("attent_csrf")
    form = {k: str(v) for k, v in body(imap_port="abc").items()} | {"csrf": csrf}
    refused = page_user.post("/admin/mailboxes", data=form, follow_redirects=False)
    assert refused.status_code == 422
    assert 'id="e-imap_port"' in refused.text and "geheim-wachtwoord" not in refused.text
    assert 'value="imap.kopjekoffie.nl"' in refused.text  # what was typed comes back
    form["imap_port"] = "993"
    made = page_user.post("/admin/mailboxes", data=form, follow_redirects=False)
    assert made.status_code == 303, made.text
    shown = page_user.get(made.headers["location"])
    assert shown.status_code == 200 and "support@kopjekoffie.nl" in shown.text and "Opgeslagen." in shown.text
    assert "geheim" not in shown.text and "Verbinding testen" in shown.text
    listed = page_user.get("/admin/mailboxes")
    assert "Nog niet getest" in listed.text
    assert Api(app_client, tenant.tokens["agent"]).get("/admin/mailboxes").status_code == 200
    assert (
        "support@kopjekoffie.nl" not in Api(app_client, tenant.tokens["agent"]).get("/admin/mailboxes").text
    )


def test_the_cli_connects_a_mailbox_with_the_password_on_stdin(tmp_path):
    url = f"sqlite:///{tmp_path / 'attent.db'}"
    upgrade(url)
    attent = str(Path(sys.executable).with_name("attent"))
    env = {"ATTENT_DATABASE_URL": url, "PATH": "/usr/bin:/bin", "COLUMNS": "200"}

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [attent, *args], capture_output=True, text=True, env=env, input=stdin, timeout=60, check=False
        )

    assert run("org", "create", "kopje-koffie", "Kopje Koffie").returncode == 0
    created = run(
        "agent", "create", "--org", "kopje-koffie", "--email", "baas@kopjekoffie.nl", "--name", "Baas",
        "--role", "admin", "--password", "correct horse battery",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    helped = run("mailbox", "add", "--help")
    assert (
        helped.returncode == 0 and "--password-stdin" in helped.stdout and "--imap-security" in helped.stdout
    )
    added = run(
        "mailbox", "add", "--org", "kopje-koffie", "--address", "support@kopjekoffie.nl",
        "--imap-host", "imap.kopjekoffie.nl", "--imap-port", "993", "--imap-security", "tls",
        "--username", "support@kopjekoffie.nl", "--password-stdin", "--smtp-host", "smtp.kopjekoffie.nl",
        "--smtp-port", "587", "--smtp-security", "starttls", stdin="s3cret-pass\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "s3cret" not in added.stdout and re.search(r"support@kopjekoffie\.nl connected", added.stdout)
    listed = run("mailbox", "list", "--org", "kopje-koffie")
    assert re.search(r"support@kopjekoffie.nl\s+imap.kopjekoffie.nl:993\s+not checked yet", listed.stdout)
    assert run("mailbox", "add", "--org", "kopje-koffie", "--address", "x@y.nl", "--imap-host", "h",
               "--username", "u").returncode == 2  # fmt: skip
