"""Settings → E-mail: admins set the answer time per priority on a page (no JavaScript, CSRF-checked),
and the next acknowledgement promises it."""

from sqlalchemy import select

from attent.cases import Priority
from attent.mailboxes.answer_time import reply_hours
from attent.organisations import Organisation
from tests.conftest import Api


def test_an_admin_sets_the_answer_times_per_priority_on_the_e_mail_page(db, tenant, app_client):
    admin = Api(app_client, tenant.tokens["admin"])
    page = admin.get("/admin/mailboxes")
    assert (
        page.status_code == 200 and "Antwoordtijden" in page.text and 'name="urgent" value="1"' in page.text
    )
    form = {
        "csrf": app_client.cookies.get("attent_csrf"),
        "urgent": "0,5",
        "high": "2",
        "normal": "6",
        "low": "24",
    }
    saved = admin.post("/admin/reply-targets", data=form, follow_redirects=True)
    assert saved.status_code == 200 and "De antwoordtijden zijn opgeslagen." in saved.text, saved.text[-3000:]
    db.expire_all()
    organisation = db.scalar(select(Organisation).where(Organisation.id == tenant.organisation_id))
    assert reply_hours(organisation.settings, Priority.URGENT) == 0.5
    assert reply_hours(organisation.settings, Priority.LOW) == 24

    refused = admin.post("/admin/reply-targets", data={**form, "high": "nooit", "low": "0"})
    assert refused.status_code == 422 and refused.text.count('class="field-error"') == 2
    assert "Vul een aantal werkuren in van 0,25 tot 2000." in refused.text and 'value="nooit"' in refused.text
    db.expire_all()
    organisation = db.scalar(select(Organisation).where(Organisation.id == tenant.organisation_id))
    assert reply_hours(organisation.settings, Priority.HIGH) == 2  # nothing half-saved

    assert admin.post("/admin/reply-targets", data={**form, "csrf": "forged"}).status_code == 403
    agent = Api(app_client, tenant.tokens["agent"])
    agent.get("/admin/mailboxes")
    csrf = app_client.cookies.get("attent_csrf")
    assert agent.post("/admin/reply-targets", data={**form, "csrf": csrf}).status_code == 403
