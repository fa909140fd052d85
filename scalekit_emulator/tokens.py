"""Access tokens, signed as Scalekit signs them (RS256 JWTs, keys at /keys).

An API client gets a client-credentials token from ``/oauth/token``. Scalekit's own dashboard
calls the same API with a workspace session instead; the control API mints such tokens for tests,
so that methods reserved to the dashboard can be shown to work for it and to refuse API clients.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from .descriptors import CLIENT, WORKSPACE

_KINDS: dict[str, int] = {"client": CLIENT, "workspace": WORKSPACE}


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int  # whole seconds, as the token endpoint answers


class InvalidClient(Exception):
    """Wrong client id or secret: the token endpoint answers 401 invalid_client."""


class TokenAuthority:
    def __init__(self, *, issuer: str, client_id: str, client_secret: str, ttl_seconds: float) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self._client_secret = client_secret
        self.ttl_seconds = ttl_seconds
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._kid = f"snk_{secrets.token_hex(8)}"
        self._generation = 0
        self._verified: dict[str, tuple[float, int, int]] = {}
        self._lock = threading.Lock()

    def issue(self, client_id: str, client_secret: str) -> IssuedToken:
        # Compare in constant time, as any credential check should.
        id_ok = hmac.compare_digest(client_id.encode(), self.client_id.encode())
        secret_ok = hmac.compare_digest(client_secret.encode(), self._client_secret.encode())
        if not (id_ok and secret_ok):
            raise InvalidClient("client authentication failed")
        return self._sign(client_id, "client")

    def issue_workspace(self, subject: str = "workspace-admin") -> IssuedToken:
        """A dashboard (workspace) session's token: what Scalekit's own dashboard calls with."""
        return self._sign(subject, "workspace")

    def _sign(self, subject: str, kind: str) -> IssuedToken:
        now = time.time()
        claims = {
            "iss": self.issuer,
            "sub": subject,
            "kind": kind,
            "iat": int(now),
            # Fractional expiry: token TTLs of a second or two are what the re-auth tests use.
            "exp": now + self.ttl_seconds,
            "jti": secrets.token_hex(8),
            "gen": self._generation,
        }
        if kind == "client":
            claims["client_id"] = subject
        token = jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self._kid})
        return IssuedToken(access_token=token, expires_in=int(self.ttl_seconds))

    def caller(self, token: str) -> int | None:
        """The caller kind (an AuthenticationType bit) of a valid token; None if it is not valid."""
        # Verifying an RS256 signature on every RPC would cap the emulator's throughput; a token
        # checked once is remembered with its expiry (and forgotten when expire_all() runs).
        known = self._verified.get(token)
        if known is not None:
            expires_at, generation, kind = known
            return kind if generation == self._generation and time.time() < expires_at else None
        try:
            claims = jwt.decode(
                token,
                self._key.public_key(),
                algorithms=["RS256"],
                issuer=self.issuer,
                options={"require": ["exp", "iat", "sub"]},
                leeway=0,
            )
        except jwt.PyJWTError:
            return None
        caller = _KINDS.get(str(claims.get("kind")))
        if claims.get("gen") != self._generation or caller is None:
            return None
        self._verified[token] = (float(claims["exp"]), self._generation, caller)
        return caller

    def expire_all(self) -> None:
        """Invalidate every token issued so far, as if each had reached its expiry."""
        with self._lock:
            self._generation += 1
            self._verified.clear()

    def jwks(self) -> dict[str, Any]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self._kid, "use": "sig", "alg": "RS256"}]}
