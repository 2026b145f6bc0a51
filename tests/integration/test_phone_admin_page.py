"""Settings → Telefoon: the phone line as a page. Queues by team name and extensions by e-mail address
become the line's ids, the secret is shown once and signs real events, a bad field is named in the
reader's language with what was typed kept, and only admins with the page's CSRF token change it."""

import hashlib
import hmac
import json
import re
from html import unescape

from attent.agents import Team
from tests.conftest import Api


def _form(app_client, **fields):
    return {"csrf": app_client.cookies.get("attent_csrf"), "provider": "generic", "region": "NL",
            "abandoned_after_seconds": "30", "queues": "", "extensions": "", **fields}  # fmt: skip


def test_an_admin_sets_the_line_by_names_and_sees_its_secret_once(app_client, tenant, admin_api, db, clock):
    admin = Api(app_client, tenant.tokens["admin"])
    first = admin.get("/admin/phone")
    assert first.status_code == 200 and "Er is nog geen telefoonlijn" in unescape(first.text)
    team = db.get(Team, (tenant.organisation_id, tenant.team_id))
    queues, extensions = f"support = {team.name.upper()}\n\n", f"201 = {tenant.agent.email}"
    form = _form(app_client, region="nl", abandoned_after_seconds="45", queues=queues, extensions=extensions)
    made = admin.post("/admin/phone", data=form)
    assert made.status_code == 200, made.text
    assert "De telefoonlijn is bewaard." in unescape(made.text)
    secret = re.search(r"<code data-secret>([^<]+)</code>", made.text).group(1)
    line = admin_api.get("/api/v1/phone/line").json()
    assert line["queues"] == {"support": str(tenant.team_id)}
    assert line["extensions"] == {"201": str(tenant.agent.id)}
    assert (line["abandoned_after_seconds"], line["region"], line["provider"]) == (45, "NL", "generic")

    body = json.dumps({"type": "ringing", "call_id": "P1", "sequence": 0, "at": clock.now().isoformat(),
                       "from": "0612345678", "queue": "support"}).encode()  # fmt: skip
    stamp = int(clock.now().timestamp())
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    posted = app_client.post("/hooks/kopje-koffie.phone", content=body,
                             headers={"X-Attent-Signature": f"t={stamp},v1={digest}"})  # fmt: skip
    assert posted.status_code == 202, posted.text  # the secret on the page is the line's

    again = admin.get("/admin/phone").text
    assert secret not in again and "/hooks/kopje-koffie.phone" in again
    assert f"support = {team.name}" in again and f"201 = {tenant.agent.email}" in again  # names, not ids
    rotated = admin.post(
        "/admin/phone", data={**_form(app_client, queues=f"support = {team.name}"), "rotate": "true"}
    )
    new_secret = re.search(r"<code data-secret>([^<]+)</code>", rotated.text).group(1)
    assert new_secret != secret


def test_bad_fields_are_named_in_the_readers_language_and_nothing_is_saved(app_client, tenant, admin_api, db):
    admin = Api(app_client, tenant.tokens["admin"])
    admin.get("/admin/phone")
    assert admin.post("/admin/phone", data=_form(app_client)).status_code == 200
    bad = admin.post(
        "/admin/phone", data=_form(app_client, queues="support = Nergens", abandoned_after_seconds="9999")
    )
    text = unescape(bad.text)
    assert bad.status_code == 422 and "Er is niets opgeslagen." in text
    assert "Er is geen team met de naam Nergens." in text and 'aria-invalid="true"' in text
    assert "support = Nergens" in text  # what was typed stays
    seconds = admin.post("/admin/phone", data=_form(app_client, abandoned_after_seconds="9999"))
    assert seconds.status_code == 422 and "Een aantal seconden van 0 tot 3600." in unescape(seconds.text)
    twilio = admin.post("/admin/phone", data=_form(app_client, provider="twilio"))
    assert twilio.status_code == 422 and "Verplicht voor Twilio." in unescape(twilio.text)
    assert admin_api.get("/api/v1/phone/line").json()["abandoned_after_seconds"] == 30  # unchanged

    tenant.admin.language = "en"
    db.flush()
    english = admin.post("/admin/phone", data=_form(app_client, extensions="7 = nobody@example.nl"))
    assert english.status_code == 422 and "No agent with e-mail nobody@example.nl." in unescape(english.text)
    assert "Er is" not in unescape(english.text)


def test_only_admins_with_the_pages_token_change_the_line(app_client, tenant):
    admin = Api(app_client, tenant.tokens["admin"])
    admin.get("/admin/phone")
    assert admin.post("/admin/phone", data={**_form(app_client), "csrf": "forged"}).status_code == 403
    agent = Api(app_client, tenant.tokens["agent"])
    assert agent.get("/admin/phone").status_code == 403
    assert agent.post("/admin/phone", data=_form(app_client)).status_code == 403
