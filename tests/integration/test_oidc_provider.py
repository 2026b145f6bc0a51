"""The test provider (tests/oidc_provider.py, Authlib's server side) is strict where a real one is: if it
let a wrong PKCE verifier, a used code, a wrong client secret or an unregistered redirect address
through, the single sign-on tests would pass against a provider no organisation runs."""

import base64
import hashlib
import secrets
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider

CALLBACK = "http://testserver/signin/sso/callback"


@pytest.fixture
def provider():
    with Provider(now=time.time, redirect_uris=[CALLBACK]) as running:
        running.user = {"sub": "u-1", "email": "agent@kopje-koffie.example", "email_verified": True}
        yield running


def _authorize(provider, **changes):
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = {
        "response_type": "code", "client_id": CLIENT_ID, "redirect_uri": CALLBACK,
        "scope": "openid email", "state": "st-1", "nonce": secrets.token_urlsafe(12),
        "code_challenge": challenge, "code_challenge_method": "S256", **changes,
    }  # fmt: skip
    answer = requests.get(f"{provider.issuer}/authorize", params=query, allow_redirects=False, timeout=5)
    return answer, verifier


def _code(answer):
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
    return {k: v[0] for k, v in parse_qs(back.query).items()}


def _exchange(provider, code, verifier, secret=CLIENT_SECRET):
    return requests.post(
        f"{provider.issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "code_verifier": verifier,
        },
        auth=(CLIENT_ID, secret),
        timeout=5,
    )


def test_a_code_with_its_verifier_gives_an_id_token_the_jwks_verifies_once(provider):
    discovery = requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=5).json()
    assert discovery["issuer"] == provider.issuer and discovery["code_challenge_methods_supported"] == [
        "S256"
    ]
    answer, verifier = _authorize(provider, nonce="n-1")
    back = _code(answer)
    assert back["state"] == "st-1"
    tokens = _exchange(provider, back["code"], verifier)
    assert tokens.status_code == 200, tokens.text
    keys = KeySet.import_key_set(requests.get(discovery["jwks_uri"], timeout=5).json())
    claims = jwt.decode(tokens.json()["id_token"], keys, algorithms=["RS256"]).claims
    assert claims["iss"] == provider.issuer and claims["aud"] == CLIENT_ID and claims["nonce"] == "n-1"
    assert claims["sub"] == "u-1" and claims["email"] == "agent@kopje-koffie.example"
    again = _exchange(provider, back["code"], verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_a_wrong_verifier_or_client_secret_gets_no_token(provider):
    answer, _verifier = _authorize(provider)
    wrong = _exchange(provider, _code(answer)["code"], secrets.token_urlsafe(48))
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    answer, verifier = _authorize(provider)
    stranger = _exchange(provider, _code(answer)["code"], verifier, secret="not-the-secret")
    assert stranger.status_code == 401 and stranger.json()["error"] == "invalid_client"


def test_an_unregistered_address_or_a_request_without_pkce_or_nonce_is_refused(provider):
    elsewhere, _ = _authorize(provider, redirect_uri="http://evil.example/cb")
    assert elsewhere.status_code == 400 and "location" not in elsewhere.headers  # never sent there
    for missing in ("code_challenge", "nonce"):
        answer, _ = _authorize(provider, **{missing: ""})
        assert _code(answer)["error"] == "invalid_request"
