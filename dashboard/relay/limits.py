"""Rate limits of the relay: per client address, then per invitation token.

Moving windows in memory (the ``limits`` library, through ``dashboard/ratelimits.py``), per relay
process: a relay behind a load balancer with several processes multiplies them (the README says so).

Memory stays bounded whatever the number of distinct tokens tried: the client's limit is checked
first, and a token's window is only stored for an open its client was allowed. A client address
is allowed PER_CLIENT_OPENS.amount opens a minute, so within a token's ten-minute window it can
leave at most 30 × 10 = 300 token keys behind, plus its own two keys; every key goes once its
window is empty. What the limiter holds is thus at most ~302 small keys per client address active
in the last ten minutes, however many garbage tokens one client sends.
"""

from __future__ import annotations

from limits import RateLimitItem, RateLimitItemPerMinute

from ..ratelimits import Windows

# An IT admin opens an invitation a few times a day; a script trying tokens opens thousands.
PER_TOKEN = RateLimitItemPerMinute(10, 10)
PER_CLIENT_OPENS = RateLimitItemPerMinute(30, 1, namespace="OPENS")
PER_CLIENT_PAGES = RateLimitItemPerMinute(120, 1, namespace="PAGES")


class RateLimiter:
    def __init__(self) -> None:
        self._windows = Windows()

    def page(self, client: str) -> float:
        """A GET of the interstitial: 0 if allowed, else the seconds to wait."""
        return self._windows.hit(PER_CLIENT_PAGES, "client " + client)

    def open(self, client: str, token: str) -> float:
        """A POST: the client's limit first, so a refused client stores nothing for the token."""
        return self._windows.hit(PER_CLIENT_OPENS, "client " + client) or self._windows.hit(
            PER_TOKEN, "token " + token
        )

    def hit(self, limit: RateLimitItem, key: str) -> float:
        return self._windows.hit(limit, key)

    def keys(self) -> list[str]:
        return self._windows.keys()

    @property
    def stored_keys(self) -> int:
        """How many windows the limiter holds (the flood test's memory measure)."""
        return self._windows.stored_keys
