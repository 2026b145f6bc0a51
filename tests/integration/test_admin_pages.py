"""The admin pages for playbooks and the verification policy, through the real app."""

from html import unescape

import pytest

from tests.conftest import Api


@pytest.fixture
def admin_page(app_client, tenant):
    """The admin's browser: bearer token for identity, the CSRF cookie from a first page view."""
    api = Api(app_client, tenant.tokens["admin"])
    assert api.get("/admin/playbooks").status_code == 200
    api.csrf = app_client.cookies.get("attent_csrf")
    return api


def _step(i, key, minutes, title, say, position=None):
    return {
        f"steps-{i}-position": str(position if position is not None else i + 1),
        f"steps-{i}-key": key,
        f"steps-{i}-default_minutes": str(minutes),
        f"steps-{i}-title_nl": title,
        f"steps-{i}-title_en": title + " (en)",
        f"steps-{i}-narration_nl": say,
        f"steps-{i}-narration_en": say + " (en)",
    }


def _post(page, path, form):
    return page.client.post(
        path, data={"csrf": page.csrf, **form}, headers=page.headers, follow_redirects=False
    )


def test_an_admin_writes_reorders_and_trims_a_playbook_in_the_form(admin_page, tenant):
    empty = admin_page.get("/admin/playbooks/delivery_missing")
    assert (
        empty.status_code == 200 and 'name="steps-0-key"' in empty.text and 'value="trace"' not in empty.text
    )
    form = _step(0, "call_customer", 2, "Klant terugbellen", "Ik bel u zo terug", position=2)
    form |= _step(1, "trace", 15, "Zending opsporen", "Ik zoek nu uw zending op", position=1)
    form |= {"steps-2-key": "", "steps-2-title_nl": ""}  # a blank row is not a step
    saved = _post(admin_page, "/admin/playbooks/delivery_missing", form)
    assert saved.status_code == 303, saved.text
    steps = admin_page.get("/api/v1/playbooks/delivery_missing").json()["steps"]
    assert [(s["key"], s["default_minutes"]) for s in steps] == [("trace", 15), ("call_customer", 2)]
    page = admin_page.get(saved.headers["location"]).text
    assert "Opgeslagen." in page and 'value="Zending opsporen"' in page
    listing = admin_page.get("/admin/playbooks").text
    assert 'href="/admin/playbooks/delivery_missing"' in listing

    trimmed = _step(0, "trace", 20, "Zending opsporen", "Ik zoek nu uw zending op")
    trimmed |= _step(1, "call_customer", 2, "Klant terugbellen", "Ik bel u zo terug") | {
        "steps-1-remove": "1"
    }
    assert _post(admin_page, "/admin/playbooks/delivery_missing", trimmed).status_code == 303
    steps = admin_page.get("/api/v1/playbooks/delivery_missing").json()["steps"]
    assert [(s["key"], s["default_minutes"]) for s in steps] == [("trace", 20)]


def test_a_bad_playbook_names_each_field_in_dutch_and_writes_nothing(admin_page):
    good = _step(0, "trace", 15, "Zending opsporen", "Ik zoek nu uw zending op")
    assert _post(admin_page, "/admin/playbooks/delivery_missing", good).status_code == 303
    bad = _step(0, "trace", 0, "Zending opsporen", "") | _step(1, "Trace Two", 5, "Nog een", "Zeg iets")
    refused = _post(admin_page, "/admin/playbooks/delivery_missing", bad)
    assert refused.status_code == 422
    text = unescape(refused.text)
    assert "Er is niets opgeslagen." in text
    assert "Stap 1, minuten: Moet meer zijn dan 0." in text
    assert "Stap 1, wat de medewerker zegt (nl): Vul dit in." in text
    assert "Stap 2, sleutel:" in text
    assert 'value="Trace Two"' in refused.text  # the form comes back as typed
    duplicate = _step(0, "trace", 5, "A", "B") | _step(1, "trace", 5, "C", "D")
    twice = _post(admin_page, "/admin/playbooks/delivery_missing", duplicate)
    assert twice.status_code == 422 and "Stap 2, sleutel: Sleutel “trace” is al stap 1." in unescape(
        twice.text
    )
    steps = admin_page.get("/api/v1/playbooks/delivery_missing").json()["steps"]
    assert [(s["key"], s["default_minutes"]) for s in steps] == [("trace", 15)]


def test_agents_read_playbooks_but_cannot_change_them(app_client, tenant, admin_page):
    good = _step(0, "trace", 15, "Zending opsporen", "<script>alert(1)</script>")
    assert _post(admin_page, "/admin/playbooks/delivery_missing", good).status_code == 303
    agent = Api(app_client, tenant.tokens["agent"])
    page = agent.get("/admin/playbooks/delivery_missing")
    assert page.status_code == 200 and '<fieldset class="card step-row" disabled>' in page.text
    assert "Draaiboek opslaan" not in page.text and "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    agent.csrf = admin_page.csrf
    refused = _post(agent, "/admin/playbooks/delivery_missing", _step(0, "x", 1, "X", "Y"))
    assert refused.status_code == 403
    assert [s["key"] for s in agent.get("/api/v1/playbooks/delivery_missing").json()["steps"]] == ["trace"]


def _policy_form(page):
    """The policy form as shown, field by field, so a test changes only what it means to."""
    policy = page.get("/api/v1/verification/policy").json()
    form = {"max_failures": str(policy["max_failures"]), "window_minutes": str(policy["window_minutes"])}
    for i, q in enumerate(policy["questions"]):
        form |= {
            f"questions-{i}-key": q["key"],
            f"questions-{i}-fact": q["fact"],
            f"questions-{i}-sensitivity": str(q["sensitivity"]),
            f"questions-{i}-label_nl": q["label"]["nl"],
            f"questions-{i}-label_en": q["label"]["en"],
            f"questions-{i}-why_nl": q["why"]["nl"],
            f"questions-{i}-why_en": q["why"]["en"],
        }
    return form, policy


def test_an_admin_edits_the_verification_policy_in_the_form(admin_page):
    page = admin_page.get("/admin/verification")
    assert page.status_code == 200 and 'value="customer.refs.order"' in page.text
    form, policy = _policy_form(admin_page)
    last = len(policy["questions"]) - 1
    form |= {"max_failures": "5", f"questions-{last}-remove": "1"}
    assert _post(admin_page, "/admin/verification", form).status_code == 303
    changed = admin_page.get("/api/v1/verification/policy").json()
    assert changed["max_failures"] == 5
    assert [q["key"] for q in changed["questions"]] == [q["key"] for q in policy["questions"][:last]]


def test_the_policy_form_refuses_date_of_birth_and_writes_nothing(admin_page):
    form, policy = _policy_form(admin_page)
    n = len(policy["questions"])
    form |= {
        f"questions-{n}-key": "birthday",
        f"questions-{n}-fact": "customer.facts.date_of_birth",
        f"questions-{n}-sensitivity": "3",
        f"questions-{n}-label_nl": "geboortedatum",
        f"questions-{n}-label_en": "date of birth",
        f"questions-{n}-why_nl": "Ter controle.",
        f"questions-{n}-why_en": "To check.",
        "window_minutes": "abc",
    }
    refused = _post(admin_page, "/admin/verification", form)
    assert refused.status_code == 422
    text = unescape(refused.text)
    assert "Binnen minuten: Geef een geheel getal." in text
    form["window_minutes"] = "15"
    refused = _post(admin_page, "/admin/verification", form)
    assert refused.status_code == 422
    assert (
        f"Vraag {n + 1}, feit dat gecontroleerd wordt: Attent vraagt nooit naar de geboortedatum"
        in unescape(refused.text)
    )
    assert admin_page.get("/api/v1/verification/policy").json() == policy
