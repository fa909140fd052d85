"""State and rules of an emulated Scalekit environment, one module per service, no wire format."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..readings import Readings
from .connections import Connections
from .directories import Directories
from .domains import Domains
from .environment import Clock, Environment
from .organizations import Organizations
from .portal import LINK_TTL, SESSION_TTL, Portal


@dataclass(frozen=True)
class Backends:
    env: Environment
    organizations: Organizations
    connections: Connections
    directories: Directories
    domains: Domains
    portal: Portal

    @classmethod
    def create(
        cls,
        *,
        seed: int = 7,
        org_count: int = 40,
        portal_base_url: str = "http://127.0.0.1",
        link_ttl: dt.timedelta = LINK_TTL,
        session_ttl: dt.timedelta = SESSION_TTL,
        clock: Clock | None = None,
        readings: Readings | None = None,
    ) -> Backends:
        env = Environment(seed=seed, org_count=org_count, clock=clock, readings=readings)
        connections, directories = Connections(env), Directories(env)
        portal = Portal(
            env,
            connections,
            directories,
            base_url=portal_base_url,
            link_ttl=link_ttl,
            session_ttl=session_ttl,
        )
        return cls(env, Organizations(env), connections, directories, Domains(env), portal)

    def reset(self) -> None:
        """Back to the seed: every organization, link, session and change as first generated."""
        self.env.reset()
        self.portal.reset()


__all__ = ["Backends", "Environment"]
