"""Logs never carry personal data from the database: no SQL parameters, no DETAIL with the row's values
(issue 13, 18). Database errors are provoked with an e-mail address in them, on both databases."""

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from attent.agents.models import Agent
from attent.app import create_app
from attent.core.db import make_engine
from attent.core.deps import DbSession


@pytest.fixture
def client(settings, database, clock, tenant) -> Iterator[TestClient]:
    """The app with two routes that hit the database with the tenant agent's e-mail address."""
    app = create_app(settings, database=database, clock=clock, worker=False)
    email, organisation_id = tenant.agent.email, tenant.organisation_id

    def duplicate(db: DbSession) -> None:
        now = clock.now()
        db.add(Agent(organisation_id=organisation_id, email=email, name="Copy", presence_changed_at=now,
                     created_at=now))  # fmt: skip
        db.flush()  # the unique (organisation_id, email) refuses it: IntegrityError

    def broken(db: DbSession) -> None:
        db.execute(text("SELECT * FROM no_such_table WHERE email = :email"), {"email": email})

    app.add_api_route("/api/v1/test-duplicate", duplicate, methods=["POST"])
    app.add_api_route("/api/v1/test-broken", broken)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_an_integrity_error_is_logged_without_the_values(client, tenant, caplog):
    caplog.set_level(logging.DEBUG)
    response = client.post("/api/v1/test-duplicate")
    assert response.status_code == 409
    assert "integrity error on POST /api/v1/test-duplicate" in caplog.text  # logged, by path and id
    assert tenant.agent.email not in caplog.text
    assert tenant.agent.email not in response.text


def test_an_unhandled_database_error_is_logged_without_parameters(client, tenant, caplog):
    caplog.set_level(logging.DEBUG)
    response = client.get("/api/v1/test-broken")
    assert response.status_code == 500
    assert "no_such_table" in caplog.text  # the error and its traceback are there, for whoever debugs
    assert tenant.agent.email not in caplog.text


def test_every_engine_hides_parameters(database_url):
    engine = make_engine(database_url)
    try:
        assert engine.hide_parameters
    finally:
        engine.dispose()
