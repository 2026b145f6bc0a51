"""Surveys after resolution: sent N hours later through the outbox, skipped when the customer came back
or was asked recently, answered once through a link without signing in, and counted in the figures."""

import re
from datetime import timedelta
from html import unescape

from sqlalchemy import select

from attent.channels import OutboundMessage
from attent.insight.jobs import send_due_surveys
from attent.insight.models import Survey, SurveyState
from tests.conftest import START, Api
from tests.integration.test_insight import Story
from tests.integration.test_insight_pages import _sign_in

HOUR = timedelta(hours=1)


def _survey_link(db, case):
    message = db.scalar(
        select(OutboundMessage).where(
            OutboundMessage.case_id == case.id, OutboundMessage.template == "survey"
        )
    )
    assert message is not None, "no survey was queued"
    found = re.search(r"http://localhost:8000(/survey/\S+)\?t=(\S+)", message.body)
    assert found, message.body
    return message, found.group(1), found.group(2)


def _resolved_case(db, tenant, at, **kw):
    story = Story(db, tenant)
    case = story.case(at, **kw)
    story.contact(case, at)
    story.resolve(case, at + HOUR)
    db.commit()
    return story, case


def test_a_survey_goes_out_a_day_later_and_its_answer_counts_once(db, app_client, database, tenant, clock):
    admin = Api(app_client, tenant.tokens["admin"])
    rules = admin.get("/api/v1/insight/settings").json()
    assert (
        admin.put(
            "/api/v1/insight/settings", json={**rules, "low_score_gesture": "small_attention"}
        ).status_code
        == 200
    )
    _story, case = _resolved_case(db, tenant, START - timedelta(days=3))
    assert send_due_surveys(database=database, now=START - timedelta(days=2, hours=2)) == 0  # not yet
    assert send_due_surveys(database=database, now=START - timedelta(days=2) + 2 * HOUR) == 1
    db.expire_all()
    message, path, token = _survey_link(db, case)
    assert message.subject.startswith("Hoe hebben we het gedaan?")
    assert "Hoe makkelijk was het om uw vraag geregeld te krijgen?" in message.body

    page = app_client.get(path, params={"t": token})
    assert page.status_code == 200 and "Hoe tevreden bent u over onze hulp?" in unescape(page.text)
    csrf = app_client.cookies.get("attent_csrf")
    wrong = app_client.post(path, data={"t": token, "csat": "9", "ces": "3", "csrf": csrf})
    assert wrong.status_code == 422 and 'aria-describedby="csat-error"' in wrong.text
    done = app_client.post(
        path,
        data={"t": token, "csat": "2", "ces": "3", "comment": "<b>Te traag</b>", "csrf": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303
    again = app_client.post(path, data={"t": token, "csat": "5", "ces": "7", "csrf": csrf})
    assert again.status_code in (404, 409)  # the link was used up: nothing is counted twice
    tampered = app_client.get(path, params={"t": token[:-2] + "xx"})
    assert tampered.status_code == 404

    lead = Api(app_client, tenant.tokens["lead"])
    figures = lead.get(
        "/api/v1/insight/surveys", params={"since": "2026-11-01", "until": "2026-11-23"}
    ).json()
    values = figures["total"]["values"]
    assert (values["sent"], values["answered"], values["csat_avg"], values["ces_avg"], values["low"]) == (
        1,
        1,
        2.0,
        3.0,
        1,
    )
    inbox = lead.get("/api/v1/notifications").json()["items"]
    assert any(n["kind"] == "survey.low_score" and n["case_id"] == str(case.id) for n in inbox)
    [gesture] = admin.get("/api/v1/recovery/gestures", params={"case_id": str(case.id)}).json()["items"]
    assert gesture["code"] == "small_attention" and gesture["state"] == "suggested"
    page = _sign_in(app_client, db, tenant.lead)
    customer_page = unescape(page.get(f"/customers/{case.customer_id}").text)
    assert "Wat de klant ons vertelde" in customer_page and "<b>Te traag</b>" in customer_page
    assert "&lt;b&gt;Te traag" in page.get(f"/customers/{case.customer_id}").text  # text, never markup
    stored = db.scalar(select(Survey).where(Survey.case_id == case.id))
    assert stored.comment == "<b>Te traag</b>" and stored.token_hash is None


def test_no_survey_when_the_customer_came_back_or_was_asked_recently(db, database, tenant):
    story, came_back = _resolved_case(db, tenant, START - timedelta(days=5))
    customer_of = lambda case: db.get(type(tenant.customer), (case.organisation_id, case.customer_id))  # noqa: E731
    again = story.case(START - timedelta(days=5) + 3 * HOUR, customer=customer_of(came_back))
    story.contact(again, START - timedelta(days=5) + 3 * HOUR)  # the customer called again, on a new case
    db.commit()
    _story, first = _resolved_case(db, tenant, START - timedelta(days=4))
    assert send_due_surveys(database=database, now=START - timedelta(days=3) + 2 * HOUR) == 1  # `first` only
    second = story.case(START - timedelta(days=2), customer=customer_of(first))
    story.contact(second, START - timedelta(days=2))
    story.resolve(second, START - timedelta(days=2) + HOUR)
    db.commit()
    assert send_due_surveys(database=database, now=START) == 0
    db.expire_all()
    states = {s.case_id: (s.state, s.skip_reason) for s in db.scalars(select(Survey))}
    assert states[first.id] == (SurveyState.SENT, None)
    assert states[came_back.id] == (SurveyState.SKIPPED, "came_back")
    assert states[second.id] == (SurveyState.SKIPPED, "surveyed_recently")


def test_an_expired_link_is_refused_and_counts_nothing(db, app_client, database, tenant, clock):
    _story, case = _resolved_case(db, tenant, START - timedelta(days=3))
    assert send_due_surveys(database=database, now=START - timedelta(days=1)) == 1
    db.expire_all()
    _message, path, token = _survey_link(db, case)
    clock.set(START + timedelta(days=40))
    expired = app_client.get(path, params={"t": token})
    assert expired.status_code == 409 and "Deze enquêtelink is verlopen." in unescape(expired.text)
    csrf = app_client.cookies.get("attent_csrf")
    assert app_client.post(path, data={"t": token, "csat": "5", "ces": "7", "csrf": csrf}).status_code == 409
    db.expire_all()
    assert db.scalar(select(Survey).where(Survey.case_id == case.id)).state is SurveyState.SENT


LOW_SCORE_RULE = {
    "key": "recover-low-score",
    "name": "A low score: a small attention and a call-back",
    "when": {"signal": "survey.scored_low"},
    "if": [{"field": "signal.csat", "op": "lte", "value": 2}],
    "then": [  # the signal names its case: no open_case needed before make_promise
        {"do": "suggest_gesture", "reason": "Low CSAT", "gesture": "small_attention"},
        {"do": "make_promise", "kind": "callback", "due_in": "1d", "words": "We bellen u morgen."},
    ],
}


def _answer(app_client, db, database, tenant, at, csat, ces):
    _story, case = _resolved_case(db, tenant, at)
    assert send_due_surveys(database=database, now=at + timedelta(days=1, hours=2)) == 1
    db.expire_all()
    _message, path, token = _survey_link(db, case)
    app_client.get(path, params={"t": token})
    csrf = app_client.cookies.get("attent_csrf")
    done = app_client.post(
        path, data={"t": token, "csat": str(csat), "ces": str(ces), "csrf": csrf}, follow_redirects=False
    )
    assert done.status_code == 303, done.text
    return case


def test_a_low_score_triggers_the_organisations_rule_on_its_case(db, app_client, database, tenant, clock):
    from attent.promises.models import Promise
    from attent.recovery.models import Gesture
    from attent.signals.jobs import evaluate_signals
    from attent.signals.models import RuleFiring, Signal
    from tests.integration.rulebooks import document

    admin = Api(app_client, tenant.tokens["admin"])
    saved = admin.put("/api/v1/rules", json=document(LOW_SCORE_RULE, quiet_hours=None))
    assert saved.status_code == 200, saved.text
    low = _answer(app_client, db, database, tenant, START - timedelta(days=6), csat=1, ces=5)
    hard = _answer(app_client, db, database, tenant, START - timedelta(days=4), csat=4, ces=2)
    happy = _answer(app_client, db, database, tenant, START - timedelta(days=3), csat=5, ces=7)
    db.expire_all()
    signals = {s.attributes["case_id"]: s for s in db.scalars(select(Signal))}
    assert set(signals) == {str(low.id), str(hard.id)}  # a happy answer raises nothing
    assert signals[str(low.id)].type == "survey.scored_low" and signals[str(low.id)].source == "attent"
    assert (signals[str(hard.id)].attributes["csat"], signals[str(hard.id)].attributes["ces"]) == (4, 2)
    evaluate_signals(database=database, now=clock.now())
    db.expire_all()
    [firing] = db.scalars(select(RuleFiring))  # the rule asks csat <= 2: the hard-but-satisfied one is left
    assert firing.state.value == "fired" and firing.case_id == low.id
    [gesture] = db.scalars(select(Gesture))
    assert (gesture.case_id, gesture.code, gesture.state.value) == (low.id, "small_attention", "suggested")
    [promise] = db.scalars(select(Promise).where(Promise.case_id == low.id))
    assert promise.kind.value == "callback" and promise.words == "We bellen u morgen."
    assert not list(db.scalars(select(Promise).where(Promise.case_id.in_([hard.id, happy.id]))))


def test_a_rule_on_low_scores_may_act_on_the_case_but_others_need_open_case(admin_api):
    from tests.integration.rulebooks import document

    promise = {"do": "make_promise", "kind": "callback", "due_in": "1d"}
    fine = admin_api.put("/api/v1/rules", json=document({**LOW_SCORE_RULE, "then": [promise]}))
    assert fine.status_code == 200, fine.text
    other = {**LOW_SCORE_RULE, "when": {"signal": "delivery.failed"}, "if": [], "then": [promise]}
    refused = admin_api.put("/api/v1/rules", json=document(other))
    assert refused.status_code == 422 and "open_case" in refused.text
