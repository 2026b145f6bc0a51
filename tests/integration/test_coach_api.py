"""POST /api/v1/coach/score: JSON messages or plain text in, scorecard out; bad input is a clear 4xx."""

from tests.conftest import Api

TRANSCRIPT = (
    "[00:00] Klant: mijn pakket is nooit aangekomen en ik heb morgen gasten\n"
    "[00:10] Agent: Wat vervelend, en dat terwijl u morgen gasten heeft. Mag ik uw ordernummer? "
    "Dan zoek ik het meteen op.\n"
    "[00:20] Klant: 4411\n"
    "[00:25] Agent: Ik bel u binnen een kwartier terug. Kan ik u verder nog ergens mee helpen?\n"
)


def _verdicts(body):
    return {v["behaviour"]: v["result"] for v in body["verdicts"]}


def test_plain_text_gets_a_scorecard_with_evidence_and_promises(api: Api):
    response = api.post(
        "/api/v1/coach/score?started_at=2026-03-04T10:00:00%2B01:00&language=en",
        content=TRANSCRIPT.encode(),
        headers={"Content-Type": "text/plain; charset=utf-8"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["language"] == "nl" and body["lines"] == 4
    assert _verdicts(body)["explains_why"] == "met"
    empathy = next(v for v in body["verdicts"] if v["behaviour"] == "empathy")
    assert empathy["lines"] == [1] and "customer" in empathy["reason"]
    assert body["promises"] == [
        {
            "line": 3,
            "kind": "callback",
            "due_at": "2026-03-04T10:15:25+01:00",
            "words": body["promises"][0]["words"],
        }
    ]


def test_json_messages_with_times_are_scored_in_the_agents_language(api: Api):
    messages = [
        {"speaker": "customer", "text": "Where is my parcel?", "at": "2026-03-04T09:00:00Z"},
        {"speaker": "agent", "text": "One moment.", "at": "2026-03-04T09:00:05Z"},
        {"speaker": "agent", "text": "Found it.", "at": "2026-03-04T09:01:30Z"},
    ]
    response = api.post("/api/v1/coach/score", json={"messages": messages})
    assert response.status_code == 200, response.text
    body = response.json()
    assert _verdicts(body)["no_silent_hold"] == "missed"
    hold = next(v for v in body["verdicts"] if v["behaviour"] == "no_silent_hold")
    assert hold["lines"] == [2] and hold["reason"].startswith("Wacht")  # the agent's language is Dutch


def test_empty_and_agentless_transcripts_get_an_empty_but_valid_scorecard(api: Api):
    for response in (
        api.post("/api/v1/coach/score", json={"messages": []}),
        api.post("/api/v1/coach/score", content=b"", headers={"Content-Type": "text/plain"}),
        api.post("/api/v1/coach/score", json={"messages": [{"speaker": "customer", "text": "hallo?"}]}),
    ):
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(_verdicts(body).values()) == {"na"} and body["promises"] == []


def test_bad_input_is_a_clear_4xx_never_a_500(api: Api):
    unknown = api.post(
        "/api/v1/coach/score", content=b"Agent: hoi\nManager: wie?", headers={"Content-Type": "text/plain"}
    )
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_speaker"
    assert "Regel 2" in unknown.json()["detail"]  # in the agent's language
    speaker = api.post("/api/v1/coach/score", json={"messages": [{"speaker": "boss", "text": "x"}]})
    assert speaker.status_code == 422 and speaker.json()["errors"][0]["pointer"] == "/messages/0/speaker"
    extra = api.post("/api/v1/coach/score", json={"messages": [], "mood": "sunny"})
    assert extra.status_code == 422 and "Onbekend veld" in extra.json()["errors"][0]["message"]
    junk = api.post(
        "/api/v1/coach/score", content=bytes(range(1, 256)) * 8, headers={"Content-Type": "text/plain"}
    )
    assert junk.status_code == 422 and junk.json()["code"] == "transcript_not_text"
    nul = api.post("/api/v1/coach/score", content=bytes(range(256)), headers={"Content-Type": "text/plain"})
    assert nul.status_code == 422 and nul.json()["code"] == "nul_character"  # refused at the edge
    not_json = api.post("/api/v1/coach/score", content=b"{nope", headers={"Content-Type": "application/json"})
    assert not_json.status_code == 400 and not_json.headers["content-type"] == "application/problem+json"
    huge = api.post(
        "/api/v1/coach/score",
        content=b"Agent: " + b"a" * (5 * 1024 * 1024),
        headers={"Content-Type": "text/plain"},
    )
    assert huge.status_code == 413  # the app's body limit, before anything parses
    zone = api.post("/api/v1/coach/score", json={"messages": [], "timezone": "Mars/Olympus"})
    assert zone.status_code == 422 and zone.json()["code"] == "unknown_timezone"


def test_scoring_needs_a_signed_in_agent(app_client):
    assert app_client.post("/api/v1/coach/score", json={"messages": []}).status_code == 401
