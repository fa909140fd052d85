"""The emulator's OpenID Connect provider, driven by Authlib (the client library st.login uses):
the authorization-code flow with PKCE, ID tokens verified against the published keys, and each
refusal a real provider makes. A browser signs in through it in tests/browser."""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

from scalekit_emulator import Emulator
from scalekit_emulator.backends.identity import OidcClient

REDIRECT = "http://localhost:8501/oauth2callback"
CLIENT = OidcClient("portal-desk-test", "s3cret-" + secrets.token_hex(8), (REDIRECT,), (REDIRECT,))
BASE = {"client_id": CLIENT.client_id, "redirect_uri": REDIRECT, "response_type": "code", "scope": "openid"}


@pytest.fixture(scope="module")
def provider(emulator: Emulator) -> str:
    emulator.identity.register(CLIENT)
    return emulator.portal_url


def session(secret: str = CLIENT.client_secret) -> OAuth2Session:
    return OAuth2Session(
        CLIENT.client_id,
        secret,
        scope="openid email profile",
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
    )


def authorize(base: str, browser: requests.Session, verifier: str, **extra: str) -> requests.Response:
    """Open the authorize URL as a browser would (no redirects followed)."""
    url, _ = session().create_authorization_url(
        f"{base}/oauth/authorize", code_verifier=verifier, nonce="n-0S6_WzA2Mj", state="st-1", **extra
    )
    return browser.get(url, allow_redirects=False, timeout=5)


def pick(base: str, browser: requests.Session, page: requests.Response, person: str) -> dict[str, list[str]]:
    """Click a person on the chooser; returns the query the browser is sent back with."""
    request_id = page.text.split("name='request' value='", 1)[1].split("'", 1)[0]
    answer = browser.post(
        f"{base}/oauth/authorize",
        data={"request": request_id, "user": person},
        allow_redirects=False,
        timeout=5,
    )
    assert answer.status_code == 302 and answer.headers["Location"].startswith(REDIRECT + "?")
    return parse_qs(urlsplit(answer.headers["Location"]).query)


def test_discovery_advertises_s256_and_the_endpoints(provider: str) -> None:
    meta = requests.get(f"{provider}/.well-known/openid-configuration", timeout=5).json()
    assert meta["issuer"] == provider
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert {
        meta[k].removeprefix(provider) for k in ("authorization_endpoint", "token_endpoint", "jwks_uri")
    } == {
        "/oauth/authorize",
        "/oauth/token",
        "/keys",
    }


def test_a_manager_signs_in_with_pkce_and_the_id_token_verifies(provider: str) -> None:
    browser, verifier = requests.Session(), secrets.token_urlsafe(48)
    page = authorize(provider, browser, verifier)
    assert (
        page.status_code == 200 and "Maya Chen" in page.text and "frame-ancestors 'none'" in str(page.headers)
    )
    back = pick(provider, browser, page, "usr_maya")
    assert back["state"] == ["st-1"]
    token = session().fetch_token(
        f"{provider}/oauth/token", code=back["code"][0], code_verifier=verifier, timeout=5
    )
    keys = KeySet.import_key_set(requests.get(f"{provider}/keys", timeout=5).json())
    decoded = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
    expected = {
        "iss": {"essential": True, "value": provider},
        "aud": {"essential": True, "value": CLIENT.client_id},
    }
    jwt.JWTClaimsRegistry(**expected).validate(decoded.claims)  # and exp, iat
    claims = decoded.claims
    assert (claims["email"], claims["name"], claims["roles"], claims["nonce"]) == (
        "maya.chen@portaldesk.example",
        "Maya Chen",
        ["manager"],
        "n-0S6_WzA2Mj",
    )
    info = requests.get(
        f"{provider}/userinfo", headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=5
    )
    assert info.json()["email"] == "maya.chen@portaldesk.example"


def test_a_code_opens_once_and_only_with_its_verifier(provider: str) -> None:
    browser, verifier = requests.Session(), secrets.token_urlsafe(48)
    code = pick(provider, browser, authorize(provider, browser, verifier), "usr_ana")["code"][0]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    auth = (CLIENT.client_id, CLIENT.client_secret)
    wrong = requests.post(
        f"{provider}/oauth/token", data={**form, "code_verifier": "x" * 50}, auth=auth, timeout=5
    )
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_grant")
    # A refused redemption uses the code up too: an intercepted code cannot be tried again.
    again = requests.post(
        f"{provider}/oauth/token", data={**form, "code_verifier": verifier}, auth=auth, timeout=5
    )
    assert again.json()["error"] == "invalid_grant"


def test_a_code_expires_after_ten_minutes(provider: str, emulator: Emulator) -> None:
    browser, verifier = requests.Session(), secrets.token_urlsafe(48)
    code = pick(provider, browser, authorize(provider, browser, verifier), "usr_ben")["code"][0]
    emulator.control.advance_clock(601)
    late = requests.post(
        f"{provider}/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
        auth=(CLIENT.client_id, CLIENT.client_secret),
        timeout=5,
    )
    assert late.json()["error"] == "invalid_grant"


def test_the_client_must_authenticate(provider: str) -> None:
    browser, verifier = requests.Session(), secrets.token_urlsafe(48)
    code = pick(provider, browser, authorize(provider, browser, verifier), "usr_ana")["code"][0]
    refused = requests.post(
        f"{provider}/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
        auth=(CLIENT.client_id, "not-the-secret"),
        timeout=5,
    )
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")


def test_an_unregistered_redirect_is_never_followed(provider: str) -> None:
    page = requests.get(
        f"{provider}/oauth/authorize",
        params={**BASE, "redirect_uri": "https://evil.example/cb"},
        allow_redirects=False,
        timeout=5,
    )
    assert page.status_code == 400 and "Location" not in page.headers and "not registered" in page.text


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"scope": "email"}, "invalid_scope"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": None, "code_challenge_method": None}, "invalid_request"),  # PKCE is required
        ({"code_challenge_method": None}, "invalid_request"),  # no method means plain (RFC 7636)
        ({"response_type": "token"}, "unsupported_response_type"),
    ],
)
def test_a_bad_request_goes_back_to_the_client_as_an_error(provider: str, change: dict, error: str) -> None:
    params = {**BASE, "state": "st-2", "code_challenge": "abc", "code_challenge_method": "S256", **change}
    answer = requests.get(f"{provider}/oauth/authorize", params=params, allow_redirects=False, timeout=5)
    back = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert answer.status_code == 302 and back["error"] == [error] and back["state"] == ["st-2"]


def test_logout_returns_only_to_a_registered_address(provider: str) -> None:
    home = requests.get(
        f"{provider}/oidc/logout",
        params={"client_id": CLIENT.client_id, "post_logout_redirect_uri": REDIRECT},
        allow_redirects=False,
        timeout=5,
    )
    assert home.status_code == 302 and home.headers["Location"] == REDIRECT
    away = requests.get(
        f"{provider}/oidc/logout",
        params={"client_id": CLIENT.client_id, "post_logout_redirect_uri": "https://evil.example/"},
        allow_redirects=False,
        timeout=5,
    )
    assert away.status_code == 400 and "Location" not in away.headers
