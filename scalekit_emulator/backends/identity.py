"""An OpenID Connect provider for a team's own sign-in, as Scalekit's environments serve one.

Scalekit is an identity provider too: an environment serves discovery, ``/oauth/authorize``,
``/oauth/token``, ``/userinfo``, ``/keys`` and ``/oidc/logout`` (the paths the SDK uses). Here
its users are a seeded staff directory (reps, a manager, an admin) picked on the authorize page,
and its clients are registered when the emulator starts.

No kinder than a real provider: redirect URIs match exactly; only the authorization-code flow,
with ``openid`` in the scope; PKCE required, S256 only (``plain`` is refused), the verifier checked;
a code is single-use and lives ten minutes, with one redemption per request; the client
authenticates (``client_secret_basic`` or ``_post``); ID tokens are RS256-signed with the key in
``/keys`` and carry the nonce; a logout returns only to a registered address.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CODE_TTL = dt.timedelta(minutes=10)
REQUEST_TTL = dt.timedelta(minutes=10)
TOKEN_TTL = dt.timedelta(hours=1)
SCOPES = ("openid", "email", "profile", "offline_access")


@dataclass(frozen=True)
class StaffMember:
    """A person of the team that signs in to the product (Portal Desk) through this environment."""

    user_id: str
    email: str
    name: str
    roles: tuple[str, ...]


DEFAULT_STAFF = (
    StaffMember("usr_ana", "ana.silva@portaldesk.example", "Ana Silva", ("rep",)),
    StaffMember("usr_ben", "ben.okafor@portaldesk.example", "Ben Okafor", ("rep",)),
    StaffMember("usr_chloe", "chloe.martin@portaldesk.example", "Chloe Martin", ("rep",)),
    StaffMember("usr_maya", "maya.chen@portaldesk.example", "Maya Chen", ("manager",)),
    StaffMember("usr_omar", "omar.haddad@portaldesk.example", "Omar Haddad", ("admin",)),
)


@dataclass(frozen=True)
class OidcClient:
    client_id: str
    client_secret: str = field(repr=False)
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> OidcClient:
        def strings(key: str) -> tuple[str, ...]:
            value = data.get(key) or ()
            return tuple(str(v) for v in value) if isinstance(value, list | tuple) else (str(value),)

        return cls(
            client_id=str(data["client_id"]),
            client_secret=str(data["client_secret"]),
            redirect_uris=strings("redirect_uris"),
            post_logout_redirect_uris=strings("post_logout_redirect_uris"),
        )


class OidcError(Exception):
    """An OAuth error: ``error`` is its code (RFC 6749 §4.1.2.1, §5.2), ``description`` a sentence.
    ``redirect`` says whether it may go back to the client (never for a bad client or redirect URI)."""

    def __init__(self, error: str, description: str, *, redirect: bool = True, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.redirect, self.status = error, description, redirect, status


@dataclass(frozen=True)
class AuthorizationRequest:
    id: str
    client_id: str
    redirect_uri: str
    scope: tuple[str, ...]
    state: str
    nonce: str
    code_challenge: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class _Grant:
    request: AuthorizationRequest
    staff: StaffMember
    auth_time: dt.datetime
    expires_at: dt.datetime


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int_bytes(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


class IdentityProvider:
    def __init__(
        self,
        clock: Callable[[], dt.datetime],
        staff: Sequence[StaffMember] = DEFAULT_STAFF,
        clients: Sequence[OidcClient] = (),
    ) -> None:
        self.issuer = ""  # set once the portal port listens
        self._clock = clock
        self.staff = {person.user_id: person for person in staff}
        self._clients = {client.client_id: client for client in clients}
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.key_id = "key_" + secrets.token_hex(8)
        self._lock = threading.Lock()
        self._requests: dict[str, AuthorizationRequest] = {}
        self._codes: dict[str, _Grant] = {}
        self._tokens: dict[str, tuple[StaffMember, dt.datetime]] = {}

    def register(self, client: OidcClient) -> None:
        with self._lock:
            self._clients[client.client_id] = client

    # -- metadata ----------------------------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        base = self.issuer
        return {
            "issuer": base,
            "authorization_endpoint": f"{base}/oauth/authorize",
            "token_endpoint": f"{base}/oauth/token",
            "userinfo_endpoint": f"{base}/userinfo",
            "jwks_uri": f"{base}/keys",
            "end_session_endpoint": f"{base}/oidc/logout",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": list(SCOPES),
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "email", "email_verified", "name", "roles", "nonce", "sid"],
        }

    def jwks(self) -> dict[str, Any]:
        numbers = self._key.public_key().public_numbers()
        key = {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.key_id}
        return {"keys": [{**key, "n": b64url(_int_bytes(numbers.n)), "e": b64url(_int_bytes(numbers.e))}]}

    # -- authorize ---------------------------------------------------------------------------

    def _client(self, client_id: str) -> OidcClient:
        client = self._clients.get(client_id)
        if client is None:
            raise OidcError("invalid_client", "This application is not registered here.", redirect=False)
        return client

    def authorize(self, params: Mapping[str, str]) -> AuthorizationRequest:
        """Validate an authorization request; kept server-side until a person is picked."""
        client = self._client(params.get("client_id", ""))
        redirect_uri = params.get("redirect_uri", "")
        if redirect_uri not in client.redirect_uris:
            raise OidcError(
                "invalid_request", "The redirect URI is not registered for this application.", redirect=False
            )
        if params.get("response_type") != "code":
            raise OidcError("unsupported_response_type", "Only response_type=code is supported.")
        scope = tuple(params.get("scope", "").split())
        if "openid" not in scope:
            raise OidcError("invalid_scope", "The scope must include openid.")
        if unknown := [s for s in scope if s not in SCOPES]:
            raise OidcError("invalid_scope", f"Unknown scope: {unknown[0]}.")
        challenge, method = params.get("code_challenge", ""), params.get("code_challenge_method", "")
        if not challenge:  # as a provider for public and confidential clients alike should (OAuth 2.1)
            raise OidcError("invalid_request", "PKCE is required: send a code_challenge with method S256.")
        if method != "S256":  # no method means plain (RFC 7636), which is refused too
            raise OidcError("invalid_request", "Only the S256 code challenge method is supported.")
        request = AuthorizationRequest(
            id="req_" + secrets.token_urlsafe(16),
            client_id=client.client_id,
            redirect_uri=redirect_uri,
            scope=scope,
            state=params.get("state", ""),
            nonce=params.get("nonce", ""),
            code_challenge=challenge,
            expires_at=self._clock() + REQUEST_TTL,
        )
        with self._lock:
            self._forget_expired()
            self._requests[request.id] = request
        return request

    def pending(self, request_id: str) -> AuthorizationRequest:
        with self._lock:
            request = self._requests.get(request_id)
        if request is None or request.expires_at <= self._clock():
            raise OidcError("invalid_request", "This sign-in page has expired: start again.", redirect=False)
        return request

    def choose(self, request_id: str, user_id: str) -> tuple[AuthorizationRequest, str]:
        """The person picked: a one-time code for the client (the request is used up)."""
        request = self.pending(request_id)
        staff = self.staff.get(user_id)
        if staff is None:
            raise OidcError(
                "access_denied", "That person is not in this environment's directory.", redirect=False
            )
        now = self._clock()
        code = secrets.token_urlsafe(32)
        with self._lock:
            if self._requests.pop(request_id, None) is None:
                raise OidcError("invalid_request", "This sign-in was completed already.", redirect=False)
            self._codes[code] = _Grant(request, staff, now, now + CODE_TTL)
        return request, code

    # -- token -------------------------------------------------------------------------------

    def authenticate_client(self, basic: tuple[str, str] | None, form: Mapping[str, str]) -> OidcClient:
        client_id, secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
        client = self._clients.get(client_id)
        if client is None or not hmac.compare_digest(client.client_secret.encode(), secret.encode()):
            raise OidcError("invalid_client", "Client authentication failed.", redirect=False, status=401)
        return client

    def exchange(self, client: OidcClient, form: Mapping[str, str]) -> dict[str, Any]:
        if form.get("grant_type") != "authorization_code":
            raise OidcError("unsupported_grant_type", "Only the authorization_code grant is supported.")
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)  # single use, even when refused below
        now = self._clock()
        if grant is None or grant.expires_at <= now:
            raise OidcError("invalid_grant", "The authorization code is invalid, used or expired.")
        request = grant.request
        if request.client_id != client.client_id or form.get("redirect_uri") != request.redirect_uri:
            raise OidcError("invalid_grant", "The code was issued to another client or redirect URI.")
        verifier = form.get("code_verifier", "")
        digest = b64url(hashlib.sha256(verifier.encode()).digest())
        if not verifier or not hmac.compare_digest(digest, request.code_challenge):
            raise OidcError("invalid_grant", "The PKCE code verifier does not match the challenge.")
        access_token = "at_" + secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[access_token] = (grant.staff, now + TOKEN_TTL)
        return {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": int(TOKEN_TTL.total_seconds()),
            "scope": " ".join(request.scope),
            "id_token": self._id_token(grant, access_token, now),
        }

    def _id_token(self, grant: _Grant, access_token: str, now: dt.datetime) -> str:
        person = grant.staff
        claims: dict[str, object] = {
            "iss": self.issuer,
            "sub": person.user_id,
            "aud": grant.request.client_id,
            "iat": int(now.timestamp()),
            "exp": int((now + TOKEN_TTL).timestamp()),
            "auth_time": int(grant.auth_time.timestamp()),
            "sid": "ses_" + secrets.token_hex(8),
            "at_hash": b64url(hashlib.sha256(access_token.encode()).digest()[:16]),
            **self.claims(person, grant.request.scope),
        }
        if grant.request.nonce:
            claims["nonce"] = grant.request.nonce
        return self.sign(claims)

    @staticmethod
    def claims(person: StaffMember, scope: Sequence[str]) -> dict[str, object]:
        found: dict[str, object] = {"sub": person.user_id, "roles": list(person.roles)}
        if "email" in scope:
            found.update(email=person.email, email_verified=True)
        if "profile" in scope:
            found["name"] = person.name
        return found

    def sign(self, claims: Mapping[str, object]) -> str:
        return jwt.encode(dict(claims), self._key, algorithm="RS256", headers={"kid": self.key_id})

    def userinfo(self, access_token: str) -> dict[str, Any]:
        with self._lock:
            found = self._tokens.get(access_token)
        if found is None or found[1] <= self._clock():
            raise OidcError(
                "invalid_token", "The access token is invalid or expired.", redirect=False, status=401
            )
        return self.claims(found[0], SCOPES)

    # -- logout ------------------------------------------------------------------------------

    def logout(self, params: Mapping[str, str]) -> str | None:
        """Where to send the browser after signing out: a registered address, or None (a page)."""
        target = params.get("post_logout_redirect_uri", "")
        if not target:
            return None
        client = self._client(params.get("client_id", ""))
        if target not in client.post_logout_redirect_uris:
            raise OidcError(
                "invalid_request",
                "That address is not registered for returning after sign-out.",
                redirect=False,
            )
        return target

    def _forget_expired(self) -> None:
        now = self._clock()
        self._requests = {k: v for k, v in self._requests.items() if v.expires_at > now}
        self._codes = {k: v for k, v in self._codes.items() if v.expires_at > now}
        self._tokens = {k: v for k, v in self._tokens.items() if v[1] > now}
