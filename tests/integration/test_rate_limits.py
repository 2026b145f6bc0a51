"""API rate limits: per token and per organisation, 429 with Retry-After, a new window a minute later."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from attent.app import create_app
from attent.core.settings import Settings
from tests.conftest import Api, page_csrf


@pytest.fixture
def limited(database, clock, tmp_path):
    """The app with small limits: 3 requests a minute per token, 5 per organisation."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'unused.db'}", embedded_worker=False,
        api_requests_per_token_per_minute=3, api_requests_per_organisation_per_minute=5,
    )  # fmt: skip
    with TestClient(create_app(settings, database=database, clock=clock, worker=False)) as client:
        yield client


def test_a_token_that_floods_is_refused_with_retry_after_and_others_go_on(
    limited, tenant, other_tenant, clock
):
    clock.advance(timedelta(seconds=15))  # 45 s left in this minute
    agent = Api(limited, tenant.tokens["agent"])
    assert [agent.get("/api/v1/agents/me").status_code for _ in range(3)] == [200, 200, 200]
    refused = agent.get("/api/v1/agents/me")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "45"
    assert refused.json()["code"] == "api_rate_limited" and "45" in refused.json()["detail"]
    lead = Api(limited, tenant.tokens["lead"])
    assert [lead.get("/api/v1/agents/me").status_code for _ in range(3)] == [200, 200, 429]  # org: 5
    assert Api(limited, other_tenant.tokens["agent"]).get("/api/v1/agents/me").status_code == 200
    clock.advance(timedelta(seconds=45))
    assert agent.get("/api/v1/agents/me").status_code == 200


def test_pages_are_not_limited_by_the_api_limit(limited, tenant):
    csrf = page_csrf(limited)
    form = {"email": tenant.agent.email, "password": "correct horse battery", "csrf": csrf}
    assert limited.post("/signin", data=form, follow_redirects=False).status_code == 303
    assert [limited.get("/me/security").status_code for _ in range(6)] == [200] * 6
