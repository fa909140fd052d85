"""One organization as the detail view shows it: four calls at once, under one deadline.

The organization itself must arrive (without it there is nothing to show: its error is raised).
Connections, directories and domains that fail or are late are named in ``missing`` with a
sentence, and the rest is shown: a slow Scalekit costs one deadline, not the sum of four.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from ..errors import ScalekitError, TimedOut
from ..gateway import ScalekitGateway
from ..models import OrganizationDetail

PARTS = ("connections", "directories", "domains")
LABELS = {"connections": "SSO connections", "directories": "directories", "domains": "domains"}
# Shared by every detail view: calls that outlive their deadline finish here, not in a page.
_POOL = ThreadPoolExecutor(max_workers=16, thread_name_prefix="organization-detail")


def load_detail(gateway: ScalekitGateway, org_id: str, deadline_s: float) -> OrganizationDetail:
    calls: dict[str, Future[Any]] = {
        "organization": _POOL.submit(gateway.get_organization, org_id),
        "connections": _POOL.submit(gateway.list_connections, org_id),
        "directories": _POOL.submit(gateway.list_directories, org_id),
        "domains": _POOL.submit(gateway.list_domains, org_id),
    }
    wait(calls.values(), timeout=deadline_s)
    organization = calls["organization"]
    if not organization.done():
        raise TimedOut(
            f"Scalekit did not send organization {org_id} within {deadline_s:g} s. Try again in a moment."
        )
    found = organization.result()  # re-raises NotFound and the others
    parts: dict[str, tuple[Any, ...]] = {}
    missing: list[tuple[str, str]] = []
    for part in PARTS:
        call = calls[part]
        if not call.done():
            missing.append((part, f"Scalekit did not send the {LABELS[part]} within {deadline_s:g} s."))
            parts[part] = ()
            continue
        try:
            parts[part] = tuple(call.result())
        except ScalekitError as error:
            missing.append((part, str(error)))
            parts[part] = ()
    return OrganizationDetail(
        organization=found,
        connections=parts["connections"],
        directories=parts["directories"],
        domains=parts["domains"],
        missing=tuple(missing),
    )
