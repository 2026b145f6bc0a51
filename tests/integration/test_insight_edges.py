"""Bad input on every insight door is a clear 4xx in the reader's language, never a 500."""

import uuid

import pytest

from tests.conftest import Api
from tests.integration.test_insight_pages import _sign_in

API_BAD = [
    {"since": "0001-01-01"},
    {"since": "2026-13-01"},
    {"until": "1899-12-31"},
    {"group_by": "handle_time"},
    {"channel": "pigeon"},
    {"team_id": "not-a-uuid"},
    {"agent_id": str(uuid.uuid4())},
    {"type": "x" * 61},
    {"format": "xlsx"},
]


@pytest.mark.parametrize("params", API_BAD)
def test_bad_api_input_is_a_4xx(app_client, tenant, params):
    lead = Api(app_client, tenant.tokens["lead"])
    response = lead.get("/api/v1/insight/fcr", params=params)
    assert 400 <= response.status_code < 500, (params, response.text)


PAGE_BAD = [
    "/insight?period=decade",
    "/insight?period=custom&since=gisteren",
    "/insight?team_id=nope",
    f"/insight?team_id={uuid.uuid4()}",
    "/insight?channel=pigeon",
    "/insight/fcr.csv?group_by=nope",
    "/insight/handle-time.csv",
    f"/survey/{uuid.uuid4()}/{uuid.uuid4()}?t=x",
    "/survey/nope/nope",
]


def test_bad_page_input_is_a_4xx_in_dutch(db, app_client, tenant):
    page = _sign_in(app_client, db, tenant.lead)
    for url in PAGE_BAD:
        response = page.get(url)
        assert 400 <= response.status_code < 500, (url, response.status_code)
        assert "text/html" in response.headers["content-type"], url
        assert 'lang="nl"' in response.text, url
