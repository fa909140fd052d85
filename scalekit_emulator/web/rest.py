"""The REST endpoints the SDK reaches on the environment URL (behind the TLS front):
``POST /oauth/token`` (client credentials) and ``GET /keys`` (the JWKS of the token signer)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from ..tokens import InvalidClient, TokenAuthority
from .base import BaseHandler


class RestHandler(BaseHandler):
    @property
    def tokens(self) -> TokenAuthority:
        tokens: TokenAuthority = self.server.app
        return tokens

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        if urlsplit(self.path).path != "/oauth/token":
            return self._json(404, {"error": "not_found"})
        form = {k: v[0] for k, v in parse_qs(self._body().decode()).items()}
        if form.get("grant_type") != "client_credentials":
            return self._json(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "only client_credentials is supported",
                },
            )
        try:
            token = self.tokens.issue(form.get("client_id", ""), form.get("client_secret", ""))
        except InvalidClient:
            return self._json(
                401, {"error": "invalid_client", "error_description": "client authentication failed"}
            )
        self._json(
            200, {"access_token": token.access_token, "token_type": "Bearer", "expires_in": token.expires_in}
        )

    def do_GET(self) -> None:  # noqa: N802
        if urlsplit(self.path).path == "/keys":
            return self._json(200, self.tokens.jwks())
        self._json(404, {"error": "not_found"})
