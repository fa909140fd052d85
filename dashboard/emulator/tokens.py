"""OAuth client-credentials tokens, signed as Scalekit signs them (RS256 JWTs, keys at /keys)."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int


class InvalidClient(Exception):
    """Wrong client id or secret: the token endpoint answers 401 invalid_client."""


class TokenAuthority:
    def __init__(self, *, issuer: str, client_id: str, client_secret: str, ttl_seconds: int) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self._client_secret = client_secret
        self.ttl_seconds = ttl_seconds
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._kid = f"snk_{secrets.token_hex(8)}"
        self._generation = 0
        self._verified: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def issue(self, client_id: str, client_secret: str) -> IssuedToken:
        # Compare in constant time, as any credential check should.
        id_ok = hmac.compare_digest(client_id.encode(), self.client_id.encode())
        secret_ok = hmac.compare_digest(client_secret.encode(), self._client_secret.encode())
        if not (id_ok and secret_ok):
            raise InvalidClient("client authentication failed")
        now = time.time()
        claims = {
            "iss": self.issuer,
            "sub": client_id,
            "client_id": client_id,
            "iat": int(now),
            # Fractional expiry: token TTLs of a second or two are what the re-auth tests use.
            "exp": now + self.ttl_seconds,
            "jti": secrets.token_hex(8),
            "gen": self._generation,
        }
        token = jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self._kid})
        return IssuedToken(access_token=token, expires_in=self.ttl_seconds)

    def is_valid(self, token: str) -> bool:
        # Verifying an RS256 signature on every RPC would cap the emulator's throughput; a token
        # checked once is remembered with its expiry (and forgotten when expire_all() runs).
        known = self._verified.get(token)
        if known is not None:
            expires_at, generation = known
            return generation == self._generation and time.time() < expires_at
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
            return False
        if claims.get("gen") != self._generation:
            return False
        self._verified[token] = (float(claims["exp"]), self._generation)
        return True

    def expire_all(self) -> None:
        """Invalidate every token issued so far, as if each had reached its expiry."""
        with self._lock:
            self._generation += 1
            self._verified.clear()

    def jwks(self) -> dict:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self._kid, "use": "sig", "alg": "RS256"}]}
