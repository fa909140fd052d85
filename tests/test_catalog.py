"""The organization listing: waited for once, kept in the history, refreshed behind the page,
patched at once after a change made from Portal Desk."""

from __future__ import annotations

import time

import pytest

from dashboard.errors import RateLimited
from dashboard.gateway import ScalekitGateway
from dashboard.history import History
from dashboard.organizations import OrganizationCatalog
from scalekit_emulator import Emulator, Fault


def test_a_restart_lists_nothing_and_a_stale_list_is_refreshed_behind_the_page(
    emulator: Emulator, gateway: ScalekitGateway, history: History
) -> None:
    first = OrganizationCatalog(gateway, history.listing, "emulator")
    listed = first.organizations()
    assert [o.id for o in listed] == [o.id for o in gateway.list_organizations()]
    # Restart: the copy is drawn while Scalekit refuses to list (it is not asked).
    emulator.control.inject_fault(Fault(method="ListOrganization", code="RESOURCE_EXHAUSTED"))
    again = OrganizationCatalog(gateway, history.listing, "emulator")
    assert again.listed and again.organizations() == listed
    emulator.control.clear_faults()
    # Older than the TTL: the list at hand now, a new one in the background.
    created = gateway.create_organization("Listed Later Co")
    stale = OrganizationCatalog(gateway, history.listing, "emulator", ttl_s=0)
    assert stale.organizations() == listed
    deadline = time.monotonic() + 30
    while stale.refreshing and time.monotonic() < deadline:
        time.sleep(0.02)
    assert stale.organizations()[0].id == created.id
    assert history.listing.load("emulator")[0][0].id == created.id  # kept for the next restart


def test_a_first_listing_that_fails_says_so_and_a_change_is_patched_in(
    emulator: Emulator, gateway: ScalekitGateway, history: History
) -> None:
    emulator.control.inject_fault(Fault(method="ListOrganization", code="RESOURCE_EXHAUSTED", times=1))
    catalog = OrganizationCatalog(gateway, history.listing, "emulator")
    with pytest.raises(RateLimited):
        catalog.organizations()
    orgs = catalog.organizations()
    renamed = gateway.update_organization(orgs[3].id, display_name="Renamed Co")
    catalog.replace(renamed)
    assert catalog.organizations()[3].display_name == "Renamed Co"
    new = gateway.create_organization("Brand New Co")
    catalog.replace(new)
    catalog.remove(orgs[0].id)
    assert [o.id for o in catalog.organizations()][:2] == [new.id, orgs[1].id]
