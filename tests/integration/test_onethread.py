"""API routes run their session, caller, key and body in one worker thread; they roll back whole."""

from typing import Annotated

import anyio.to_thread
import pytest
from fastapi import APIRouter, Depends
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from attent.agents import AdminIdempotent, CurrentAgent, Idempotent
from attent.app import create_app
from attent.core.deps import ClockDep, DbSession
from attent.core.errors import Conflict
from attent.core.onethread import OneThreadRoute, one_thread
from attent.customers.models import Customer
from attent.customers.schemas import CustomerCreate
from attent.customers.service import create_customer
from tests.conftest import Api


@pytest.fixture
def thread_trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every trip to a worker thread the app makes, by the name of what it ran."""
    trips: list[str] = []
    real = anyio.to_thread.run_sync

    async def counted(func, *args, **kwargs):  # type: ignore[no-untyped-def]
        trips.append(getattr(func, "__name__", type(func).__name__))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    return trips


def test_logging_a_contact_takes_one_trip_to_a_worker_thread(api: Api, tenant, thread_trips):
    response = api.post(
        f"/api/v1/cases/{tenant.case.id}/contacts",
        json={"channel": "email", "direction": "inbound"},
        headers={"Idempotency-Key": "one-trip"},
    )
    assert response.status_code == 201, response.text
    assert len(thread_trips) == 1, thread_trips  # was six: session in and out, caller, key, route, response
    replay = api.post(
        f"/api/v1/cases/{tenant.case.id}/contacts",
        json={"channel": "email", "direction": "inbound"},
        headers={"Idempotency-Key": "one-trip"},
    )
    assert replay.json() == response.json()
    assert replay.headers["Idempotent-Replayed"] == "true"


def test_reading_the_brief_takes_one_trip(api: Api, tenant, thread_trips):
    assert api.get(f"/api/v1/cases/{tenant.case.id}/brief").status_code == 200
    assert len(thread_trips) == 1, thread_trips


def test_an_error_after_a_write_leaves_nothing_behind(settings, database, clock, tenant, db):
    router = APIRouter(route_class=OneThreadRoute)

    @router.post("/api/v1/test-half-written", status_code=201)
    def half_written(db: DbSession, actor: CurrentAgent, clock: ClockDep, idem: Idempotent) -> dict[str, str]:
        create_customer(db=db, actor=actor, data=CustomerCreate(name="Half Written"), at=clock.now())
        db.flush()
        raise Conflict("test_conflict", "Refused after the customer was written.")

    app = create_app(settings, database=database, clock=clock, worker=False)
    app.include_router(router)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = Api(client, tenant.tokens["agent"]).post("/api/v1/test-half-written", json={})
    assert response.status_code == 409
    assert response.json()["code"] == "test_conflict"
    assert db.scalar(select(func.count()).select_from(Customer).where(Customer.name == "Half Written")) == 0


def test_a_route_with_another_sync_dependency_is_refused_when_declared():
    def other() -> int:
        return 1

    def route(db: DbSession, extra: Annotated[int, Depends(other)]) -> None:
        return None

    with pytest.raises(TypeError, match="'extra'"):
        one_thread(route)


def test_routes_without_the_session_are_left_as_they_are():
    def plain() -> int:
        return 1

    async def already_async(db: DbSession) -> None:
        return None

    assert one_thread(plain) is plain
    assert one_thread(already_async) is already_async


def test_with_api_on_event_loop_a_request_takes_no_trip_at_all(
    settings, database, clock, tenant, thread_trips
):
    loop_settings = settings.model_copy(update={"api_on_event_loop": True})
    app = create_app(loop_settings, database=database, clock=clock, worker=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        api = Api(client, tenant.tokens["agent"])
        logged = api.post(f"/api/v1/cases/{tenant.case.id}/contacts", json={"channel": "chat"})
        refused = api.post(f"/api/v1/cases/{tenant.case.id}/contacts", json={"channel": "pigeon"})
        brief = api.get(f"/api/v1/cases/{tenant.case.id}/brief")
    assert logged.status_code == 201, logged.text
    assert refused.status_code == 422
    assert brief.status_code == 200 and brief.json()["case_id"] == str(tenant.case.id)
    assert thread_trips == []


@pytest.mark.parametrize("route_class", [OneThreadRoute, APIRoute])
def test_an_admin_guard_refuses_before_it_replays_on_either_path(
    settings, database, clock, tenant, route_class
):
    router = APIRouter(route_class=route_class)

    @router.post("/api/v1/test-admin-only", status_code=201)
    def admin_only(db: DbSession, actor: CurrentAgent, idem: AdminIdempotent) -> dict[str, str]:
        result: dict[str, str] = idem.remember({"made_by": str(actor.id)})
        return result

    app = create_app(settings, database=database, clock=clock, worker=False)
    app.include_router(router)
    with TestClient(app, raise_server_exceptions=False) as client:
        key = {"Idempotency-Key": "only-admins"}
        made = Api(client, tenant.tokens["admin"]).post("/api/v1/test-admin-only", json={}, headers=key)
        replayed = Api(client, tenant.tokens["admin"]).post("/api/v1/test-admin-only", json={}, headers=key)
        refused = Api(client, tenant.tokens["agent"]).post("/api/v1/test-admin-only", json={}, headers=key)
    assert made.status_code == replayed.status_code == 201
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert refused.status_code == 403 and refused.json()["code"] == "role_required"
