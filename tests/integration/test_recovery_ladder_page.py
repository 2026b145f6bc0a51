"""The recovery ladder and occasions page: what was API-only is a form an admin fills in, rows added and
removed without JavaScript, each problem beside its field, and nothing saved when one is wrong."""

import re
from html import unescape

from tests.conftest import Api


def _browser(app_client, token):
    client = Api(app_client, token)
    assert client.get("/recovery/ladder").status_code in (200, 403)
    client.csrf = app_client.cookies.get("attent_csrf")
    return client


def _form(page, **changes):
    """The page's form for the default policy, as the browser would post it."""
    fields = [
        ("csrf", page.csrf), ("period_days", "90"), ("impact_priorities", "urgent"),
        ("rung-0-failures", "1"), ("rung-0-gestures", "small_attention"), ("rung-0-gestures", "replacement"),
        ("rung-1-failures", "2"), ("rung-1-gestures", "replacement"), ("rung-1-gestures", "credit"),
        ("rung-2-failures", "3"), ("rung-2-gestures", "credit"),
        ("rung-3-failures", ""),
        ("occasion-0", "birthday"), ("occasion-0-gesture", "small_attention"),
        ("occasion-1", ""), ("occasion-1-gesture", "small_attention"),
        ("check_in_task_hours", "24"),
    ]  # fmt: skip
    fields = [(k, v) for k, v in fields if k not in changes]
    for key, value in changes.items():
        fields += [(key, v) for v in (value if isinstance(value, list) else [value])]
    return fields


def _post(page, fields, **kw):
    body = "&".join(f"{k}={v}" for k, v in fields)
    return page.post(
        "/recovery/ladder", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}, **kw
    )


def test_the_page_shows_the_ladder_and_occasions_as_a_form(app_client, tenant):
    html = _browser(app_client, tenant.tokens["admin"]).get("/recovery/ladder").text
    assert "Herstelladder en gelegenheden" in html  # Dutch by default
    assert 'name="rung-0-failures" type="number" min="1" max="20" value="1"' in html
    assert re.search(r'name="rung-0-gestures" value="small_attention" checked', html)
    assert (
        'name="rung-3-failures" type="number" min="1" max="20" value=""' in html
    )  # the empty row to add one
    assert 'name="occasion-0" value="birthday"' in html
    assert _browser(app_client, tenant.tokens["lead"]).get("/recovery/ladder").status_code == 403


def test_an_admin_adds_a_rung_and_an_occasion_and_removes_one(app_client, admin_api, tenant):
    page = _browser(app_client, tenant.tokens["admin"])
    fields = _form(
        page, **{"rung-2-failures": "", "rung-3-failures": "4", "rung-3-gestures": ["credit", "refund"],
                 "occasion-1": "anniversary", "occasion-1-gesture": "credit", "period_days": "120",
                 "impact_priorities": ["high", "urgent"]},
    )  # fmt: skip
    saved = _post(page, fields, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    policy = admin_api.get("/api/v1/recovery/policy").json()
    assert [(r["failures"], r["gestures"]) for r in policy["ladder"]] == [
        (1, ["small_attention", "replacement"]), (2, ["replacement", "credit"]), (4, ["credit", "refund"]),
    ]  # fmt: skip
    assert policy["occasions"] == {"birthday": "small_attention", "anniversary": "credit"}
    assert policy["period_days"] == 120 and policy["impact_priorities"] == ["high", "urgent"]
    assert policy["failure_types"] == ["delivery_missing", "delivery_late", "damaged", "wrong_item"]  # kept
    assert "Opgeslagen." in page.get("/recovery/ladder?saved=1").text


def test_problems_are_shown_beside_their_field_and_nothing_is_saved(app_client, admin_api, tenant):
    page = _browser(app_client, tenant.tokens["admin"])
    before = admin_api.get("/api/v1/recovery/policy").json()
    refused = _post(page, _form(page, **{"rung-1-failures": "1", "occasion-1": "jubileum",
                                         "occasion-1-gesture": "champagne"}))  # fmt: skip
    assert refused.status_code == 422
    html = unescape(refused.text)
    assert 'data-path="ladder/1/failures">' in html and "moet meer zijn dan 1" in html
    assert 'data-path="occasions/1">Geen gebaar “champagne” in de catalogus.' in html
    assert 'name="occasion-1" value="jubileum"' in html  # as typed
    assert admin_api.get("/api/v1/recovery/policy").json() == before
    refused = _post(page, _form(page, period_days="0"))
    assert refused.status_code == 422 and 'data-path="period_days">' in refused.text
    lead = _browser(app_client, tenant.tokens["lead"])
    lead.csrf = page.csrf
    assert _post(lead, _form(page)).status_code == 403
