"""Changing organizations at Scalekit (admins only), each change recorded in the activity log
and patched into the history's listing, so every page shows it before the worker lists again.

Scalekit holds these changes, so the history is written once Scalekit has made them. Should the
history be unable to write, the error says the change was made all the same.
"""

from __future__ import annotations

from ..activity import entry, record
from ..errors import InvalidInput, StoreError
from ..gateway import ScalekitGateway
from ..history import History
from ..models import (
    FEATURE_LABELS,
    REGION_LABELS,
    REGIONS,
    Activity,
    ActivityAction,
    Feature,
    Operator,
    Organization,
    Region,
)
from ..permissions import require

NAME_MAX = 200
EXTERNAL_ID_MAX = 255


def _logged(
    history: History, made: Activity, done: str, changed: Organization | None = None, gone: str | None = None
) -> None:
    try:
        if changed is not None:
            history.listing.put(made.environment, changed, made.at)
        if gone is not None:
            history.listing.drop(made.environment, gone)
        record(history, made)
    except StoreError as exc:
        raise StoreError(f"{done}, but Portal Desk's history could not record it: {exc}") from exc


def _name(display_name: str) -> str:
    name = display_name.strip()
    if not name:
        raise InvalidInput("Give the organization a display name.")
    if len(name) > NAME_MAX:
        raise InvalidInput(f"A display name is at most {NAME_MAX} characters.")
    return name


def create(
    gateway: ScalekitGateway,
    history: History,
    operator: Operator,
    *,
    environment: str,
    display_name: str,
    external_id: str = "",
    region: str = Region.US,
) -> Organization:
    """Create at Scalekit; an empty name is refused here, a duplicate external id by Scalekit."""
    require(operator, "create_organization")
    name = _name(display_name)
    if region not in REGIONS:
        raise InvalidInput(f"Choose the organization's region: {' or '.join(REGION_LABELS.values())}.")
    org = gateway.create_organization(name, external_id=external_id.strip() or None, region=region)
    made = entry(
        operator,
        ActivityAction.ORGANIZATION_CREATED,
        environment,
        organization=org,
        details={"region": region},
    )
    _logged(history, made, f"{org.display_name} was created", changed=org)
    return org


def set_feature(
    gateway: ScalekitGateway,
    history: History,
    operator: Operator,
    *,
    environment: str,
    organization_id: str,
    feature: Feature,
    enabled: bool,
) -> Organization:
    """Turn an admin portal feature (SSO or directory sync) on or off for one organization."""
    require(operator, "organization_settings")
    if feature not in FEATURE_LABELS:
        raise InvalidInput("Unknown admin portal feature.")
    org = gateway.update_organization_settings(organization_id, **{feature: enabled})
    made = entry(
        operator,
        ActivityAction.FEATURE_TOGGLED,
        environment,
        organization=org,
        details={"feature": FEATURE_LABELS[feature], "enabled": enabled},
    )
    state = "switched on" if enabled else "switched off"
    _logged(history, made, f"{FEATURE_LABELS[feature]} was {state}", changed=org)
    return org


def update(
    gateway: ScalekitGateway,
    history: History,
    operator: Operator,
    *,
    environment: str,
    organization: Organization,
    display_name: str,
    external_id: str,
) -> Organization:
    """Rename an organization or change its external id ("" clears it); unchanged fields are not sent."""
    require(operator, "organization_settings")
    name, external = _name(display_name), external_id.strip()
    if len(external) > EXTERNAL_ID_MAX:
        raise InvalidInput(f"An external id is at most {EXTERNAL_ID_MAX} characters.")
    changed = {
        "display_name": name if name != organization.display_name else None,
        "external_id": external if external != (organization.external_id or "") else None,
    }
    if all(value is None for value in changed.values()):
        raise InvalidInput("Nothing changed: edit the name or the external id first.")
    org = gateway.update_organization(organization.id, **changed)
    fields = [key.replace("_", " ") for key, value in changed.items() if value is not None]
    made = entry(
        operator,
        ActivityAction.ORGANIZATION_UPDATED,
        environment,
        organization=org,
        details={"changed": fields, "was": organization.display_name},
    )
    _logged(history, made, f"{org.display_name} was updated", changed=org)
    return org


def delete(
    gateway: ScalekitGateway,
    history: History,
    operator: Operator,
    *,
    environment: str,
    organization: Organization,
    confirmation: str,
) -> None:
    """Delete at Scalekit, only when ``confirmation`` repeats the organization's display name."""
    require(operator, "organization_settings")
    if confirmation.strip() != organization.display_name.strip():
        raise InvalidInput("Type the organization's display name exactly to confirm the deletion.")
    gateway.delete_organization(organization.id)
    made = entry(operator, ActivityAction.ORGANIZATION_DELETED, environment, organization=organization)
    _logged(history, made, f"{organization.display_name} was deleted", gone=organization.id)
