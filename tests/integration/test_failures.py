"""What the worker set aside is visible to its organisation's admin only, with the reason, and can be
tried again: `GET /api/v1/failures`, `POST /api/v1/failures/{id}/retry` and the page /admin/failures."""

import pytest

from attent.core.queue import Job, enqueue
from attent.core.setaside import SET_ASIDE_AFTER
from attent.core.worker import Worker
from attent.wiring import TIMED_STEPS
from tests.conftest import Api
from tests.integration.poison import AFTER_DELIVERY, poison, rules, signal
from tests.integration.test_recovery_pages import _sign_in, _with_password


@pytest.fixture
def set_aside(app_client, tenant, clock, database, db):
    """A signal of the tenant that the worker failed on three times, and the worker."""
    admin = Api(app_client, tenant.tokens["admin"])
    rules(admin, AFTER_DELIVERY)
    poisoned = signal(admin, "poisoned")
    poison(db, poisoned, clock.now())
    worker = Worker(database=database, clock=clock, settings=app_client.app.state.settings, steps=TIMED_STEPS)
    for _ in range(SET_ASIDE_AFTER):
        worker.tick()
    return poisoned, worker


def test_the_admin_sees_what_was_set_aside_and_nobody_else_does(app_client, tenant, other_tenant, set_aside):
    poisoned, _worker = set_aside
    admin, other_admin = (
        Api(app_client, tenant.tokens["admin"]),
        Api(app_client, other_tenant.tokens["admin"]),
    )
    [failure] = admin.get("/api/v1/failures").json()["items"]
    assert failure["kind"] == "signal" and failure["row_id"] == str(poisoned)
    assert failure["attempts"] == SET_ASIDE_AFTER and failure["case_id"] is None and failure["failed_at"]
    assert failure["error"].startswith("ValueError: 9999-12-30")
    assert other_admin.get("/api/v1/failures").json()["items"] == []
    for role in ("agent", "lead"):
        response = Api(app_client, tenant.tokens[role]).get("/api/v1/failures")
        assert response.status_code == 403 and response.json()["code"] == "role_required"
    assert other_admin.post(f"/api/v1/failures/{failure['id']}/retry").status_code == 404


def test_trying_again_puts_it_back_in_the_worker_s_claims(app_client, tenant, set_aside, db):
    _poisoned, worker = set_aside
    admin = Api(app_client, tenant.tokens["admin"])
    [failure] = admin.get("/api/v1/failures").json()["items"]
    assert (
        Api(app_client, tenant.tokens["agent"]).post(f"/api/v1/failures/{failure['id']}/retry").status_code
        == 403
    )
    assert admin.post(f"/api/v1/failures/{failure['id']}/retry").status_code == 204
    assert admin.post(f"/api/v1/failures/{failure['id']}/retry").status_code == 204  # again: nothing to do
    assert admin.get("/api/v1/failures").json()["items"] == []
    worker.tick()  # claimed again: it fails again, counted afresh
    assert admin.get("/api/v1/failures").json()["items"] == []
    for _ in range(SET_ASIDE_AFTER - 1):
        worker.tick()
    assert len(admin.get("/api/v1/failures").json()["items"]) == 1


def test_jobs_that_failed_for_good_are_listed_and_can_be_tried_again(app_client, tenant, db, clock):
    enqueue(db=db, organisation_id=tenant.organisation_id, kind="signals.webhook", key="hook-1",
            payload={}, due_at=clock.now(), at=clock.now())  # fmt: skip
    job = db.query(Job).filter_by(key="hook-1").one()
    job.failed_at, job.attempts = clock.now(), 8
    job.last_error = "ConnectionError: refused\n[SQL: SELECT secret FROM x]"
    db.commit()
    admin = Api(app_client, tenant.tokens["admin"])
    [failure] = admin.get("/api/v1/failures").json()["items"]
    assert (failure["kind"], failure["error"], failure["attempts"]) == (
        "signals.webhook",
        "ConnectionError: refused",
        8,
    )
    assert admin.post(f"/api/v1/failures/{failure['id']}/retry").status_code == 204
    db.expire_all()
    assert (job.failed_at, job.attempts, job.due_at) == (None, 0, clock.now())
    assert admin.get("/api/v1/failures").json()["items"] == []


def test_the_page_lists_set_aside_work_in_dutch_and_tries_it_again(
    app_client, tenant, other_tenant, db, set_aside
):
    poisoned, _worker = set_aside
    _with_password(db, tenant.admin)
    _with_password(db, other_tenant.admin)
    _with_password(db, tenant.lead)
    page = _sign_in(app_client, tenant.admin.email)
    html = page.get("/admin/failures").text
    assert "Apart gezet werk" in html and "Signaal getoetst aan de regels" in html
    assert "ValueError: 9999-12-30" in html and str(poisoned) in html
    assert 'href="/admin/failures"' in page.get("/admin/playbooks").text  # in the settings' navigation
    [failure] = Api(app_client, tenant.tokens["admin"]).get("/api/v1/failures").json()["items"]
    response = page.post(
        f"/admin/failures/{failure['id']}/retry", data={"csrf": page.csrf}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/admin/failures?retried=1"
    html = page.get("/admin/failures?retried=1").text
    assert "Er is niets apart gezet" in html and "bij zijn volgende ronde opnieuw" in html

    page.post("/signout", data={"csrf": page.csrf})
    lead = _sign_in(app_client, tenant.lead.email)
    assert lead.get("/admin/failures").status_code == 403
    lead.post("/signout", data={"csrf": lead.csrf})
    outsider = _sign_in(app_client, other_tenant.admin.email)
    assert str(poisoned) not in outsider.get("/admin/failures").text
