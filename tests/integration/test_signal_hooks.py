"""Webhooks in (signed, mapped, refused and recorded when not) and out (signed, retried with backoff)."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from attent.core.queue import Job, run_due_jobs
from attent.core.settings import get_settings
from attent.signals.jobs import evaluate_signals
from attent.signals.outbound import RefusedDestination, check_destination
from tests.conftest import Api
from tests.integration.rulebooks import document

MAPPING = {
    "type": "$.event",
    "type_map": {"shipment.failed": "delivery.failed"},
    "customer_ref": "$.customer.number",
    "customer_ref_system": "shop",
    "occurred_at": "$.at",
    "external_id": "$.id",
    "attributes": {"order_id": "$.order.number", "attempt": "$.attempts[0]"},
}
EVENT = {
    "id": "wh-1",
    "event": "shipment.failed",
    "at": "2026-11-23T08:00:00Z",
    "customer": {"number": "C-1042"},
    "order": {"number": "O-55"},
    "attempts": [2],
}


@pytest.fixture
def shop(admin_api):
    """A webhook source 'shop' and its secret (shown once)."""
    created = admin_api.put("/api/v1/signal-sources/shop", json={"mapping": MAPPING})
    assert created.status_code == 200, created.text
    return created.json()


def _signed(secret: str, body: bytes, at: int) -> dict[str, str]:
    digest = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Attent-Signature": f"t={at},v1={digest}", "content-type": "application/json"}


def test_a_signed_webhook_becomes_a_signal_once(app_client, shop, admin_api, clock, tenant):
    assert shop["url_path"] == "/hooks/kopje-koffie.shop" and shop["secret"].startswith("whsec_")
    assert admin_api.get("/api/v1/signal-sources/shop").json()["secret"] is None  # shown once
    body = json.dumps(EVENT).encode()
    now = int(clock.now().timestamp())
    response = app_client.post(shop["url_path"], content=body, headers=_signed(shop["secret"], body, now))
    assert response.status_code == 202, response.text
    [item] = response.json()["items"]
    assert item["customer_id"] == str(tenant.customer.id)
    signal = admin_api.get(f"/api/v1/signals/{item['id']}").json()
    assert signal["type"] == "delivery.failed" and signal["source"] == "shop"
    assert signal["attributes"] == {"order_id": "O-55", "attempt": 2}
    again = app_client.post(shop["url_path"], content=body, headers=_signed(shop["secret"], body, now))
    assert again.json()["duplicates"] == 1


def test_bad_signatures_get_401_and_are_recorded_for_admins(app_client, shop, admin_api, clock):
    body = json.dumps(EVENT).encode()
    now = int(clock.now().timestamp())
    attempts = {
        "missing_signature": {"content-type": "application/json"},
        "malformed_signature": {"X-Attent-Signature": "sha256=abc"},
        "bad_signature": _signed("whsec_guessed", body, now),
        "stale_timestamp": _signed(shop["secret"], body, now - 301),
    }
    for reason, headers in attempts.items():
        response = app_client.post(shop["url_path"], content=body, headers=headers)
        assert response.status_code == 401, reason
        assert response.json()["code"] == reason
    tampered = _signed(shop["secret"], body, now)
    assert app_client.post(shop["url_path"], content=body + b" ", headers=tampered).status_code == 401
    rejections = admin_api.get("/api/v1/signal-sources/shop").json()["rejections"]
    assert sorted(r["reason"] for r in rejections) == sorted([*attempts, "bad_signature"])
    assert admin_api.get("/api/v1/signals").json()["items"] == []  # nothing unsigned entered


def test_unknown_sources_and_unmappable_bodies(app_client, shop, clock):
    body = json.dumps({**EVENT, "at": "yesterday"}).encode()
    headers = _signed(shop["secret"], body, int(clock.now().timestamp()))
    response = app_client.post(shop["url_path"], content=body, headers=headers)
    assert response.status_code == 422 and response.json()["errors"][0]["path"] == ["occurred_at"]
    assert app_client.post("/hooks/kopje-koffie.nope", content=body, headers=headers).status_code == 404
    assert app_client.post("/hooks/nobody.shop", content=body, headers=headers).status_code == 404


def test_rotating_the_secret_retires_the_old_one(app_client, shop, admin_api, clock):
    rotated = admin_api.put(
        "/api/v1/signal-sources/shop?rotate_secret=true", json={"mapping": MAPPING}
    ).json()
    assert rotated["secret"] != shop["secret"]
    body = json.dumps(EVENT).encode()
    now = int(clock.now().timestamp())
    assert (
        app_client.post(
            shop["url_path"], content=body, headers=_signed(shop["secret"], body, now)
        ).status_code
        == 401
    )
    ok = app_client.post(shop["url_path"], content=body, headers=_signed(rotated["secret"], body, now))
    assert ok.status_code == 202


def test_sources_are_for_admins_and_checked(app_client, tenant, admin_api):
    assert Api(app_client, tenant.tokens["lead"]).get("/api/v1/signal-sources").status_code == 403
    bad = admin_api.put("/api/v1/signal-sources/shop", json={"mapping": {**MAPPING, "colour": "red"}})
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == ["body", "mapping", "colour"]
    assert admin_api.put("/api/v1/signal-sources/Shop!", json={"mapping": MAPPING}).status_code == 422


class _Receiver(BaseHTTPRequestHandler):
    answers: list[int]
    received: list[tuple[dict[str, str], bytes]]

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.received.append((dict(self.headers), self.rfile.read(length)))
        self.send_response(self.answers.pop(0) if self.answers else 200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def private_receivers(monkeypatch):
    """Let rules call webhooks on this machine, as an on-premises operator would."""
    monkeypatch.setenv("ATTENT_WEBHOOK_PRIVATE_ADDRESSES", "true")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def receiver():
    """A real HTTP server that answers 500 once, then 200."""
    handler = type("Receiver", (_Receiver,), {"answers": [500], "received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, handler
    server.shutdown()
    server.server_close()


def _webhook_rule(admin_api, clock, url: str) -> None:
    rule = {
        "key": "replacement",
        "name": "Ask the shop for a replacement",
        "when": {"signal": "delivery.failed"},
        "then": [
            {"do": "call_webhook", "url": url, "source": "shop", "body": {"action": "create_replacement"}}
        ],
    }
    assert admin_api.put("/api/v1/rules", json=document(rule)).status_code == 200
    admin_api.post("/api/v1/signals", json={
        "type": "delivery.failed", "customer_ref": {"system": "shop", "value": "C-1042"},
        "occurred_at": clock.now().isoformat(), "attributes": {"order_id": "O-9"}, "external_id": "x-1",
    })  # fmt: skip


def test_a_rule_calls_a_webhook_signed_and_retried_with_backoff(
    admin_api, shop, receiver, private_receivers, database, clock, db
):
    server, handler = receiver
    _webhook_rule(admin_api, clock, f"http://127.0.0.1:{server.server_port}/replacements")
    evaluate_signals(database=database, now=clock.now())
    assert run_due_jobs(database=database, worker_id="test", now=clock.now()) == 0  # the shop answered 500
    [job] = db.scalars(select(Job).where(Job.kind == "signals.webhook"))
    assert job.last_error is not None and job.due_at == clock.now() + timedelta(seconds=8)
    clock.advance(timedelta(seconds=8))
    assert run_due_jobs(database=database, worker_id="test", now=clock.now()) == 1
    assert len(handler.received) == 2
    headers, body = handler.received[-1]
    payload = json.loads(body)
    assert payload["rule"] == "replacement" and payload["data"] == {"action": "create_replacement"}
    assert payload["signal"]["attributes"] == {"order_id": "O-9"}
    timestamp, digest = (part.split("=", 1)[1] for part in headers["X-Attent-Signature"].split(","))
    expected = hmac.new(shop["secret"].encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(digest, expected)
    assert headers["Idempotency-Key"] == job.key


def test_a_webhook_to_this_machine_is_refused_at_once_unless_the_operator_allows_it(
    admin_api, shop, receiver, database, clock, db
):
    server, handler = receiver
    _webhook_rule(admin_api, clock, f"http://127.0.0.1:{server.server_port}/replacements")
    evaluate_signals(database=database, now=clock.now())
    assert run_due_jobs(database=database, worker_id="test", now=clock.now()) == 0
    [job] = db.scalars(select(Job).where(Job.kind == "signals.webhook"))
    db.refresh(job)
    assert job.failed_at == clock.now()  # not retried: the address will not become public
    assert "127.0.0.1" in job.last_error and "ATTENT_WEBHOOK_PRIVATE_ADDRESSES" in job.last_error
    assert handler.received == []


def test_a_webhook_is_not_redirected(admin_api, shop, private_receivers, database, clock, db):
    handler = type("Redirector", (_Receiver,), {"answers": [302], "received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _webhook_rule(admin_api, clock, f"http://127.0.0.1:{server.server_port}/replacements")
        evaluate_signals(database=database, now=clock.now())
        assert run_due_jobs(database=database, worker_id="test", now=clock.now()) == 0
    finally:
        server.shutdown()
        server.server_close()
    [job] = db.scalars(select(Job).where(Job.kind == "signals.webhook"))
    db.refresh(job)
    assert "answered 302" in job.last_error and job.failed_at is None  # a failed call, retried later
    assert len(handler.received) == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/x",
        "http://localhost:8000/x",
        "http://10.1.2.3/x",
        "http://192.168.0.10/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/x",
        "http://[fd00::1]/x",
        "http://0.0.0.0/x",
        "ftp://93.184.215.14/x",
        "http:///no-host",
    ],
)
def test_private_loopback_and_odd_destinations_are_refused(url):
    with pytest.raises(RefusedDestination):
        check_destination(url, private_allowed=False)


def test_public_addresses_pass_and_private_ones_pass_when_allowed():
    check_destination("https://93.184.215.14/hooks", private_allowed=False)
    check_destination("http://[2606:4700:4700::1111]/hooks", private_allowed=False)
    check_destination("http://127.0.0.1:9000/hooks", private_allowed=True)
